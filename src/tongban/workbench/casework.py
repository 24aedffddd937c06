"""A case as staff see it (materials, attachments, audit trail, documents) and the actions their
side may take on it now; the approver's inbox of routed cases.

Which actions are offered is read from ``cases.services.RULES``; whether one is allowed is decided
by ``transition`` when it runs. A page opened before someone else acted says so instead of acting.
"""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.cases.choices import Action, MaterialStatus, PostCheckStatus, State
from tongban.cases.documents import DocumentKind, available_kinds
from tongban.cases.models import Case, CaseAttachment, PostCheck
from tongban.cases.services import BACK, FRONT, RULES, masked_form, transition, visible_cases
from tongban.core.errors import Conflict, ServiceError
from tongban.core.forms import show_service_error
from tongban.directory.roles import Role, user_roles
from tongban.portal import application
from tongban.portal.outcome import case_outcome
from tongban.workbench.access import FRONT_DESK, role_required
from tongban.workbench.forms import CaseActionForm, NoticeForm, PostCheckForm
from tongban.workdays.services import add_working_days

CASE_RELATED = (*application.CASE_RELATED, "grant")
STAFF_ROLES = (Role.CLERK, Role.PROXY_AGENT, Role.APPROVER, Role.SUPERVISOR)
DUE_SOON_WORKING_DAYS = 3
PAGE_SIZE = 30
# Offered as buttons on the case page, in this order; the one-time notice has its own form.
OFFERED = [
    Action.ACCEPT,
    Action.SUPPLEMENT,
    Action.SUPPLY_DEFERRED,
    Action.START_REVIEW,
    Action.REVIEW,
    Action.APPROVE,
    Action.DENY,
    Action.APPROVE_IMMEDIATELY,
    Action.SUSPEND,
    Action.RESUME,
    Action.EXTEND,
    Action.MAKE_RESULT,
    Action.DELIVER,
    Action.CLOSE,
    Action.REFUSE,
]
# Which inputs each action asks for (the rest need only a click).
INPUTS = {
    Action.REVIEW: ["opinion"],
    Action.DENY: ["reason"],
    Action.REFUSE: ["reason"],
    Action.SUSPEND: ["reason_code", "reason"],
    Action.EXTEND: ["days", "reason"],
    Action.DELIVER: ["method"],
}
TONE = {Action.DENY: "secondary", Action.REFUSE: "secondary", Action.APPROVE: "ok", Action.ACCEPT: "ok"}


def _side(user) -> str | None:
    roles = user_roles(user)
    if Role.APPROVER in roles:
        return BACK
    if roles & FRONT_DESK:
        return FRONT
    return None  # supervisors read only


def _offered(case: Case, side: str | None, materials: list) -> list[Action]:
    if side is None:
        return []
    offered = [a for a in OFFERED if case.state in RULES[a].sources and side in RULES[a].who]
    if not any(row.status == MaterialStatus.DEFERRED for row in materials):
        offered = [a for a in offered if a != Action.SUPPLY_DEFERRED]  # nothing owed under 容缺
    return offered


def _notice_offered(case: Case, side: str | None) -> bool:
    rule = RULES[Action.REQUEST_SUPPLEMENT]
    return side is not None and case.state in rule.sources and side in rule.who


def _data_for(action: Action, case: Case, cleaned: dict) -> dict:
    if action == Action.SUPPLEMENT:
        owed = case.materials.filter(status__in=[MaterialStatus.MISSING, MaterialStatus.FAULTY])
        return {"materials": list(owed.values_list("material_id", flat=True))}
    if action == Action.SUPPLY_DEFERRED:
        owed = case.materials.filter(status=MaterialStatus.DEFERRED)
        return {"materials": list(owed.values_list("material_id", flat=True))}
    if action == Action.REVIEW:
        return {"opinion": cleaned.get("opinion", "")}
    if action == Action.SUSPEND:
        return {"reason_code": cleaned.get("reason_code", "")}
    if action == Action.EXTEND:
        return {"days": cleaned.get("days")}
    if action == Action.DELIVER:
        method = cleaned.get("method") or "window"
        return {"method": method, "in_person": method == "window"}
    return {}


def _changed_meanwhile(request, case: Case, expected: str) -> bool:
    if case.state == expected:
        return False
    messages.warning(
        request,
        _("该办件已由他人处理，当前状态为“%s”。页面已更新，请核对后再操作。") % case.get_state_display(),
    )
    return True


