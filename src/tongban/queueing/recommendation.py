"""The best hall for an item or bundle: eligible points, a snapshot of their queues, the policy's choice.

The snapshot is what ``policy`` needs and nothing more: open windows serving the item, the service
minutes ahead (waiting tickets and what is left of those at the windows, from learned service
times), booked visitors due in the next hours, recommended people not yet arrived, and the service
minutes of walk-in tickets issued in the last half hour (the rate at which people not known yet join). Taking a
recommendation records a ``Referral`` so the next person's prediction counts this one.
"""

import datetime
import random
import secrets
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.appointments.choices import BookingStatus
from tongban.appointments.eligibility import eligible_points_for
from tongban.appointments.models import Booking
from tongban.appointments.services import Visit, hours_weekday, visit_of
from tongban.catalog.models import Item
from tongban.core.errors import InvalidInput
from tongban.directory.models import ServicePoint, Window
from tongban.directory.roles import user_roles
from tongban.queueing import policy
from tongban.queueing.choices import OPEN_STATUSES, TicketKind, TicketStatus
from tongban.queueing.models import Referral, Ticket, WindowSession
from tongban.queueing.service_times import ServiceTimes, service_group_of
from tongban.queueing.services import end_trips_of

HORIZON = datetime.timedelta(hours=3)  # booked visitors this far ahead count
LATE_BOOKED = datetime.timedelta(minutes=30)  # booked visitors this late may still come
REFERRAL_GRACE = datetime.timedelta(minutes=30)  # a referral counts this long past its expected arrival


def _minutes(delta: datetime.timedelta) -> float:
    return delta.total_seconds() / 60


def hall_snapshots(
    items: list[Item],
    points: list[ServicePoint],
    *,
    now: datetime.datetime,
    times: ServiceTimes | None = None,
    going_now: bool = False,
) -> list[policy.HallSnapshot]:
    """The queue state of ``points`` as seen by someone who needs all of ``items`` (in six queries, and
    one for today's opening hours when the person is ``going_now``)."""
    times = times or ServiceTimes(now)
    hours = _hours_left_today(points, now) if going_now else {}
    ids = [p.pk for p in points]
    windows: dict[int, list[Window]] = {}
    for window in Window.objects.filter(service_point_id__in=ids, is_active=True):
        windows.setdefault(window.service_point_id, []).append(window)
    staffed = set(
        WindowSession.objects.filter(window__service_point_id__in=ids)
        .open_today(now)
        .values_list("window_id", flat=True)
    )
    lately = now - datetime.timedelta(minutes=policy.WALK_IN_RATE_MINUTES)
    tickets: dict[int, list[Ticket]] = {}
    walk_in_minutes: dict[int, float] = {}
    for ticket in Ticket.objects.filter(
        Q(status__in=OPEN_STATUSES) | Q(kind=TicketKind.WALK_IN, issued_at__gt=lately, issued_at__lte=now),
        service_point_id__in=ids,
        day=timezone.localdate(now),
    ):
        point_id = ticket.service_point_id
        if ticket.status in OPEN_STATUSES:
            tickets.setdefault(point_id, []).append(ticket)
        if ticket.kind == TicketKind.WALK_IN and lately < ticket.issued_at <= now:
            walk_in_minutes[point_id] = walk_in_minutes.get(point_id, 0.0) + times.visit(
                ticket.service_group, ticket.along_with, point_id
            )
    # Per point: (arrival, [[item code, authority kind], …]), kept only where a window serving the request serves
    # every item the arrival takes in.
    arrivals: dict[int, list[tuple[policy.Arrival, list]]] = {}
    for point_id, starts_at, ends_at, kind, item_code, bundle_code in Booking.objects.filter(
        service_point_id__in=ids,
        status=BookingStatus.BOOKED,
        starts_at__gte=now - LATE_BOOKED,
        starts_at__lt=now + HORIZON,
    ).values_list("service_point_id", "starts_at", "ends_at", "department__kind", "item_code", "bundle_code"):
        # a bundle's visit takes in several items: as long as it booked
        work = _minutes(ends_at - starts_at) if bundle_code else times.get(kind, point_id).minutes
        arrival = policy.Arrival(_minutes(starts_at - now), work, booked=True)
        arrivals.setdefault(point_id, []).append((arrival, [[item_code, kind]]))
    for point_id, expected_at, group, item_code, kind, along_with in Referral.objects.filter(
        service_point_id__in=ids, arrived_at__isnull=True, expires_at__gt=now
    ).values_list("service_point_id", "expected_at", "service_group", "item_code", "authority_kind", "along_with"):
        work = times.visit(group, along_with, point_id)
        arriving = policy.Arrival(_minutes(expected_at - now), work)
        arrivals.setdefault(point_id, []).append((arriving, [[item_code, kind], *along_with]))

    groups = [service_group_of(item) for item in items]
    snapshots = []
    for point in points:
        serving = [w for w in windows.get(point.pk, []) if w.serves_all(items)]
        point_staffed = any(w.pk in staffed for w in windows.get(point.pk, []))
        # Before any clerk signs in today, the point is assumed to staff every window.
        open_windows = [w for w in serving if w.pk in staffed] if point_staffed else serving
        backlog, waiting = 0.0, 0
        for ticket in tickets.get(point.pk, []):
            mean = times.visit(ticket.service_group, ticket.along_with, point.pk)
            if ticket.status == TicketStatus.WAITING:
                if any(ticket.served_by(w) for w in serving):
                    backlog += mean
                    waiting += 1
            elif ticket.window_id in {w.pk for w in open_windows}:
                began = ticket.started_at or ticket.called_at or now
                backlog += policy.remaining_minutes(mean, _minutes(now - began))
        snapshots.append(
            policy.HallSnapshot(
                code=point.code,
                name=point.name,
                lat=float(point.latitude),
                lng=float(point.longitude),
                windows=len(open_windows),
                backlog_minutes=backlog,
                waiting=waiting,
                arrivals=tuple(
                    arrival
                    for arrival, taken_in in arrivals.get(point.pk, [])
                    if any(_serves_all(w, taken_in) for w in serving)
                ),
                service_minutes=sum(times.get(g, point.pk).minutes for g in groups),
                walk_in_rate=walk_in_minutes.get(point.pk, 0.0) / policy.WALK_IN_RATE_MINUTES,
                hours=hours.get(point.pk),
            )
        )
    return snapshots


