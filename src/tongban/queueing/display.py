"""What the hall's big screen and the clerk's panel show."""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone

from tongban.directory.models import ServicePoint, Window
from tongban.queueing.choices import TicketAction, TicketStatus
from tongban.queueing.models import Ticket, WindowSession
from tongban.queueing.services import call_key, callable_tickets

CALLED_ON_SCREEN = 8
NEXT_ON_SCREEN = 10


@dataclass
class Board:
    point: ServicePoint
    called: list[Ticket]  # latest first: number and window
    waiting: list[Ticket]  # the next in the hall's calling order (a zone window picks its own share of them)
    waiting_count: int
    served_today: int
    updated_at: datetime.datetime


def board(point: ServicePoint, now: datetime.datetime | None = None) -> Board:
    now = now or timezone.now()
    today = Ticket.objects.filter(service_point=point, day=timezone.localdate(now))
    # A recall puts the ticket back at the top, as the hall announces it again.
    last_called = Max("events__at", filter=Q(events__action__in=[TicketAction.CALL, TicketAction.RECALL]))
    called = list(
        today.filter(status__in=[TicketStatus.CALLED, TicketStatus.SERVING])
        .select_related("window")
        .annotate(last_called=last_called)
        .order_by("-last_called", "-called_at")[:CALLED_ON_SCREEN]
    )
    waiting = sorted(today.filter(status=TicketStatus.WAITING), key=lambda ticket: call_key(ticket, None, now))
    return Board(
        point=point,
        called=called,
        waiting=waiting[:NEXT_ON_SCREEN],
        waiting_count=len(waiting),
        served_today=today.filter(status=TicketStatus.FINISHED).count(),
        updated_at=now,
    )


def window_panel(user, point: ServicePoint, now: datetime.datetime | None = None) -> dict:
    """The clerk's panel: their window (if open), the ticket at it, the windows free to open, the hall's board."""
    now = now or timezone.now()
    session = WindowSession.objects.select_related("window").filter(staff=user).open_today(now).first()
    current = None
    if session is not None:
        current = (
            Ticket.objects.filter(window=session.window, status__in=[TicketStatus.CALLED, TicketStatus.SERVING])
            .select_related("applicant", "booking")
            .order_by("-called_at")
            .first()
        )
    taken = set(
        WindowSession.objects.filter(window__service_point=point).open_today(now).values_list("window_id", flat=True)
    )
    windows = list(Window.objects.filter(service_point=point, is_active=True).order_by("number"))
    return {
        "point": point,
        "session": session,
        "current": current,
        "windows": windows,
        "free_windows": [w for w in windows if w.pk not in taken],
        "other_windows": [w for w in windows if session and w.pk != session.window_id],
        "waiting_here": len(callable_tickets(session.window, now)) if session else None,
        "board": board(point, now),
    }
