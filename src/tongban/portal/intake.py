"""An online application and its files go in together or not at all.

The intake (``submit_once`` / ``submit_bundle_once``) and every file's attachment run in one
transaction; a refused file rolls the application back, and the files stored before it are deleted,
so the applicant fixes that one file (the others are kept by ``staging``) and sends again.
"""

import contextlib
import hashlib
import json
from collections.abc import Callable

from django.core.files.storage import default_storage
from django.db import transaction
from django.shortcuts import render

from tongban.cases.choices import ApplicantKind
from tongban.cases.models import Applicant
from tongban.core.errors import ServiceError
from tongban.portal.forms import new_submission_key
from tongban.portal.staging import keep_uploads

# Prefilled from the logged-in applicant's identity when the form asks for them.
IDENTITY_PREFILL = {
    ApplicantKind.PERSON: {"applicant_name": "name", "applicant_id_number": "id_number", "contact_phone": "phone"},
    ApplicantKind.ENTERPRISE: {"enterprise_name": "name", "credit_code": "id_number", "contact_phone": "phone"},
}


class UploadRefused(Exception):
    """A file the service refused: which material (form key) and why."""

    def __init__(self, key, error: ServiceError):
        super().__init__(error.message)
        self.key, self.error = key, error


def applicant_of(user) -> Applicant | None:
    return Applicant.objects.filter(user=user).first()


def identity_prefill(applicant: Applicant) -> dict:
    return {field: getattr(applicant, attr) for field, attr in IDENTITY_PREFILL.get(applicant.kind, {}).items()}


def unavailable(request, *, subject: str, back_url: str, offline: list[str], applicant):
    """The page saying why one cannot apply online here (``offline``: the items not taken in online, or
    an account that is no applicant); None when one can."""
    if not offline and applicant is not None:
        return None
    context = {"nav": "search", "subject": subject, "back_url": back_url, "offline": offline}
    return render(request, "portal/apply_unavailable.html", context)


def application_form(request, form_class, form_kwargs: dict, applicant, submit: Callable):
    """(form, what ``submit(form)`` made): a blank form with a new submission key and the applicant's
    identity prefilled, or the posted one; when that is refused, its good files are kept (``staging``)."""
    if request.method != "POST":
        initial = {"submission_key": new_submission_key()}
        return form_class(initial=initial, initial_values=identity_prefill(applicant), **form_kwargs), None
    form = form_class(request.POST, request.FILES, **form_kwargs)
    made = submit(form) if form.is_valid() else None
    if made is None:
        keep_uploads(request.user, form, form_kwargs["staged"])  # nothing to choose again
    return form, made


def fingerprint(body: dict) -> str:
    """What the idempotency key is bound to: the same key with another body is refused."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@contextlib.contextmanager
def kept_on_commit():
    """A transaction; ``stored`` (the yielded list) names the files written, deleted again on rollback."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        for name in set(stored):
            default_storage.delete(name)
        raise


def attach_each(files: dict, staged: dict, attach: Callable, stored: list[str]) -> None:
    """``attach(key, upload)`` for every chosen or kept file; the stored names go into ``stored``."""
    for key, file in files.items():
        if file is None:
            continue
        upload = file.as_upload() if file is staged.get(key) else file
        try:
            result = attach(key, upload)
        except ServiceError as exc:
            raise UploadRefused(key, exc) from exc
        stored += [row.file.name for row in (result if isinstance(result, list) else [result])]


def discard_kept(staged: dict) -> None:
    """The kept files are in the case now: their staging copies can go."""
    for kept in staged.values():
        kept.discard()