def _serves_all(window: Window, items: list) -> bool:
    return all(window.serves(item_code=code, authority_kind=kind) for code, kind in items)


def _hours_left_today(points: list[ServicePoint], now: datetime.datetime) -> dict[int, tuple]:
    """Per point, today's opening periods not over yet, in minutes from ``now`` (none on a holiday)."""
    prefetch_related_objects(points, "opening_periods")
    today = timezone.localdate(now)
    weekday = hours_weekday(today)

    def minutes_at(moment: datetime.time) -> float:
        return _minutes(timezone.make_aware(datetime.datetime.combine(today, moment)) - now)

    return {
        point.pk: tuple(
            (minutes_at(period.opens), minutes_at(period.closes))
            for period in sorted(point.opening_periods.all(), key=lambda period: period.opens)
            if period.weekday == weekday and minutes_at(period.closes) > 0
        )
        for point in points
    }


@dataclass
class Recommendation:
    options: list[policy.Option]
    chosen: policy.Option | None
    referral: Referral | None
    staffed: int  # eligible points with a window for the request, open today or not

    @property
    def reason(self) -> str:
        if self.chosen is not None:
            return policy.reason_for(self.chosen, self.options)
        if self.staffed:
            return _("可办理的网点今天已停止办公或来不及办理，请预约其他时间。")
        return _("暂无可办理该事项的开放网点。")


