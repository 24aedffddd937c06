"""Bookings: capacity from opening hours and the working-day calendar; book, cancel, reschedule.

Every change runs in one transaction that locks what it counts (the applicant's row for the open-
booking limit, the slot holds for capacity) and writes a ``BookingEvent``.
"""

import datetime
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.appointments.choices import BookingAction, BookingStatus
from tongban.appointments.eligibility import eligible_points, owning_department, published_bundle
from tongban.appointments.models import (
    MAX_SLOTS_PER_VISIT,
    Booking,
    BookingEvent,
    BookingSettings,
    SlotHold,
    VisitProfile,
)
from tongban.cases.models import Applicant
from tongban.cases.permissions import actor_of
from tongban.cases.services import ACTS_FOR_OTHERS
from tongban.catalog.models import Bundle, Item
from tongban.catalog.services import item_in_force
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.directory.choices import Weekday
from tongban.directory.models import Department, ServicePoint, Window
from tongban.workdays.models import DayKind
from tongban.workdays.services import Calendar

# A person may hold this many open (future, not cancelled) bookings at once.
MAX_OPEN_BOOKINGS = 3
# A booked visitor checks in (takes their ticket) from this long before the slot until this long after.
CHECK_IN_EARLY = datetime.timedelta(hours=2)
CHECK_IN_LATE = datetime.timedelta(minutes=30)
# Staff who book, cancel and reschedule on an applicant's behalf.
BOOKING_AGENT_ROLES = ACTS_FOR_OTHERS


def booking_settings(point: ServicePoint) -> BookingSettings:
    """The point's settings, or the defaults (unsaved) when its hall admin has set none."""
    found = BookingSettings.objects.filter(service_point=point).first()
    return found or BookingSettings(service_point=point)


def visit_profile(item_code: str) -> VisitProfile:
    return VisitProfile.objects.filter(item_code=item_code).first() or VisitProfile(item_code=item_code)


def hours_weekday(day: datetime.date) -> int | None:
    """Whose weekday's opening hours apply on ``day``: none on a holiday, Monday's on a make-up working day (调休)."""
    kind = Calendar(day, day).special.get(day)
    if kind == DayKind.HOLIDAY:
        return None
    return Weekday.MONDAY if kind == DayKind.MAKEUP_WORKDAY else day.weekday()


def opening_periods(point: ServicePoint, day: datetime.date) -> list[tuple[datetime.time, datetime.time]]:
    """Hours on ``day``: none on a holiday; a make-up working day (调休) keeps Monday's hours."""
    weekday = hours_weekday(day)
    return [(p.opens, p.closes) for p in point.opening_periods.all() if p.weekday == weekday]


def slot_starts(point: ServicePoint, day: datetime.date, slot_minutes: int) -> list[datetime.datetime]:
    """Every slot start of the day; a slot must end by the end of its opening period."""
    length = datetime.timedelta(minutes=slot_minutes)
    starts = []
    for opens, closes in sorted(opening_periods(point, day)):
        start = timezone.make_aware(datetime.datetime.combine(day, opens))
        end = timezone.make_aware(datetime.datetime.combine(day, closes))
        while start + length <= end:
            starts.append(start)
            start += length
    return starts


def bookable_windows(point: ServicePoint, item: Item, along_with: Sequence[Item] = ()) -> list[Window]:
    """Windows open for booking that serve the item and everything taken in with it (a bundle's items)."""
    return [w for w in point.windows.all() if w.bookable and w.serves_all((item, *along_with))]


def visit_slots(items: Sequence[Item]) -> int:
    """Slots one visit takes: the item's own, or for a bundle taken in at one window, its items' together."""
    slots = sum(visit_profile(i.code).slots_per_visit for i in items)
    if slots > MAX_SLOTS_PER_VISIT:
        raise InvalidInput(
            _("一次到场要办的事项需要 %(slots)d 个时段，超过一次预约最多的 %(max)d 个，请分次预约或直接到窗口办理。")
            % {"slots": slots, "max": MAX_SLOTS_PER_VISIT},
            code="visit_too_long",
        )
    return slots


@dataclass(frozen=True)
class Visit:
    """What one booked visit takes in at one window: an item, or a bundle's items that start at once
    (those waiting for another's result are done later)."""

    item: Item
    along_with: tuple[Item, ...] = ()
    bundle: Bundle | None = None


def visit_of(*, item_code: str = "", bundle_code: str = "") -> Visit:
    if not bundle_code:
        return Visit(item_in_force(item_code.strip().upper()))
    bundle = published_bundle(bundle_code)
    starting = [item_in_force(m.item_code) for m in bundle.members.all() if not m.waits_for]
    if not starting:
        raise NotFound(_("一件事“%s”暂无可以办理的事项。") % bundle.name, code="bundle_not_bookable")
    return Visit(starting[0], tuple(starting[1:]), bundle)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    free: int  # windows on which the whole visit still fits


