"""Online application by a logged-in applicant, their cases, and the reply to a one-time notice.

Every change goes through ``cases.services``: ``submit_once`` (the hidden submission key makes a
double click land on the same case), ``attach_file`` (type sniffed, size limited) and ``transition``.
"""

import hashlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tongban.cases.choices import Action, Channel, MaterialStatus, State
from tongban.cases.documents import DocumentKind, available_kinds, problem_rows
from tongban.cases.models import Applicant, Case, IdempotencyRecord
from tongban.cases.services import MaterialInput, attach_file, submit_once, transition
from tongban.catalog.models import ItemImplementation
from tongban.catalog.services import item_in_force
from tongban.core.errors import NotFound, ServiceError
from tongban.core.forms import show_service_error
from tongban.portal.forms import (
    ApplicationForm,
    SupplementForm,
    material_field,
    new_submission_key,
)
from tongban.portal.staging import recall, stash

CASE_RELATED = ("item", "sub_item", "department__region", "applicant", "service_point")
# Bookkeeping an applicant need not see in their case's history.
HIDDEN_ACTIONS = [Action.ATTACH, Action.DEEMED_ACCEPTANCE_WARNING, Action.REVIEW]
# Prefilled from the logged-in applicant's identity when the item's form asks for them.
IDENTITY_PREFILL = {"applicant_name": "name", "applicant_id_number": "id_number", "contact_phone": "phone"}


def _applicant_of(user) -> Applicant | None:
    return Applicant.objects.filter(user=user).first()


def _fingerprint(item_code: str, region: str, sub_item: str, form_data: dict, files: list) -> str:
    body = {"item": item_code, "region": region, "sub_item": sub_item, "form": form_data, "files": files}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@login_required
def apply(request, code):
    try:
        item = item_in_force(code.upper())
    except NotFound as exc:
        raise Http404(exc.message) from None
    context = {"nav": "search", "item": item}
    if 2 not in (item.online_stages or []):
        return render(request, "portal/apply_unavailable.html", {**context, "reason": "offline"})
    applicant = _applicant_of(request.user)
    if applicant is None:
        return render(request, "portal/apply_unavailable.html", {**context, "reason": "identity"})
    sub_items = list(item.sub_items.all())
    chosen = request.POST.get("sub") or request.GET.get("sub", "")
    sub = next((s for s in sub_items if s.name == chosen), None)
    if sub_items and sub is None:
        return render(request, "portal/apply_choose.html", {**context, "sub_items": sub_items})
    materials = [m for m in item.materials.all() if m.sub_item_id in (None, sub.pk if sub else None)]
    implementations = list(
        ItemImplementation.objects.filter(item_code=item.code, is_active=True)
        .select_related("department__region")
        .order_by("department__region__code")
    )
    staged = {}
    for material in materials:
        kept = recall(request.user, request.POST.get(f"staged_{material.pk}", ""))
        if kept is not None:
            staged[material.pk] = kept
    form_kwargs = {"item": item, "implementations": implementations, "materials": materials, "staged": staged}

    if request.method == "POST":
        earlier = IdempotencyRecord.objects.filter(user=request.user, key=request.POST.get("submission_key", ""))
        if record := earlier.select_related("case").first():  # the same form sent twice: show what the first made
            return redirect("portal:my_case", number=record.case.number)
        form = ApplicationForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            case = _submit(request, form, item, sub, materials, staged)
            if case is not None:
                return redirect("portal:my_case", number=case.number)
        for material_id, (upload, content_type) in form.fresh_uploads().items():
            staged[material_id] = stash(request.user, upload, content_type)  # nothing to choose again
    else:
        prefill = {f: getattr(applicant, attr) for f, attr in IDENTITY_PREFILL.items()}
        form = ApplicationForm(initial={"submission_key": new_submission_key()}, initial_values=prefill, **form_kwargs)
    return render(
        request,
        "portal/apply.html",
        {**context, "form": form, "sub": sub, "staged": staged, "applicant": applicant},
    )


