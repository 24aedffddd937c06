"""Demo data for appointments and the queue (DEMO DATA): per-item visit settings, booking settings
for the 23 halls, and a few past working days of finished tickets at two halls, so that learned
service times, the wait prediction and the staffing planner have something to work on.

Idempotent and non-destructive: settings are created only where missing, history only for halls
that have no tickets yet, today's waiting tickets only when the hall has none today. The history
is simulated (``queueing.simulation``) with a fixed seed, so every load writes the same rows
relative to the day it runs.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from tongban.appointments.models import BookingSettings, VisitProfile
from tongban.catalog.models import Item
from tongban.directory.models import ServicePoint
from tongban.queueing.choices import TicketStatus
from tongban.queueing.models import Ticket
from tongban.queueing.services import issue_ticket
from tongban.queueing.simulation import Hall, Visitor, service_sampler
from tongban.workdays.services import Calendar

# (item name, share of visitors, mean service minutes, coefficient of variation, slots per visit)
VISIT_MIX = [
    ("企业设立登记", 0.12, 16, 0.8, 2),
    ("食品经营许可", 0.10, 12, 0.8, 1),
    ("居住证签发", 0.16, 8, 0.7, 1),
    ("社会保障卡申领", 0.14, 6, 0.6, 1),
    ("城乡居民基本医疗保险参保登记", 0.12, 7, 0.7, 1),
    ("住房公积金提取", 0.12, 10, 0.9, 1),
    ("不动产转移登记", 0.08, 25, 1.2, 2),
    ("发票领用", 0.16, 8, 0.7, 1),
]
HISTORY_HALLS = {"fz-gulou": 110, "fz-city": 160}  # visitors per day
HISTORY_DAYS = 10
STAFFED_GENERAL = {"fz-gulou": 6, "fz-city": 8}
# People per hour from 08:30 (relative).
HOURLY = [1.0, 1.4, 1.5, 1.0, 0.5, 0.8, 1.3, 1.2, 0.8]
WAITING_TODAY = 8


def load_queue_demo(points: dict[str, ServicePoint]) -> None:
    items = {i.name: i for i in Item.objects.in_force().filter(name__in=[m[0] for m in VISIT_MIX])}
    for name, _share, minutes, _cv, slots in VISIT_MIX:
        if name in items:
            VisitProfile.objects.get_or_create(
                item_code=items[name].code, defaults={"service_minutes": minutes, "slots_per_visit": slots}
            )
    for point in points.values():
        if point.level in {"city_hall", "county_hall", "branch"}:
            BookingSettings.objects.get_or_create(service_point=point)
    today = timezone.localdate()
    for code, per_day in HISTORY_HALLS.items():
        point = points[code]
        if not Ticket.objects.filter(service_point=point).exists():
            _history(point, items, per_day, today)
        if not Ticket.objects.filter(service_point=point, day=today).exists():
            _waiting_today(point, items)


def _past_working_days(today: datetime.date) -> list[datetime.date]:
    calendar = Calendar(today - datetime.timedelta(days=HISTORY_DAYS * 3), today)
    days, day = [], today - datetime.timedelta(days=1)
    while len(days) < HISTORY_DAYS:
        if calendar.is_working_day(day):
            days.append(day)
        day -= datetime.timedelta(days=1)
    return sorted(days)


def _history(point: ServicePoint, items: dict[str, Item], per_day: int, today: datetime.date) -> None:
    rng = random.Random(f"tongban-demo-{point.code}")
    mix = [m for m in VISIT_MIX if m[0] in items]
    samplers = {m[0]: service_sampler(m[2], m[3]) for m in mix}
    windows = list(point.windows.filter(is_active=True).order_by("number"))
    general = [w for w in windows if w.kind == "general"][: STAFFED_GENERAL[point.code]]
    zones = [w for w in windows if w.kind == "zone"][::3]  # a third of the zone windows are staffed
    staffed = general + zones
    rows = []
    for day in _past_working_days(today):
        opening = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 30)))
        visitors = []
        for _n in range(per_day):
            hour = rng.choices(range(len(HOURLY)), HOURLY)[0]
            name = rng.choices([m[0] for m in mix], [m[1] for m in mix])[0]
            visitor = Visitor(hour * 60 + rng.random() * 60, samplers[name](rng), items[name].authority_kind)
            visitors.append((visitor, items[name]))
        visitors.sort(key=lambda pair: pair[0].arrive)
        hall = Hall([None if w.kind == "general" else frozenset(w.zone_authorities) for w in staffed])
        for visitor, _item in visitors:
            hall.arrive(visitor)
        hall.advance(float("inf"))
        for sequence, (visitor, item) in enumerate(visitors, start=1):
            at = opening + datetime.timedelta(minutes=visitor.arrive)
            called = opening + datetime.timedelta(minutes=visitor.start)
            finished = called + datetime.timedelta(minutes=visitor.service)
            rows.append(
                Ticket(
                    service_point=point,
                    day=day,
                    sequence=sequence,
                    number=f"A{sequence:03d}",
                    item_code=item.code,
                    item_name=item.name,
                    authority_kind=item.authority_kind,
                    service_group=item.authority_kind,
                    status=TicketStatus.FINISHED,
                    due_at=at,
                    issued_at=at,
                    called_at=called,
                    started_at=called,
                    finished_at=finished,
                    window=staffed[visitor.window],
                    wait_seconds=int((called - at).total_seconds()),
                    service_seconds=int(visitor.service * 60),
                )
            )
    Ticket.objects.bulk_create(rows, batch_size=500)


def _waiting_today(point: ServicePoint, items: dict[str, Item]) -> None:
    """A few people waiting now, taken through the queue service like any walk-in."""
    kiosk = get_user_model().objects.get(username="admin")
    names = [m[0] for m in VISIT_MIX if m[0] in items]
    for n in range(WAITING_TODAY):
        issue_ticket(by=kiosk, point_code=point.code, item_code=items[names[n % len(names)]].code)