def _run(request, case: Case, action: str, form, *, reason: str = "", data: dict | None = None) -> bool:
    """Carry out ``action``; a Conflict (someone else was first) becomes a message, other refusals go on the form."""
    try:
        transition(case, action, by=request.user, reason=reason, data=data or {})
    except Conflict as exc:
        messages.error(request, _("操作未执行：%s 可能已有其他人员先行处理，页面已更新为最新状态。") % exc.message)
        return True
    except ServiceError as exc:
        show_service_error(form, exc)
        return False
    messages.success(request, _("已完成：%s。") % Action(action).label)
    return True


@role_required(*STAFF_ROLES)
def case_page(request, number):
    case = get_object_or_404(visible_cases(request.user).select_related(*CASE_RELATED), number=number)
    side = _side(request.user)
    materials = list(
        case.materials.select_related("material", "licence__license_type", "licence__issuer")
        .prefetch_related("attachments")
        .order_by("id")
    )
    offered = _offered(case, side, materials)
    action_form = None
    notice_form = NoticeForm(initial={"expected_state": case.state}, rows=materials)
    failed_action = None
    check = _pending_check(case, side)
    check_form = PostCheckForm(initial={"expected_state": case.state}) if check else None
    if request.method == "POST":
        if request.POST.get("action") == "post_check" and check:
            check_form = PostCheckForm(request.POST)
            if check_form.is_valid():
                if _changed_meanwhile(request, case, check_form.cleaned_data["expected_state"]):
                    return redirect("workbench:case", number=case.number)
                verdict = {"passed": check_form.cleaned_data["verdict"] == "passed"}
                if _run(
                    request, case, Action.POST_CHECK, check_form, reason=check_form.cleaned_data["reason"], data=verdict
                ):
                    return redirect("workbench:case", number=case.number)
            failed_action = "post_check"
        elif request.POST.get("action") == "request_supplement" and _notice_offered(case, side):
            notice_form = NoticeForm(request.POST, rows=materials)
            if notice_form.is_valid():
                if _changed_meanwhile(request, case, notice_form.cleaned_data["expected_state"]):
                    return redirect("workbench:case", number=case.number)
                problems = {"problems": notice_form.problems()}
                if _run(request, case, Action.REQUEST_SUPPLEMENT, notice_form, data=problems):
                    return redirect("workbench:case", number=case.number)
            failed_action = "request_supplement"
        else:
            posted = request.POST.get("action", "")
            action_form = CaseActionForm(request.POST, auto_id=f"id_{posted if posted in Action.values else 'x'}_%s")
            if action_form.is_valid():
                cleaned = action_form.cleaned_data
                if _changed_meanwhile(request, case, cleaned["expected_state"]):
                    return redirect("workbench:case", number=case.number)
                if cleaned["action"] not in offered:
                    messages.warning(request, _("该操作当前不可用，页面已更新为最新状态。"))
                    return redirect("workbench:case", number=case.number)
                action = Action(cleaned["action"])
                data = _data_for(action, case, cleaned)
                if _run(request, case, action, action_form, reason=cleaned["reason"], data=data):
                    return redirect("workbench:case", number=case.number)
            failed_action = posted
    return render(
        request,
        "workbench/case.html",
        {
            "nav": "inbox" if side == BACK else "hall_cases",
            "case": case,
            "form_data": _labelled_form(case),
            "materials": materials,
            "events": case.events.select_related("actor", "service_point", "grant__department"),
            "notices": case.notices.all(),
            "documents": [(kind, DocumentKind(kind).label) for kind in available_kinds(case)],
            "panels": [
                {
                    "action": a,
                    "label": a.label,
                    "inputs": INPUTS.get(a, []),
                    "tone": TONE.get(a, "neutral"),
                    "form": action_form if a.value == failed_action else _blank_action_form(case, a),
                }
                for a in offered
            ],
            "notice_form": notice_form if _notice_offered(case, side) else None,
            "failed_action": failed_action,
            "overdue": case.is_overdue(),
            "outcome": case_outcome(case),
            "check_form": check_form,
            "licences_used": [row for row in materials if row.licence_id],
            "siblings": _siblings(request.user, case),
        },
    )


def _pending_check(case: Case, side: str | None) -> PostCheck | None:
    """The 告知承诺 post-check the owning department can record now."""
    rule = RULES[Action.POST_CHECK]
    if side != BACK or case.state not in rule.sources or not case.commitment_signed_at:
        return None
    return PostCheck.objects.filter(case=case, status=PostCheckStatus.PENDING).first()