def _visits(starts: list[datetime.datetime], slot_minutes: int, slots: int) -> list[list[datetime.datetime]]:
    """Runs of ``slots`` back-to-back slot starts (a visit never spans a break)."""
    taken = set(starts)
    step = datetime.timedelta(minutes=slot_minutes)
    return [[s + k * step for k in range(slots)] for s in starts if all(s + k * step in taken for k in range(slots))]


def _taken(windows: list[Window], day: datetime.date, now: datetime.datetime) -> set[tuple[int, datetime.datetime]]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    holds = SlotHold.objects.filter(
        window__in=windows, starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1)
    ).values_list("window_id", "starts_at", "reopens_at")
    return {(window, at) for window, at, reopens in holds if reopens is None or reopens > now}


def _check_day(settings: BookingSettings, day: datetime.date, now: datetime.datetime) -> None:
    if not settings.is_open:
        raise Conflict(_("%s暂未开放预约。") % settings.service_point.name, code="booking_closed")
    today = timezone.localdate(now)
    if day < today or day > today + datetime.timedelta(days=settings.days_ahead):
        raise InvalidInput(
            _("只能预约今天起 %d 天内的时段。") % settings.days_ahead,
            code="day_out_of_range",
            details={"day": [_("超出可预约范围")]},
        )


def availability(
    point: ServicePoint,
    item: Item,
    day: datetime.date,
    *,
    now: datetime.datetime | None = None,
    along_with: Sequence[Item] = (),
) -> list[Slot]:
    """Visits of this item (and ``along_with`` it: a bundle's other items) that still fit on ``day`` at
    ``point``, with how many windows each has free."""
    now = now or timezone.now()
    settings = booking_settings(point)
    _check_day(settings, day, now)
    windows = bookable_windows(point, item, along_with)
    slots = visit_slots([item, *along_with])
    taken = _taken(windows, day, now)
    result = []
    for visit in _visits(slot_starts(point, day, settings.slot_minutes), settings.slot_minutes, slots):
        if visit[0] <= now:
            continue
        free = sum(1 for w in windows if not any((w.pk, at) in taken for at in visit))
        end = visit[-1] + datetime.timedelta(minutes=settings.slot_minutes)
        result.append(Slot(visit[0], end, free))
    return result


def _check_agent(by, applicant: Applicant) -> None:
    """The applicant themself, or a clerk or proxy agent acting for them."""
    if by.is_superuser or (applicant.user_id is not None and applicant.user_id == by.pk):
        return
    if not actor_of(by).roles & BOOKING_AGENT_ROLES:
        raise Forbidden(_("只能为本人预约，或由窗口人员、代办员代为预约。"), code="not_the_applicant")


def _log(booking: Booking, action: BookingAction, by, **data) -> None:
    BookingEvent.objects.create(booking=booking, action=action, actor=by if by.is_authenticated else None, data=data)


def _new_number(starts_at: datetime.datetime) -> str:
    return f"YY{timezone.localtime(starts_at):%y%m%d}{secrets.token_hex(4).upper()}"


def check_eligible(point: ServicePoint, visit: Visit, region_code: str) -> Department:
    """The department owning the visit's item for ``region_code``, if ``point`` may handle it and every
    item taken in with it for them (scope, negative list, grants); else ``point_not_eligible``."""
    departments = []
    for item in (visit.item, *visit.along_with):
        departments.append(owning_department(item, region_code))
        if point not in eligible_points(item, departments[-1]):
            raise Forbidden(
                _("%(point)s不能为您办理“%(item)s”（通办范围、负面清单或授权所限），请选择其他网点。")
                % {"point": point.name, "item": item.name},
                code="point_not_eligible",
            )
    return departments[0]


def _book(
    *,
    by,
    applicant: Applicant,
    visit: Visit,
    region_code: str,
    point: ServicePoint,
    starts_at: datetime.datetime,
    now: datetime.datetime,
    replacing: Booking | None = None,
) -> Booking:
    item, along_with, bundle = visit.item, visit.along_with, visit.bundle
    department = check_eligible(point, visit, region_code)
    Applicant.objects.select_for_update().filter(pk=applicant.pk).first()  # one booking of a person at a time
    open_bookings = Booking.objects.filter(applicant=applicant, status=BookingStatus.BOOKED, ends_at__gt=now)
    if replacing is not None:
        open_bookings = open_bookings.exclude(pk=replacing.pk)
    if open_bookings.count() >= MAX_OPEN_BOOKINGS:
        raise Conflict(
            _("每人最多同时持有 %d 个未到期的预约，请先取消或办理已有预约。") % MAX_OPEN_BOOKINGS,
            code="too_many_bookings",
        )
    settings = booking_settings(point)
    day = timezone.localdate(starts_at)
    _check_day(settings, day, now)
    slots = visit_slots([item, *along_with])
    visit = next(
        (
            v
            for v in _visits(slot_starts(point, day, settings.slot_minutes), settings.slot_minutes, slots)
            if v[0] == starts_at
        ),
        None,
    )
    if visit is None or starts_at <= now:
        raise InvalidInput(
            _("所选时间不是可预约的时段。"), code="invalid_slot", details={"starts_at": [_("请从可预约时段中选择")]}
        )
    windows = bookable_windows(point, item, along_with)
    step = datetime.timedelta(minutes=settings.slot_minutes)
    for window in windows:
        try:
            with transaction.atomic():
                # Holds of cancelled bookings whose delay is over give their slots back now.
                SlotHold.objects.filter(window=window, starts_at__in=visit, reopens_at__lte=now).delete()
                booking = Booking.objects.create(
                    number=_new_number(starts_at),
                    applicant=applicant,
                    item_code=item.code,
                    item_name=bundle.name if bundle else item.name,
                    bundle_code=bundle.code if bundle else "",
                    region_code=region_code,
                    department=department,
                    service_point=point,
                    window=window,
                    starts_at=starts_at,
                    ends_at=visit[-1] + step,
                    created_by=by,
                )
                SlotHold.objects.bulk_create(SlotHold(window=window, starts_at=at, booking=booking) for at in visit)
            return booking
        except IntegrityError:
            continue  # this window's slot is taken (perhaps just now by a concurrent booking): try the next
    raise Conflict(_("该时段已约满，请选择其他时段或网点。"), code="slot_full")


