"""Online application by a logged-in applicant, their cases, and the reply to a one-time notice.

Every change goes through ``cases.services``: ``submit_once`` (the hidden submission key makes a
double click land on the same case), ``attach_intake_file`` / ``attach_file`` (type sniffed, size
limited) and ``transition``. The applicant's own usable licences are offered in place of materials
(一证通办; the look-up is audited); an item with 秒批 rules offers the opt-out, an item under
告知承诺制 the commitment, and the case page then shows how the case was decided.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.cases.choices import Action, Channel, MaterialStatus, State
from tongban.cases.documents import DocumentKind, available_kinds, problem_rows
from tongban.cases.models import ApplicantMessage, BundleCase, Case, IdempotencyRecord
from tongban.cases.services import MaterialInput, attach_file, attach_intake_file, submit_once, transition
from tongban.catalog.models import Item, ItemImplementation
from tongban.catalog.services import item_in_force
from tongban.core.errors import NotFound, ServiceError
from tongban.core.forms import show_service_error
from tongban.licences.services import offers_for
from tongban.portal.forms import (
    ApplicationForm,
    SupplementForm,
    licence_field,
    material_field,
)
from tongban.portal.intake import (
    UploadRefused,
    applicant_of,
    application_form,
    attach_each,
    discard_kept,
    fingerprint,
    kept_on_commit,
    unavailable,
)
from tongban.portal.outcome import case_outcome
from tongban.portal.staging import recall_all

CASE_RELATED = (
    "item",
    "sub_item",
    "department__region",
    "applicant",
    "service_point",
    "bundle_case__bundle",
    "result_licence__license_type",
)
# Bookkeeping an applicant need not see in their case's history.
HIDDEN_ACTIONS = [Action.ATTACH, Action.DEEMED_ACCEPTANCE_WARNING, Action.REVIEW]
# A chosen licence the intake refused is shown next to its material.
LICENCE_ERRORS = {"licence_not_usable", "licence_not_replacing"}


def licence_offers(user, applicant, item, sub, purpose: str) -> dict:
    """一证通办: material id → the applicant's usable licences that can replace it (an audited look-up)."""
    found = offers_for(item, applicant.id_number, by=user, purpose=purpose, sub_item_id=sub.pk if sub else None)
    return {offer["material"].pk: offer["licences"] for offer in found}


@login_required
def apply(request, code):
    try:
        item = item_in_force(code.upper())
    except NotFound as exc:
        raise Http404(exc.message) from None
    context = {"nav": "search", "item": item}
    applicant = applicant_of(request.user)
    offline = [] if 2 in (item.online_stages or []) else [item.name]
    back = reverse("portal:item", args=[item.code])
    if refusal := unavailable(request, subject=item.name, back_url=back, offline=offline, applicant=applicant):
        return refusal
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
    staged = recall_all(request.user, request.POST, [m.pk for m in materials])
    form_kwargs = {
        "item": item,
        "implementations": implementations,
        "materials": materials,
        "staged": staged,
        "offers": licence_offers(
            request.user, applicant, item, sub, _("网上申请“%s”：本人调取可代替材料的电子证照") % item.name
        ),
    }

    earlier = IdempotencyRecord.objects.filter(user=request.user, key=request.POST.get("submission_key", ""))
    if record := earlier.select_related("case").first():  # the same form sent twice: show what the first made
        return redirect("portal:my_case", number=record.case.number)
    form, case = application_form(
        request,
        ApplicationForm,
        form_kwargs,
        applicant,
        lambda form: _submit(request, form, item, sub, materials, staged),
    )
    if case is not None:
        return redirect("portal:my_case", number=case.number)
    return render(
        request,
        "portal/apply.html",
        {**context, "form": form, "sub": sub, "applicant": applicant, "offered": len(form_kwargs["offers"])},
    )