def _submit(request, form, item, sub, materials, staged) -> Case | None:
    """Take in the application and attach its files; None (with the errors on the form) if refused."""
    fresh = {mid: upload for mid, (upload, _type) in form.fresh_uploads().items()}
    files = {m.pk: fresh.get(m.pk) or staged.get(m.pk) for m in materials}
    described = sorted((mid, f.name, getattr(f, "size", None)) for mid, f in files.items() if f)
    form_data = form.form_data()
    region = form.cleaned_data["region"]
    try:
        case, created = submit_once(
            by=request.user,
            key=form.cleaned_data["submission_key"],
            fingerprint=_fingerprint(item.code, region, sub.name if sub else "", form_data, described),
            item_code=item.code,
            region_code=region,
            applicant=_applicant_of(request.user),
            channel=Channel.ONLINE,
            sub_item=sub.name if sub else None,
            form_data=form_data,
            materials=[
                MaterialInput(mid, MaterialStatus.PROVIDED if f else MaterialStatus.MISSING) for mid, f in files.items()
            ],
        )
    except ServiceError as exc:
        show_service_error(form, exc, fields={**form.service_field_names(), "regions": "region"})
        return None
    if created:
        failed = []
        for material_id, file in files.items():
            if file is None:
                continue
            upload = file.as_upload() if file is staged.get(material_id) else file
            try:
                attach_file(case, by=request.user, material_id=material_id, upload=upload)
            except ServiceError:
                failed.append(form.fields[material_field(material_id)].label)
            if material_id in staged:
                staged[material_id].discard()
        messages.success(request, _("申请已提交，办件编号 %s。请留意预审结果。") % case.number)
        if failed:
            messages.warning(request, _("以下材料未能保存：%s。预审时工作人员将一次性告知补正。") % "、".join(failed))
    return case


@login_required
def my_cases(request):
    cases = (
        Case.objects.filter(applicant__user=request.user).select_related(*CASE_RELATED).order_by("-submitted_at")[:100]
    )
    return render(request, "portal/my_cases.html", {"nav": "my", "cases": cases})


def _owed(case: Case, notice) -> list:
    """The materials the one-time notice asks for (an optional one never sent is not owed)."""
    named = [p["material"] for p in notice.problems if p.get("material") is not None] if notice else []
    return list(
        case.materials.select_related("material")
        .filter(material_id__in=named, status__in=[MaterialStatus.MISSING, MaterialStatus.FAULTY])
        .order_by("material__order", "material_id")
    )


@login_required
def my_case(request, number):
    case = get_object_or_404(Case.objects.select_related(*CASE_RELATED), number=number, applicant__user=request.user)
    notice = case.notices.order_by("-issued_at", "-id").first()
    answering = case.state == State.SUPPLEMENT_REQUESTED
    form = None
    if answering:
        form = SupplementForm(request.POST or None, request.FILES or None, owed=_owed(case, notice))
        if request.method == "POST" and form.is_valid() and _supplement(request, case, form):
            messages.success(request, _("补正材料已提交，等待工作人员受理。"))
            return redirect("portal:my_case", number=case.number)
    elif request.method == "POST":
        messages.info(request, _("本办件当前无需补正。"))
        return redirect("portal:my_case", number=case.number)
    return render(
        request,
        "portal/my_case.html",
        {
            "nav": "my",
            "case": case,
            "notice": notice,
            "problems": problem_rows(case, notice) if notice else [],
            "form": form,
            "materials": case.materials.select_related("material").prefetch_related("attachments"),
            "events": case.events.exclude(action__in=HIDDEN_ACTIONS),
            "documents": [(kind, DocumentKind(kind).label) for kind in available_kinds(case)],
        },
    )


def _supplement(request, case: Case, form: SupplementForm) -> bool:
    """Attach every file and supplement in one transaction; on refusal no file or row is left behind."""
    attached = []
    try:
        with transaction.atomic():
            for row in form.owed:
                upload = form.cleaned_data[material_field(row.material_id)]
                attached.append(attach_file(case, by=request.user, material_id=row.material_id, upload=upload))
            transition(
                case,
                Action.SUPPLEMENT,
                by=request.user,
                reason=form.cleaned_data["note"],
                data={"materials": [row.material_id for row in form.owed]},
            )
    except ServiceError as exc:
        for attachment in attached:
            default_storage.delete(attachment.file.name)
        show_service_error(form, exc)
        return False
    return True
