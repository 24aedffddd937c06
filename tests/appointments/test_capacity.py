import datetime

import pytest
from django.utils import timezone

from tongban.appointments.models import BookingSettings, VisitProfile
from tongban.appointments.services import availability, book, opening_periods, slot_starts
from tongban.core.errors import InvalidInput
from tongban.workdays.models import DayKind, SpecialDay

pytestmark = pytest.mark.django_db


def test_a_day_has_a_slot_per_quarter_hour_and_a_place_per_bookable_window(point, food_item, open_day):
    cangshan = point("fz-cangshan")
    slots = availability(cangshan, food_item, open_day)
    hours = opening_periods(cangshan, open_day)
    minutes = sum((c.hour * 60 + c.minute) - (o.hour * 60 + o.minute) for o, c in hours)
    assert len(slots) == minutes // 15
    general = [w for w in cangshan.windows.all() if w.kind == "general" and w.bookable]
    # Zone windows (公安、税务、婚姻) do not take a market item, so they offer no place for it.
    assert {s.free for s in slots} == {len(general)}
    assert all(s.ends_at - s.starts_at == datetime.timedelta(minutes=15) for s in slots)


def test_windows_closed_for_booking_offer_no_place(point, food_item, open_day):
    cangshan = point("fz-cangshan")
    cangshan.windows.exclude(number="01").update(bookable=False)
    cangshan = point("fz-cangshan")
    assert {s.free for s in availability(cangshan, food_item, open_day)} == {1}


def test_a_visit_of_two_slots_never_spans_the_end_of_the_day(point, food_item, open_day):
    VisitProfile.objects.update_or_create(item_code=food_item.code, defaults={"slots_per_visit": 2})
    cangshan = point("fz-cangshan")
    slots = availability(cangshan, food_item, open_day)
    assert all(s.ends_at - s.starts_at == datetime.timedelta(minutes=30) for s in slots)
    closes = max(c for _o, c in opening_periods(cangshan, open_day))
    assert timezone.localtime(slots[-1].ends_at).time() == closes


def test_slot_length_is_the_halls_setting(point, food_item, open_day):
    cangshan = point("fz-cangshan")
    BookingSettings.objects.update_or_create(service_point=cangshan, defaults={"slot_minutes": 30})
    assert len(availability(cangshan, food_item, open_day)) == len(slot_starts(cangshan, open_day, 30))


def test_holidays_have_no_slots_and_make_up_days_keep_weekday_hours(point):
    gulou = point("fz-gulou")
    national_day = datetime.date(2026, 10, 1)
    assert SpecialDay.objects.filter(date=national_day, kind=DayKind.HOLIDAY).exists()
    assert opening_periods(gulou, national_day) == []
    makeup = SpecialDay.objects.filter(kind=DayKind.MAKEUP_WORKDAY, date__week_day=1).first()  # a Sunday (调休)
    assert makeup is not None
    assert opening_periods(gulou, makeup.date) == opening_periods(gulou, datetime.date(2026, 11, 23))  # a Monday
    assert opening_periods(gulou, datetime.date(2026, 11, 22)) == []  # an ordinary Sunday


def test_days_beyond_the_booking_horizon_are_refused(point, food_item):
    far = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(InvalidInput) as error:
        availability(point("fz-cangshan"), food_item, far)
    assert error.value.code == "day_out_of_range"


def test_a_booked_place_is_gone_from_the_availability(point, food_item, open_day, citizen):
    cangshan = point("fz-cangshan")
    first = availability(cangshan, food_item, open_day)[3]
    person = citizen(0)
    book(
        by=person.user,
        applicant=person,
        item_code=food_item.code,
        region_code="350104",
        point_code="fz-cangshan",
        starts_at=first.starts_at,
    )
    after = {s.starts_at: s.free for s in availability(cangshan, food_item, open_day)}
    assert after[first.starts_at] == first.free - 1
