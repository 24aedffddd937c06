"""一件事 at the window (一窗受理): one form, each shared material checked once, one decision for the
bundle. The intake is ``cases.bundles.submit_bundle_once``; each item that starts now is then accepted,
or, when one of its materials is missing or faulty, sent the one-time notice, all in one transaction.

Only the jurisdictions this window may accept each item for are offered (negative list, scope and
grants: ``front_desk_grant``); an item it cannot take in anywhere stops the bundle with the reason and
the places the applicant can go.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tongban.cases.bundles import BundleMaterialInput, submit_bundle_once
from tongban.cases.choices import Action, Right, State
from tongban.cases.models import Applicant, BundleCase
from tongban.cases.permissions import front_desk_grant
from tongban.cases.services import implementation_for, transition, visible_cases
from tongban.core.errors import Forbidden, ServiceError
from tongban.portal.bundle_application import (
    bundle_offers,
    chosen_sub_items,
    member_regions,
    requirements_or_404,
    show_bundle_error,
)
from tongban.portal.forms import new_submission_key
from tongban.portal.intake import identity_prefill
from tongban.workbench.access import FRONT_DESK, own_service_point, role_required
from tongban.workbench.clerk import fingerprint, places_of, window_channel
from tongban.workbench.forms import WindowBundleForm


def _acceptable_regions(requirements, point) -> tuple[dict[str, list], tuple | None]:
    """Item code → the regions this window may accept it for; or (member, refusal) for the first
    member it may accept for none."""
    acceptable = {}
    for member, regions in zip(requirements.members, member_regions(requirements).values(), strict=True):
        refusal = None
        for region in regions:
            department = implementation_for(member.item.code, region.code).department
            try:
                front_desk_grant(member.item, department, point, Right.RECEIVE_ACCEPT)
            except Forbidden as exc:
                refusal = refusal or exc
            else:
                acceptable.setdefault(member.item.code, []).append(region)
        if member.item.code not in acceptable:
            no_place = Forbidden(_("“%s”尚未确定实施部门，暂不能受理。") % member.item.name, code="no_implementation")
            return acceptable, (member, refusal or no_place)
    return acceptable, None


@role_required(*FRONT_DESK)
def bundle_intake(request, pk, code):
    applicant = get_object_or_404(Applicant, pk=pk)
    requirements = requirements_or_404(code, chosen_sub_items(request.POST or request.GET))
    point = own_service_point(request.user)
    context = {"nav": "intake", "applicant": applicant, "bundle": requirements.bundle, "requirements": requirements}
    regions, refused = _acceptable_regions(requirements, point)
    if refused:
        member, error = refused
        return render(
            request,
            "workbench/intake_refused.html",
            {**context, "item": member.item, "error": error, "places": places_of(error)},
        )
    purpose = _("窗口受理“%(bundle)s”（%(point)s）") % {"bundle": requirements.bundle.name, "point": point.name}
    # A booked visit comes with the booked region (``queue.intake_url``), preselected and still changeable.
    initial = {"submission_key": new_submission_key()}
    if booked_region := request.GET.get("region"):
        initial["region"] = booked_region
    form = WindowBundleForm(
        request.POST or None,
        initial=initial,
        requirements=requirements,
        regions=regions,
        offers=bundle_offers(request.user, applicant, requirements, purpose),
        initial_values=identity_prefill(applicant),
    )
    if request.method == "POST":
        key = request.POST.get("submission_key", "")
        earlier = BundleCase.objects.filter(created_by=request.user, idempotency_key=key).exclude(idempotency_key="")
        if parent := earlier.first():  # the same form sent twice
            return redirect("workbench:bundle", number=parent.number)
        if form.is_valid():
            try:
                parent = _take_in(request, form, applicant, requirements)
            except ServiceError as exc:
                show_bundle_error(form, exc, requirements, licence_field=lambda key: f"m{key}_licence")
            else:
                messages.success(request, _("一件事已受理，编号 %s。") % parent.number)
                return redirect("workbench:bundle", number=parent.number)
    choosable = [(m, subs) for m in requirements.members if len(subs := list(m.item.sub_items.all())) > 1]
    return render(request, "workbench/bundle_intake.html", {**context, "form": form, "choosable": choosable})


@transaction.atomic
def _take_in(request, form: WindowBundleForm, applicant, requirements) -> BundleCase:
    """The bundle and the decision on each item that starts now, all or nothing."""
    parent, created = submit_bundle_once(
        by=request.user,
        key=form.cleaned_data["submission_key"],
        fingerprint=fingerprint(request.POST),
        bundle_code=requirements.bundle.code,
        region_code=form.cleaned_data["region"],
        applicant=applicant,
        channel=window_channel(request.user),
        form_data=form.form_data(),
        materials=[BundleMaterialInput(k, form.intake_status(k), form.licence_of(k)) for k in form.material_keys],
        item_regions=form.item_regions(),
        sub_items={m.item.code: m.sub_item.name for m in requirements.members if m.sub_item},
        human_decision=form.decision_choice("human_decision"),
    )
    if not created:
        return parent
    members = {m.item.code: m for m in requirements.members}
    for child in parent.new_children:
        if child.state != State.SUBMITTED:  # waits for a prerequisite; its department accepts it later
            continue
        member = members[child.item.code]
        pairs = form.pairs_of(member)
        if form.member_has_problem(member):
            transition(child, Action.REQUEST_SUPPLEMENT, by=request.user, data={"problems": form.problems(pairs)})
        else:
            reason = form.acceptance_reason(form.points_of(member))
            transition(child, Action.ACCEPT, by=request.user, reason=reason, data={"deferred": form.deferred(pairs)})
    return parent


@role_required(*FRONT_DESK)
def bundle_page(request, number):
    """The bundle as the hall sees it: each item's case, with its state and where to print its papers."""
    parent = get_object_or_404(BundleCase.objects.select_related("bundle", "applicant"), number=number)
    children = list(
        visible_cases(request.user)
        .filter(bundle_case=parent)
        .select_related("item", "sub_item", "department__region")
        .order_by("pk")
    )
    if not children:
        raise Http404(_("一件事办件 %s 不存在或不在本厅办理。") % number)
    return render(request, "workbench/bundle.html", {"nav": "hall_cases", "parent": parent, "children": children})
