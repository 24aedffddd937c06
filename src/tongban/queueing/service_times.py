"""Service times learned from finished tickets, per service-time group (and hall, with enough data).

Falls back from the hall's own tickets to the city's, then to the minutes entered per item
(``appointments.VisitProfile``), then to the default. A 一件事's ticket takes in several items in one
service time, so it teaches no group's time; its visit is timed as the sum of its items'.
"""

import datetime
import functools
import math
from dataclasses import dataclass

from django.db.models import Count, F, Sum
from django.utils import timezone

from tongban.appointments.models import DEFAULT_SERVICE_MINUTES, VisitProfile
from tongban.catalog.models import Item
from tongban.queueing.choices import TicketStatus
from tongban.queueing.models import Ticket

LEARNING_DAYS = 28
MIN_SAMPLES = 20


def service_group_of(item: Item, profile: VisitProfile | None = None) -> str:
    if profile is None:
        profile = VisitProfile.objects.filter(item_code=item.code).first()
    return (profile.service_group if profile else "") or item.authority_kind


@dataclass(frozen=True)
class ServiceTime:
    minutes: float
    cv: float  # coefficient of variation (1 for exponential); 1 when unknown
    samples: int
    source: str  # "hall", "city", "entered"


class ServiceTimes:
    """All groups' learned times in one query, then answered from memory."""

    def __init__(self, now: datetime.datetime | None = None, *, entered: dict[str, float] | None = None):
        since = (now or timezone.now()) - datetime.timedelta(days=LEARNING_DAYS)
        rows = (
            Ticket.objects.filter(
                status=TicketStatus.FINISHED, finished_at__gte=since, service_seconds__isnull=False, bundle_code=""
            )
            .values("service_point_id", "service_group")
            .annotate(
                n=Count("id"), total=Sum("service_seconds"), squares=Sum(F("service_seconds") * F("service_seconds"))
            )
        )
        self.by_hall: dict[tuple[int, str], tuple[int, float, float]] = {}
        self.by_city: dict[str, list[float]] = {}
        for row in rows:
            n, total, squares = row["n"], float(row["total"]), float(row["squares"])
            self.by_hall[(row["service_point_id"], row["service_group"])] = (n, total, squares)
            city = self.by_city.setdefault(row["service_group"], [0, 0.0, 0.0])
            city[0], city[1], city[2] = city[0] + n, city[1] + total, city[2] + squares
        self.entered = entered if entered is not None else self._entered_by_group()

    @staticmethod
    def _entered_by_group() -> dict[str, float]:
        """Mean entered minutes per group over the items that have a profile."""
        sums: dict[str, list[float]] = {}
        codes = dict(VisitProfile.objects.values_list("item_code", "service_minutes"))
        groups = dict(VisitProfile.objects.exclude(service_group="").values_list("item_code", "service_group"))
        for code, kind in Item.objects.in_force().filter(code__in=codes).values_list("code", "authority_kind"):
            entry = sums.setdefault(groups.get(code) or kind, [0, 0.0])
            entry[0], entry[1] = entry[0] + 1, entry[1] + codes[code]
        return {group: total / n for group, (n, total) in sums.items()}

    def get(self, group: str, point_id: int | None = None) -> ServiceTime:
        for source, stats in (("hall", self.by_hall.get((point_id, group))), ("city", self.by_city.get(group))):
            if stats and stats[0] >= MIN_SAMPLES:
                n, total, squares = stats
                mean = total / n
                variance = max(0.0, squares / n - mean * mean)
                return ServiceTime(mean / 60, math.sqrt(variance) / mean if mean else 1.0, int(n), source)
        return ServiceTime(float(self.entered.get(group, DEFAULT_SERVICE_MINUTES)), 1.0, 0, "entered")

    @functools.cached_property
    def _groups_of_items(self) -> dict[str, str]:
        """Item code → service-time group, for the items whose profile names one (others go by their kind)."""
        return dict(VisitProfile.objects.exclude(service_group="").values_list("item_code", "service_group"))

    def visit(self, group: str, along_with: list, point_id: int | None = None) -> float:
        """Expected minutes of a visit for an item of ``group`` and the items taken in ``along_with`` it
        (``Ticket.along_with``: [item code, authority kind] of each)."""
        minutes = self.get(group, point_id).minutes
        for code, kind in along_with:
            minutes += self.get(self._groups_of_items.get(code) or kind, point_id).minutes
        return minutes
