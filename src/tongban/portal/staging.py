"""Uploads kept across a form error, so a citizen never has to choose the same files again.

A valid file from a form that failed elsewhere is stored under ``staging/`` and named in the
re-rendered form by a signed token (user, path, original name): a token cannot be forged, nor
used by another account. The file is removed once it has been attached to the case; one left
behind (the form abandoned) is removed by ``purge_staged_uploads`` once its token has expired.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongban.cases.uploads import EXTENSIONS

SALT = "tongban.portal.staging"
MAX_AGE_SECONDS = 24 * 3600
ROOT = "staging"


@dataclass(frozen=True)
class StagedFile:
    token: str
    path: str
    name: str
    content_type: str

    def as_upload(self) -> SimpleUploadedFile:
        with default_storage.open(self.path, "rb") as stored:
            return SimpleUploadedFile(self.name, stored.read(), content_type=self.content_type)

    def discard(self) -> None:
        default_storage.delete(self.path)


def stash(user, upload, content_type: str) -> StagedFile:
    upload.seek(0)
    path = default_storage.save(f"{ROOT}/{user.pk}/{uuid.uuid4().hex}.{EXTENSIONS[content_type]}", upload)
    name = (upload.name or "")[:200]
    token = signing.dumps({"u": user.pk, "p": path, "n": name, "t": content_type}, salt=SALT)
    return StagedFile(token, path, name, content_type)


def recall(user, token: str) -> StagedFile | None:
    """The staged file ``token`` names, if it is this user's, recent and still there."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if data.get("u") != user.pk or not default_storage.exists(data["p"]):
        return None
    return StagedFile(token, data["p"], data["n"], data["t"])


def recall_all(user, data, keys) -> dict:
    """key → the staged file the form ``data`` names under ``staged_<key>``, for each that is still good."""
    staged = {}
    for key in keys:
        kept = recall(user, data.get(f"staged_{key}", ""))
        if kept is not None:
            staged[key] = kept
    return staged


def keep_uploads(user, form, staged: dict) -> None:
    """After a form error: keep the good files sent with it, so none has to be chosen again."""
    for key, (upload, content_type) in form.fresh_uploads().items():
        staged[key] = stash(user, upload, content_type)


def purge_expired(now: datetime.datetime | None = None) -> int:
    """Remove the staged files no token can name any more (older than ``MAX_AGE_SECONDS``); how many."""
    oldest = (now or timezone.now()) - datetime.timedelta(seconds=MAX_AGE_SECONDS)
    removed = 0
    users, _files = default_storage.listdir(ROOT) if default_storage.exists(ROOT) else ([], [])
    for user in users:
        for name in default_storage.listdir(f"{ROOT}/{user}")[1]:
            path = f"{ROOT}/{user}/{name}"
            if default_storage.get_modified_time(path) < oldest:
                default_storage.delete(path)
                removed += 1
    return removed