@transaction.atomic
def book(
    *,
    by,
    applicant: Applicant,
    item_code: str = "",
    bundle_code: str = "",
    region_code: str,
    point_code: str,
    starts_at: datetime.datetime,
) -> Booking:
    """Book a visit for ``applicant`` at a point that can handle the item (or every item of the bundle that
    starts at once, taken in at one window in one longer visit) for their jurisdiction."""
    _check_agent(by, applicant)
    point = service_point(point_code)
    booking = _book(
        by=by,
        applicant=applicant,
        region_code=region_code,
        point=point,
        starts_at=starts_at,
        now=timezone.now(),
        visit=visit_of(item_code=item_code, bundle_code=bundle_code),
    )
    _log(booking, BookingAction.BOOK, by, region=region_code)
    return booking


def service_point(code: str) -> ServicePoint:
    point = (
        ServicePoint.objects.filter(code=code, is_active=True).prefetch_related("windows", "opening_periods").first()
    )
    if point is None:
        raise NotFound(_("服务网点 %s 不存在或已关闭。") % code, code="service_point_not_found")
    return point


def _locked(booking: Booking | str, by) -> Booking:
    number = booking if isinstance(booking, str) else booking.number
    locked = Booking.objects.select_for_update().select_related("applicant").filter(number=number).first()
    if locked is None:
        raise NotFound(_("预约 %s 不存在。") % number, code="booking_not_found")
    _check_agent(by, locked.applicant)
    if locked.status != BookingStatus.BOOKED:
        raise Conflict(_("预约当前状态为“%s”，不能再更改。") % locked.get_status_display(), code="booking_not_open")
    return locked


def _release(booking: Booking, now: datetime.datetime) -> datetime.datetime:
    reopens = now + datetime.timedelta(minutes=booking_settings(booking.service_point).reopen_minutes)
    booking.holds.update(reopens_at=reopens)
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, now
    return reopens


@transaction.atomic
def cancel(booking: Booking | str, *, by) -> Booking:
    """Cancel; the slot opens to others only after the point's delay."""
    locked = _locked(booking, by)
    now = timezone.now()
    reopens = _release(locked, now)
    locked.save(update_fields=["status", "cancelled_at"])
    _log(locked, BookingAction.CANCEL, by, reopens_at=reopens.isoformat())
    return locked


@transaction.atomic
def reschedule(booking: Booking | str, *, by, starts_at: datetime.datetime, point_code: str = "") -> Booking:
    """Move to another slot (and optionally another point): the new booking is made before the old one goes."""
    old = _locked(booking, by)
    now = timezone.now()
    region = old.region_code
    new = _book(
        by=by,
        applicant=old.applicant,
        visit=visit_of(item_code=old.item_code, bundle_code=old.bundle_code),
        region_code=region,
        point=service_point(point_code or old.service_point.code),
        starts_at=starts_at,
        now=now,
        replacing=old,
    )
    _release(old, now)
    old.rescheduled_to = new
    old.save(update_fields=["status", "cancelled_at", "rescheduled_to"])
    _log(old, BookingAction.RESCHEDULE, by, to=new.number)
    _log(new, BookingAction.BOOK, by, region=region, rescheduled_from=old.number)
    return new


@transaction.atomic
def mark_missed(now: datetime.datetime | None = None) -> int:
    """Bookings not checked in by the end of the check-in window (``CHECK_IN_LATE``) are missed (爽约)."""
    now = now or timezone.now()
    missed = list(
        Booking.objects.select_for_update().filter(status=BookingStatus.BOOKED, starts_at__lt=now - CHECK_IN_LATE)
    )
    for booking in missed:
        booking.status = BookingStatus.MISSED
        booking.save(update_fields=["status"])
        BookingEvent.objects.create(booking=booking, action=BookingAction.MISS, actor=None)
    return len(missed)