def _siblings(user, case: Case) -> list[dict]:
    """The other items of the case's bundle: state and department, linked where this user may open them."""
    if not case.bundle_case_id:
        return []
    others = list(case.bundle_case.children.exclude(pk=case.pk).select_related("item", "department").order_by("pk"))
    visible = set(visible_cases(user).filter(pk__in=[c.pk for c in others]).values_list("pk", flat=True))
    return [{"case": other, "visible": other.pk in visible} for other in others]


def _blank_action_form(case: Case, action: Action) -> CaseActionForm:
    # Several panels ask for a reason: ids are per action so every label points at its own field.
    return CaseActionForm(initial={"expected_state": case.state}, auto_id=f"id_{action.value}_%s")


def _labelled_form(case: Case) -> list[tuple[str, object]]:
    labels = {f["name"]: f.get("label") or f["name"] for f in case.item.form_fields or []}
    return [(labels.get(name, name), value) for name, value in masked_form(case).items()]


@role_required(*STAFF_ROLES)
def attachment(request, pk):
    """An uploaded file, for those who may see its case."""
    row = get_object_or_404(CaseAttachment.objects.filter(case__in=visible_cases(request.user)), pk=pk)
    return FileResponse(row.file.open("rb"), content_type=row.content_type, filename=row.original_name)


# --- approver's inbox ------------------------------------------------------------------------

OPEN_STATES = [
    State.SUBMITTED,
    State.SUPPLEMENT_REQUESTED,
    State.SUPPLEMENTED,
    State.ACCEPTED,
    State.IN_REVIEW,
    State.SUSPENDED,
    State.APPROVED,
    State.DENIED,
    State.RESULT_READY,
]
DEADLINE_FILTERS = {
    "overdue": gettext_lazy("已超期"),
    "due_soon": gettext_lazy("即将到期"),
    "none": gettext_lazy("无期限"),
}


def due_soon_until(today: datetime.date) -> datetime.date:
    return add_working_days(today, DUE_SOON_WORKING_DAYS).date


@role_required(Role.APPROVER)
def inbox(request):
    today = timezone.localdate()
    soon = due_soon_until(today)
    cases = visible_cases(request.user).select_related(*CASE_RELATED).order_by("deadline", "submitted_at", "id")
    open_cases = cases.filter(state__in=OPEN_STATES, completed_at__isnull=True)
    state = request.GET.get("state") or ("all" if request.GET.get("post_check") else "open")
    if state == "open":
        cases = cases.filter(state__in=OPEN_STATES)
    elif state in State.values:
        cases = cases.filter(state=state)
    post_check = request.GET.get("post_check", "")
    if post_check == PostCheckStatus.PENDING:  # 告知承诺 cases approved already, still to be checked
        cases = cases.filter(post_check__status=PostCheckStatus.PENDING).order_by("post_check__due_date", "id")
    deadline = request.GET.get("deadline", "")
    if deadline == "overdue":
        cases = cases.filter(deadline__lt=today, completed_at__isnull=True)
    elif deadline == "due_soon":
        cases = cases.filter(deadline__gte=today, deadline__lte=soon, completed_at__isnull=True)
    elif deadline == "none":
        cases = cases.filter(deadline__isnull=True)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    checks_due = dict(
        PostCheck.objects.filter(case__in=list(page), status=PostCheckStatus.PENDING).values_list("case_id", "due_date")
    )
    for case in page:
        case.tone = _deadline_tone(case, today, soon)
        case.check_due = checks_due.get(case.pk)
    counts = {
        "pre_review": open_cases.filter(state__in=[State.SUBMITTED, State.SUPPLEMENTED]).count(),
        "overdue": open_cases.filter(deadline__lt=today).count(),
        "due_soon": open_cases.filter(Q(deadline__gte=today) & Q(deadline__lte=soon)).count(),
        "post_checks": visible_cases(request.user).filter(post_check__status=PostCheckStatus.PENDING).count(),
    }
    return render(
        request,
        "workbench/inbox.html",
        {
            "nav": "inbox",
            "page": page,
            "state": state,
            "deadline": deadline,
            "post_check": post_check,
            "states": State.choices,
            "deadline_filters": DEADLINE_FILTERS.items(),
            "counts": counts,
            "soon": soon,
            "today": today,
        },
    )


def _deadline_tone(case: Case, today: datetime.date, soon: datetime.date) -> str:
    if not case.deadline or case.completed_at:
        return ""
    if case.deadline < today:
        return "overdue"
    return "due-soon" if case.deadline <= soon else ""
