"""The clerk's window: identify the applicant, find the item, take in the application and decide
on the spot (受理 / 一次性告知 / 不予受理), all through ``cases.services``."""

import hashlib
import json

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tongban.cases.choices import Action, Channel, HandlingMode, Right
from tongban.cases.models import Applicant, Case, IdempotencyRecord
from tongban.cases.permissions import actor_of, front_desk_grant
from tongban.cases.services import MaterialInput, identify_applicant, submit_once, transition, visible_cases
from tongban.catalog.models import ItemImplementation
from tongban.catalog.services import item_in_force
from tongban.core.errors import Forbidden, NotFound, ServiceError
from tongban.core.forms import show_service_error
from tongban.directory.models import ServicePoint
from tongban.directory.roles import Role
from tongban.licences.services import usable_licences
from tongban.portal.application import LICENCE_ERRORS, licence_offers
from tongban.portal.forms import new_submission_key
from tongban.portal.intake import identity_prefill
from tongban.portal.search import search
from tongban.workbench import queue
from tongban.workbench.access import FRONT_DESK, own_service_point, role_required
from tongban.workbench.forms import ApplicantForm, IntakeForm, LicenceLookupForm

CASE_LIST_RELATED = ("item", "sub_item", "department__region", "applicant", "service_point")
RECENT_CASES = 20


def window_channel(user) -> Channel:
    """A clerk takes in at the window; a village or community agent files for the applicant (代办)."""
    return Channel.WINDOW if Role.CLERK in actor_of(user).roles else Channel.PROXY


def _hall_cases(user):
    return visible_cases(user).select_related(*CASE_LIST_RELATED).order_by("-submitted_at", "-id")