def _submit(request, form, item, sub, materials, staged) -> Case | None:
    """Take in the application with its files, all or nothing; None (with the errors on the form) if refused."""
    fresh = {key: upload for key, (upload, _type) in form.fresh_uploads().items()}
    licences = {m.pk: form.chosen_licence(m.pk) for m in materials if form.chosen_licence(m.pk)}
    files = {m.pk: None if m.pk in licences else fresh.get(m.pk) or staged.get(m.pk) for m in materials}
    form_data = form.form_data()
    region = form.cleaned_data["region"]
    choices = {name: form.decision_choice(name) for name in ("commitment", "human_decision")}
    body = {
        "item": item.code,
        "region": region,
        "sub_item": sub.name if sub else "",
        "form": form_data,
        "files": sorted((key, f.name, getattr(f, "size", None)) for key, f in files.items() if f),
        "licences": licences,
        **choices,
    }
    try:
        with kept_on_commit() as stored:
            case, created = submit_once(
                by=request.user,
                key=form.cleaned_data["submission_key"],
                fingerprint=fingerprint(body),
                item_code=item.code,
                region_code=region,
                applicant=applicant_of(request.user),
                channel=Channel.ONLINE,
                sub_item=sub.name if sub else None,
                form_data=form_data,
                materials=[
                    MaterialInput(
                        m.pk,
                        MaterialStatus.PROVIDED if files[m.pk] or m.pk in licences else MaterialStatus.MISSING,
                        licence=licences.get(m.pk, ""),
                    )
                    for m in materials
                ],
                **choices,
            )
            if created:

                def attach(key, upload):
                    return attach_intake_file(case, by=request.user, material_id=key, upload=upload)

                attach_each(files, staged, attach, stored)
    except UploadRefused as refused:
        form.add_error(material_field(refused.key), refused.error.message)
        return None
    except ServiceError as exc:
        material = exc.details.get("material") if exc.code in LICENCE_ERRORS else None
        if material is not None and licence_field(material) in form.fields:
            form.add_error(licence_field(material), exc.message)
        else:
            show_service_error(form, exc, fields={**form.service_field_names(), "regions": "region"})
        return None
    if created:
        discard_kept(staged)
        messages.success(request, _("申请已提交，办件编号 %s。") % case.number)
    return case


@login_required
def my_cases(request):
    cases = (
        Case.objects.filter(applicant__user=request.user).select_related(*CASE_RELATED).order_by("-submitted_at")[:100]
    )
    bundles = (
        BundleCase.objects.filter(applicant__user=request.user).select_related("bundle").order_by("-submitted_at")[:50]
    )
    notices = ApplicantMessage.objects.filter(applicant__user=request.user).select_related("case__item")[:5]
    return render(
        request, "portal/my_cases.html", {"nav": "my", "cases": cases, "bundle_cases": bundles, "notices": notices}
    )


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
    siblings = []
    if case.bundle_case_id:
        siblings = case.bundle_case.children.exclude(pk=case.pk).select_related("item", "department").order_by("pk")
    return render(
        request,
        "portal/my_case.html",
        {
            "nav": "my",
            "case": case,
            "notice": notice,
            "problems": problem_rows(case, notice) if notice else [],
            "form": form,
            "materials": case.materials.select_related("material", "licence__license_type").prefetch_related(
                "attachments"
            ),
            "events": case.events.exclude(action__in=HIDDEN_ACTIONS),
            "documents": [(kind, DocumentKind(kind).label) for kind in available_kinds(case)],
            "outcome": case_outcome(case),
            "case_messages": case.messages.all(),
            "siblings": siblings,
            "waits_for": _names_of(case.waits_for),
        },
    )


def _names_of(item_codes: list[str]) -> list[str]:
    """Item names for the codes a bundle child waits for (the versions in force)."""
    if not item_codes:
        return []
    names = dict(Item.objects.in_force().filter(code__in=item_codes).values_list("code", "name"))
    return [names.get(code, code) for code in item_codes]


def _supplement(request, case: Case, form: SupplementForm) -> bool:
    """Attach every file and supplement in one transaction; on refusal no file or row is left behind."""
    try:
        with kept_on_commit() as stored:
            for row in form.owed:
                upload = form.cleaned_data[material_field(row.material_id)]
                stored.append(attach_file(case, by=request.user, material_id=row.material_id, upload=upload).file.name)
            transition(
                case,
                Action.SUPPLEMENT,
                by=request.user,
                reason=form.cleaned_data["note"],
                data={"materials": [row.material_id for row in form.owed]},
            )
    except ServiceError as exc:
        show_service_error(form, exc)
        return False
    return True
