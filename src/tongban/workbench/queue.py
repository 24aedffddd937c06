"""The queue at the clerk's window: the calling panel on the workbench, and the intake of the visitor called.

Calling goes through the queue panel's own actions (``queueing.views.panel_action``); starting the
intake marks the ticket as being served (``queueing.services.start``) and opens the intake for the
visitor: straight to the item when the ticket knows who they are (a booking), else to identification.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.cases.permissions import actor_of
from tongban.catalog.choices import BundleStatus
from tongban.catalog.models import Bundle
from tongban.core.errors import ServiceError
from tongban.directory.roles import Role
from tongban.queueing import services as queueing
from tongban.queueing.choices import TicketStatus
from tongban.queueing.display import window_panel
from tongban.queueing.models import Ticket, start_of_day
from tongban.workbench.access import role_required


def panel_for(user) -> dict:
    """The calling panel's context for a clerk of a hall; nothing for others (proxy agents do not call)."""
    actor = actor_of(user)
    if Role.CLERK not in actor.roles or actor.service_point is None:
        return {}
    return window_panel(user, actor.service_point)


@role_required(Role.CLERK)
@require_POST
def ticket_intake(request, pk):
    ticket = get_object_or_404(Ticket.objects.select_related("applicant", "booking__department__region"), pk=pk)
    try:
        session = queueing.current_session(request.user)
        if ticket.window_id != session.window_id:
            messages.error(request, _("该号不在您的窗口。"))
            return redirect("workbench:start")
        if ticket.status == TicketStatus.CALLED:  # the visitor has come to the window
            queueing.start(ticket.pk, by=request.user)
        elif ticket.status != TicketStatus.SERVING:
            messages.error(request, _("该号当前状态为“%s”，不能受理。") % ticket.get_status_display())
            return redirect("workbench:start")
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("workbench:start")
    if ticket.applicant is None:  # a walk-in: identify them first, then straight on to their item
        context = {"number": ticket.number, "item": ticket.subject}
        messages.info(request, _("请核验 %(number)s 号申请人的身份后受理“%(item)s”。") % context)
        return redirect(f"{reverse('workbench:start')}?{urlencode({'ticket': ticket.pk})}")
    return redirect(intake_url(ticket, ticket.applicant_id))


def serving_ticket(user, pk: str) -> Ticket | None:
    """The ticket ``pk`` if this user is serving it at their window now (else None: it is only a hint)."""
    if not pk.isdigit():
        return None
    serving = Ticket.objects.select_related("booking__department__region").filter(
        pk=pk,
        status=TicketStatus.SERVING,
        staff=user,
        window__sessions__staff=user,
        window__sessions__closed_at=None,
        window__sessions__opened_at__gte=start_of_day(),  # a session left open overnight serves nobody today
    )
    return serving.first()


def intake_url(ticket: Ticket, applicant_id: int) -> str:
    """The intake of the ticket's item, or of the 一件事 it came for (while it is still offered), in the booked
    department's jurisdiction."""
    booking = ticket.booking if ticket.booking_id else None
    if ticket.bundle_code and Bundle.objects.filter(code=ticket.bundle_code, status=BundleStatus.PUBLISHED).exists():
        intake = reverse("workbench:bundle_intake", args=[applicant_id, ticket.bundle_code])
    else:
        intake = reverse("workbench:intake", args=[applicant_id, ticket.item_code])
    return f"{intake}?{urlencode({'region': booking.department.region.code})}" if booking else intake