@role_required(*FRONT_DESK)
def start(request):
    form = ApplicantForm(request.POST or None)
    ticket = queue.serving_ticket(request.user, request.POST.get("ticket") or request.GET.get("ticket", ""))
    if request.method == "POST" and form.is_valid():
        try:
            applicant = identify_applicant(**form.cleaned_data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            if ticket:  # the visitor called to this window came for a known item
                return redirect(queue.intake_url(ticket, applicant.pk))
            return redirect("workbench:applicant", pk=applicant.pk)
    return render(
        request,
        "workbench/start.html",
        {
            **queue.panel_for(request.user),
            "nav": "intake",
            "form": form,
            "ticket": ticket,
            "point": actor_of(request.user).service_point,
            "recent": _hall_cases(request.user)[:10],
        },
    )


@role_required(*FRONT_DESK)
def applicant_page(request, pk):
    applicant = get_object_or_404(Applicant, pk=pk)
    query = request.GET.get("q", "")[:100]
    context = {"nav": "intake", "applicant": applicant, "result": search(query) if query else None}
    if request.headers.get("HX-Request") and "purpose" not in request.GET:
        return render(request, "workbench/_item_results.html", context)
    context.update(_licence_lookup(request, applicant))
    if request.headers.get("HX-Request"):
        return render(request, "workbench/_licences.html", context)
    context["cases"] = _hall_cases(request.user).filter(applicant=applicant)[:RECENT_CASES]
    return render(request, "workbench/applicant.html", context)


def _licence_lookup(request, applicant) -> dict:
    """The applicant's usable licences, called up with a stated purpose (an audited look-up)."""
    point = actor_of(request.user).service_point
    default = _("窗口办事核验证照（%s）") % (point.name if point else "")
    form = LicenceLookupForm(request.GET if "purpose" in request.GET else None, initial={"purpose": default})
    licences = None
    if form.is_valid():
        try:
            licences = usable_licences(applicant.id_number, by=request.user, purpose=form.cleaned_data["purpose"])
        except ServiceError as exc:
            show_service_error(form, exc)
    return {"licence_form": form, "licences": licences}


def fingerprint(post) -> str:
    body = sorted((key, post.getlist(key)) for key in post if key != "csrfmiddlewaretoken")
    return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()


def places_of(exc: Forbidden) -> list[ServicePoint]:
    """The service points a refusal names, in its order, with their addresses."""
    codes = [p["code"] for p in exc.details.get("service_points", [])]
    points = ServicePoint.objects.select_related("region").in_bulk(codes, field_name="code")
    return [points[code] for code in codes if code in points]


@role_required(*FRONT_DESK)
def intake(request, pk, code):
    applicant = get_object_or_404(Applicant, pk=pk)
    try:
        item = item_in_force(code.upper())
    except NotFound as exc:
        raise Http404(exc.message) from None
    implementations = list(
        ItemImplementation.objects.filter(item_code=item.code, is_active=True)
        .select_related("department__region")
        .order_by("department__region__code")
    )
    params = request.POST if request.method == "POST" else request.GET
    region, sub_name = params.get("region", ""), params.get("sub", "")
    implementation = next((i for i in implementations if i.department.region.code == region), None)
    sub_items = list(item.sub_items.all())
    sub = next((s for s in sub_items if s.name == sub_name), None)
    context = {"nav": "intake", "applicant": applicant, "item": item, "implementation": implementation, "sub": sub}
    if implementation is None or (sub_items and sub is None):
        return render(
            request,
            "workbench/intake_choose.html",
            {**context, "implementations": implementations, "sub_items": sub_items},
        )
    point = own_service_point(request.user)
    try:
        grant = front_desk_grant(item, implementation.department, point, Right.RECEIVE_ACCEPT)
    except Forbidden as exc:  # negative list, outside the scope, or no grant: say why and where to go
        return render(request, "workbench/intake_refused.html", {**context, "error": exc, "places": places_of(exc)})

    materials = [m for m in item.materials.all() if m.sub_item_id in (None, sub.pk if sub else None)]
    points = [p for p in item.review_points.all() if p.sub_item_id in (None, sub.pk if sub else None)]
    purpose = _("窗口受理“%(item)s”（%(point)s）") % {"item": item.name, "point": point.name}
    offers = licence_offers(request.user, applicant, item, sub, purpose)
    form = IntakeForm(
        request.POST or None,
        initial={"submission_key": new_submission_key()},
        item=item,
        materials=materials,
        review_points=points,
        offers=offers,
        initial_values=identity_prefill(applicant),
    )
    if request.method == "POST":
        earlier = IdempotencyRecord.objects.filter(user=request.user, key=request.POST.get("submission_key", ""))
        if record := earlier.select_related("case").first():  # the same form sent twice
            return redirect("workbench:case", number=record.case.number)
        if form.is_valid():
            try:
                case = _take_in(request, form, applicant, item, implementation, sub, materials)
            except ServiceError as exc:
                material = exc.details.get("material") if exc.code in LICENCE_ERRORS else None
                if f"m{material}_licence" in form.fields:
                    form.add_error(f"m{material}_licence", exc.message)
                else:
                    show_service_error(form, exc, fields=form.service_field_names())
            else:
                return redirect("workbench:case", number=case.number)
    return render(
        request,
        "workbench/intake.html",
        {**context, "form": form, "grant": grant, "point": point, "offered": len(offers)},
    )


DECISION_ACTIONS = {
    "accept": Action.ACCEPT,
    "notice": Action.REQUEST_SUPPLEMENT,
    "refuse": Action.REFUSE,
    "immediate": Action.APPROVE_IMMEDIATELY,
}


@transaction.atomic
def _take_in(request, form: IntakeForm, applicant, item, implementation, sub, materials) -> Case:
    """Intake and the decision at the window in one transaction: a refused decision leaves no case."""
    case, created = submit_once(
        by=request.user,
        key=form.cleaned_data["submission_key"],
        fingerprint=fingerprint(request.POST),
        item_code=item.code,
        region_code=implementation.department.region.code,
        applicant=applicant,
        channel=window_channel(request.user),
        sub_item=sub.name if sub else None,
        form_data=form.form_data(),
        materials=[MaterialInput(m.pk, form.intake_status(m.pk), licence=form.licence_of(m.pk)) for m in materials],
        human_decision=form.decision_choice("human_decision"),
    )
    if not created:
        return case
    decision = form.cleaned_data["decision"]
    reason, data = "", {}
    if decision == "accept":
        reason = form.acceptance_reason(form.review_points)
        data = {"deferred": form.deferred(form.material_pairs)}
    elif decision == "notice":
        data = {"problems": form.problems(form.material_pairs)}
    elif decision == "refuse":
        reason = form.cleaned_data["refusal_reason"]
    return transition(case, DECISION_ACTIONS[decision], by=request.user, reason=reason, data=data)


@role_required(*FRONT_DESK)
def hall_cases(request):
    """This hall's cases; "其他辖区" shows those taken in here for another jurisdiction (异地受理)."""
    cases = _hall_cases(request.user)
    other = request.GET.get("other") == "1"
    if other:
        cases = cases.filter(
            handling_mode__in=[HandlingMode.ACCEPT_REVIEW_SEPARATED, HandlingMode.RECEIVE_ACCEPT_SEPARATED]
        )
    return render(
        request,
        "workbench/hall_cases.html",
        {"nav": "hall_cases", "cases": cases[:200], "other": other, "point": actor_of(request.user).service_point},
    )
