"""Pages: the hall's big screen (public, refreshes itself), the clerk's calling panel, the staffing plan."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.cases.permissions import actor_of
from tongban.core.errors import ServiceError
from tongban.directory.models import ServicePoint
from tongban.directory.roles import Role
from tongban.directory.services import manageable_service_points
from tongban.queueing import services
from tongban.queueing.access import check_hall_oversight, works_at
from tongban.queueing.charts import plan_chart
from tongban.queueing.choices import TicketStatus
from tongban.queueing.demand import learned_demand
from tongban.queueing.display import board, window_panel
from tongban.queueing.models import Ticket
from tongban.queueing.planner import CHECK_SIMULATION_MINUTES, DEFAULT_TARGET_SHARE, DEFAULT_WITHIN_MINUTES, plan_hall
from tongban.queueing.ticket_status import ticket_status

HTMX_STOP_POLLING = 286
# The panel's buttons: action name → service function.
PANEL_STEPS = {
    "recall": services.recall,
    "start": services.start,
    "finish": services.finish,
    "no_show": services.no_show,
}


def hall_or_404(code: str) -> ServicePoint:
    point = ServicePoint.objects.filter(code=code, is_active=True).first()
    if point is None:
        raise Http404
    return point


def display(request, code):
    """The hall's big screen: the board reloads itself every few seconds (htmx polling)."""
    point = hall_or_404(code)
    return render(request, "queueing/display.html", {"board": board(point), "point": point})


def display_board(request, code):
    return render(request, "queueing/_board.html", {"board": board(hall_or_404(code))})


def _ticket(code: str, number: str) -> Ticket:
    ticket = (
        Ticket.objects.select_related("service_point", "window", "applicant")
        .filter(service_point__code=code, day=timezone.localdate(), number=number.upper())
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def _ticket_context(request, code, number) -> dict:
    ticket = _ticket(code, number)
    mine = (
        request.user.is_authenticated and ticket.applicant is not None and ticket.applicant.user_id == request.user.pk
    )
    return {"nav": "bookings", "status": ticket_status(ticket), "ticket": ticket, "mine": mine}


def ticket_page(request, code, number):
    """A visitor's ticket today (number, people ahead, predicted wait, the window calling it), updating itself."""
    return render(request, "queueing/ticket.html", _ticket_context(request, code, number))


def ticket_part(request, code, number):
    context = _ticket_context(request, code, number)
    done = context["ticket"].status in (TicketStatus.FINISHED, TicketStatus.NO_SHOW)
    # htmx stops polling on 286: nothing will change any more.
    return render(request, "queueing/_ticket.html", context, status=HTMX_STOP_POLLING if done else 200)


def _panel_context(request, error: str = "") -> dict:
    actor = actor_of(request.user)
    if Role.CLERK not in actor.roles or actor.service_point is None:
        raise PermissionDenied
    return {"nav": "queue", **window_panel(request.user, actor.service_point), "error": error}


@login_required
def panel(request):
    return render(request, "queueing/panel.html", _panel_context(request))


@login_required
@require_POST
def panel_action(request, action):
    """Every button of the panel: calls the service, then shows the panel again (the error, if any, on top)."""
    error = ""
    try:
        if action == "open":
            services.open_window(by=request.user, window_id=int(request.POST.get("window", 0)))
        elif action == "close":
            services.close_window(by=request.user)
        elif action == "call_next":
            if services.call_next(by=request.user) is None:
                error = _("当前没有本窗口可办理的等候号。")
        elif action == "transfer":
            services.transfer(
                int(request.POST["ticket"]), by=request.user, to_window_id=int(request.POST.get("window", 0))
            )
        elif action in PANEL_STEPS:
            PANEL_STEPS[action](int(request.POST["ticket"]), by=request.user)
        else:
            raise Http404
    except ServiceError as exc:
        error = exc.message
    except (KeyError, ValueError):
        error = _("请求不完整，请刷新页面后重试。")
    if not request.headers.get("HX-Request"):
        return redirect("queueing:panel")
    return render(request, "queueing/_panel.html", _panel_context(request, error))


@login_required
def planner_index(request):
    actor = actor_of(request.user)
    if request.user.is_superuser or Role.SUPERVISOR in actor.roles:
        halls = ServicePoint.objects.filter(is_active=True, level__in=["city_hall", "county_hall", "branch"])
    elif Role.HALL_ADMIN in actor.roles:
        halls = manageable_service_points(request.user).filter(is_active=True)
    else:
        raise PermissionDenied
    halls = list(halls.select_related("region").order_by("region__code", "name"))
    kiosks = {hall.code for hall in halls if works_at(request.user, hall)}
    context = {"nav": "planner", "halls": halls, "kiosks": kiosks}
    return render(request, "queueing/planner_index.html", context)


def _share(value, default: float, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return min(high, max(low, number))


@login_required
def planner(request, code):
    point = hall_or_404(code)
    try:
        check_hall_oversight(request.user, point)
    except ServiceError as exc:
        raise PermissionDenied(exc.message) from None
    target = _share(request.GET.get("target"), DEFAULT_TARGET_SHARE * 100, 5, 99) / 100
    within = _share(request.GET.get("within"), DEFAULT_WITHIN_MINUTES, 1, 120)
    groups, days = learned_demand(point)
    plan = plan_hall(groups, target_share=target, within=within, simulate_minutes=CHECK_SIMULATION_MINUTES)
    context = {
        "nav": "planner",
        "point": point,
        "plan": plan,
        "days": days,
        "chart": plan_chart(plan),
        "target_percent": round(target * 100),
        "within": within,
    }
    if plan.hours:
        context["peak"] = plan.peak
    return render(request, "queueing/planner.html", context)
