"""What the hall's big screen and the clerk's panel show."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from tongban.directory.models import ServicePoint
from tongban.queueing.choices import TicketStatus
from tongban.queueing.models import Ticket

CALLED_ON_SCREEN = 8
NEXT_ON_SCREEN = 10


@dataclass
class Board:
    point: ServicePoint
    called: list[Ticket]  # latest first: number and window
    waiting: list[Ticket]  # in order of issue (each window picks its own next)
    waiting_count: int
    served_today: int
    updated_at: datetime.datetime


def board(point: ServicePoint, now: datetime.datetime | None = None) -> Board:
    now = now or timezone.now()
    today = Ticket.objects.filter(service_point=point, day=timezone.localdate(now))
    called = list(
        today.filter(status__in=[TicketStatus.CALLED, TicketStatus.SERVING])
        .select_related("window")
        .order_by("-called_at")[:CALLED_ON_SCREEN]
    )
    waiting = today.filter(status=TicketStatus.WAITING).order_by("due_at", "sequence")
    return Board(
        point=point,
        called=called,
        waiting=list(waiting[:NEXT_ON_SCREEN]),
        waiting_count=waiting.count(),
        served_today=today.filter(status=TicketStatus.FINISHED).count(),
        updated_at=now,
    )