def _coordinate(value, low: float, high: float, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise InvalidInput(_("请提供有效的位置（经纬度）。"), code="invalid_location", details={field: [_("无效")]})
    return number


class Ranking(NamedTuple):
    visit: Visit  # what one window takes in: the item, or the 一件事's items that start at once
    points: list[ServicePoint]  # every point that can handle the item, or every item of the 一件事, for the applicant
    snapshots: list[policy.HallSnapshot]
    options: list[policy.Option]  # those worth going to, by the person's own travel + wait


def ranked_halls(
    *,
    region_code: str,
    lat,
    lng,
    item_code: str = "",
    bundle_code: str = "",
    now: datetime.datetime | None = None,
    going_now: bool = False,
) -> Ranking:
    """The eligible halls by expected total time, without taking a recommendation. A hall is eligible when it
    can handle every item (of a 一件事, those started later too: the case is taken in whole); the wait is for a
    window taking in the visit's items together. For someone ``going_now``, only halls that will call them
    today; a booking comes at its slot, whatever today's hours."""
    lat, lng = _coordinate(lat, -90, 90, "lat"), _coordinate(lng, -180, 180, "lng")
    items, points = eligible_points_for(region_code=region_code, item_code=item_code, bundle_code=bundle_code)
    visit = visit_of(bundle_code=bundle_code) if bundle_code else Visit(items[0])
    snapshots = hall_snapshots([visit.item, *visit.along_with], points, now=now or timezone.now(), going_now=going_now)
    return Ranking(visit, points, snapshots, policy.rank(snapshots, lat, lng))


@transaction.atomic
def recommend(
    *,
    region_code: str,
    lat,
    lng,
    item_code: str = "",
    bundle_code: str = "",
    rng: random.Random | None = None,
    now: datetime.datetime | None = None,
    by=None,
) -> Recommendation:
    """Rank the halls that can handle the item (or every item of the bundle) for the applicant's jurisdiction.

    The hall chosen counts the person on their way. Asked by a citizen or enterprise account (``by``), it is their
    trip: it replaces the one they had (asking again is not a second person) and its ticket is theirs. Staff
    asking for visitors leave each recommendation unowned."""
    now = now or timezone.now()
    visit, points, snapshots, options = ranked_halls(
        region_code=region_code,
        lat=lat,
        lng=lng,
        item_code=item_code,
        bundle_code=bundle_code,
        now=now,
        going_now=True,
    )
    chosen = policy.choose(options, rng or random.Random())
    referral = None
    if chosen is not None:
        point = next(p for p in points if p.code == chosen.hall.code)
        traveller = by if by is not None and by.is_authenticated and not user_roles(by) else None
        if traveller is not None:
            end_trips_of(traveller, now)
        referral = hold_referral(visit, point, travel_minutes=chosen.travel_minutes, now=now, by=traveller)
    return Recommendation(options, chosen, referral, staffed=sum(1 for s in snapshots if s.windows > 0))


def hold_referral(visit: Visit, point: ServicePoint, *, travel_minutes: float, now: datetime.datetime, by=None):
    """Someone sets off for ``point`` for an item, or a 一件事's starting items at once: counted there until they
    arrive, or REFERRAL_GRACE after they are due."""
    expected = now + datetime.timedelta(minutes=travel_minutes)
    return Referral.objects.create(
        token=secrets.token_hex(8),
        service_point=point,
        item_code=visit.item.code,
        bundle_code=visit.bundle.code if visit.bundle else "",
        along_with=[[other.code, other.authority_kind] for other in visit.along_with],
        service_group=service_group_of(visit.item),
        authority_kind=visit.item.authority_kind,
        created_at=now,
        expected_at=expected,
        expires_at=expected + REFERRAL_GRACE,
        created_by=by,
    )


@transaction.atomic
def set_off(
    *,
    by,
    region_code: str,
    lat,
    lng,
    point_code: str,
    item_code: str = "",
    bundle_code: str = "",
    now: datetime.datetime | None = None,
) -> Referral:
    """现在去办: the person picks one of the halls ranked for going now, for an item or a 一件事, and sets off.
    Counted on the way there; a trip taken before and not yet ended is given up (one trip at a time)."""
    now = now or timezone.now()
    ranking = ranked_halls(
        region_code=region_code,
        lat=lat,
        lng=lng,
        item_code=item_code,
        bundle_code=bundle_code,
        now=now,
        going_now=True,
    )
    option = next((o for o in ranking.options if o.hall.code == point_code), None)
    if option is None:
        raise InvalidInput(
            _("所选大厅今天已来不及办理或不能办理该事项，请从推荐列表中选择。"),
            code="hall_not_available",
            details={"service_point": [_("不在推荐列表中")]},
        )
    end_trips_of(by, now)
    point = next(p for p in ranking.points if p.code == point_code)
    return hold_referral(ranking.visit, point, travel_minutes=option.travel_minutes, now=now, by=by)
