"""Where one ticket stands: the people a window will call first and the predicted wait.

People ahead are the waiting tickets that some window able to serve this one would call first
(``services.call_key`` order, seen from that window); the wait drains their service minutes, and
what is left of those at the windows, at the hall's open windows (``policy.predict_wait``).
"""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from tongban.directory.models import Window
from tongban.queueing import policy
from tongban.queueing.choices import TicketStatus
from tongban.queueing.models import Ticket, WindowSession
from tongban.queueing.service_times import ServiceTimes
from tongban.queueing.services import call_key

# Every waiting visitor's page asks every few seconds; the learned service times change slowly.
SERVICE_TIMES_KEY = "tongban:queueing:service-times"
SERVICE_TIMES_SECONDS = 60


@dataclass(frozen=True)
class TicketStatusView:
    ticket: Ticket
    ahead: int | None  # people called before this ticket; None once it is no longer waiting
    wait_minutes: float | None  # None when no window serving it is open
    updated_at: datetime.datetime


def ticket_status(ticket: Ticket, now: datetime.datetime | None = None) -> TicketStatusView:
    now = now or timezone.now()
    if ticket.status != TicketStatus.WAITING:
        return TicketStatusView(ticket, None, None, now)
    windows = [
        w
        for w in Window.objects.filter(service_point_id=ticket.service_point_id, is_active=True)
        if ticket.served_by(w)
    ]
    staffed = set(WindowSession.objects.filter(window__in=windows).open_today(now).values_list("window_id", flat=True))
    # Before any clerk signs in, every serving window counts as open (as the recommendation assumes).
    open_windows = [w for w in windows if w.pk in staffed] or windows
    today = Ticket.objects.filter(service_point_id=ticket.service_point_id, day=ticket.day).exclude(pk=ticket.pk)
    ahead = [
        other
        for other in today.filter(status=TicketStatus.WAITING)
        if any(_first(other, ticket, window, now) for window in open_windows)
    ]
    times = cache.get_or_set(SERVICE_TIMES_KEY, lambda: ServiceTimes(now), SERVICE_TIMES_SECONDS)
    backlog = sum(times.visit(t.service_group, t.along_with, ticket.service_point_id) for t in ahead)
    at_windows = today.filter(status__in=[TicketStatus.CALLED, TicketStatus.SERVING], window__in=open_windows).only(
        "service_group", "along_with", "called_at", "started_at"
    )
    for busy in at_windows:
        mean = times.visit(busy.service_group, busy.along_with, ticket.service_point_id)
        elapsed = (now - (busy.started_at or busy.called_at or now)).total_seconds() / 60
        backlog += policy.remaining_minutes(mean, elapsed)
    hall = policy.HallSnapshot(
        code="", name="", lat=0.0, lng=0.0, windows=len(open_windows), backlog_minutes=backlog, waiting=len(ahead)
    )
    wait = policy.predict_wait(hall, 0.0) if open_windows else None
    return TicketStatusView(ticket, len(ahead), wait, now)


def _first(other: Ticket, ticket: Ticket, window: Window, now: datetime.datetime) -> bool:
    """Whether ``window`` (which serves ``ticket``) would call ``other`` before it."""
    if other.transferred_to_id not in (None, window.pk):
        return False
    if not other.served_by(window):
        return False
    return call_key(other, window, now) < call_key(ticket, window, now)
