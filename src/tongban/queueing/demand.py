"""The planner's inputs for a hall, learned from its tickets: arrivals per hour and service times per group."""

import datetime

from django.utils import timezone

from tongban.directory.choices import AuthorityKind
from tongban.directory.models import ServicePoint
from tongban.queueing.models import Ticket
from tongban.queueing.planner import GroupDemand
from tongban.queueing.service_times import LEARNING_DAYS, ServiceTimes


def learned_demand(point: ServicePoint, *, now: datetime.datetime | None = None) -> tuple[list[GroupDemand], int]:
    """Mean arrivals per hour of day and group over the days with tickets in the learning window; those days."""
    now = now or timezone.now()
    since = timezone.localdate(now) - datetime.timedelta(days=LEARNING_DAYS)
    tickets = Ticket.objects.filter(service_point=point, day__gte=since, day__lt=timezone.localdate(now))
    days = tickets.values("day").distinct().count()
    if not days:
        return [], 0
    counts: dict[str, dict[int, float]] = {}
    for row in tickets.values("service_group", "issued_at"):
        hour = timezone.localtime(row["issued_at"]).hour
        per_hour = counts.setdefault(row["service_group"], {})
        per_hour[hour] = per_hour.get(hour, 0) + 1
    times = ServiceTimes(now)
    groups = []
    for group, per_hour in sorted(counts.items()):
        learned = times.get(group, point.pk)
        groups.append(
            GroupDemand(
                group=group,
                label=str(AuthorityKind(group).label) if group in AuthorityKind.values else group,
                per_hour={hour: n / days for hour, n in per_hour.items()},
                service_minutes=learned.minutes,
                cv=learned.cv,
                source=learned.source,
            )
        )
    return groups, days
