"""Capacity under concurrent booking, with real threads on the test database (SQLite and PostgreSQL)."""

import pytest

from tests.appointments.conftest import next_open_day
from tests.conftest import run_at_once
from tongban.appointments.models import Booking, SlotHold
from tongban.appointments.services import MAX_OPEN_BOOKINGS, availability, book
from tongban.core.errors import Conflict

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _booker(person, item, starts):
    return lambda: book(
        by=person.user,
        applicant=person,
        item_code=item.code,
        region_code="350104",
        point_code="fz-cangshan",
        starts_at=starts,
    )


def test_concurrent_bookings_never_exceed_a_slots_capacity(point, food_item, citizen):
    point("fz-cangshan").windows.exclude(number__in=["01", "02"]).update(bookable=False)
    cangshan = point("fz-cangshan")
    slot = availability(cangshan, food_item, next_open_day(cangshan))[4]
    assert slot.free == 2
    people = [citizen(i) for i in range(5)]

    outcomes = run_at_once(*[_booker(p, food_item, slot.starts_at) for p in people])

    booked = [o for o in outcomes if isinstance(o, Booking)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(booked) == 2 and len(refused) == 3, outcomes
    assert {o.code for o in refused} == {"slot_full"}
    assert {b.window_id for b in booked} == {w.pk for w in cangshan.windows.all() if w.bookable}
    assert SlotHold.objects.filter(starts_at=slot.starts_at).count() == 2
    assert availability(point("fz-cangshan"), food_item, slot.starts_at.date())[4].free == 0


def test_one_person_booking_from_several_devices_at_once_keeps_the_limit(point, food_item, citizen):
    cangshan = point("fz-cangshan")
    slots = availability(cangshan, food_item, next_open_day(cangshan))
    person = citizen(0)

    outcomes = run_at_once(*[_booker(person, food_item, slots[i].starts_at) for i in range(MAX_OPEN_BOOKINGS + 2)])

    assert sum(isinstance(o, Booking) for o in outcomes) == MAX_OPEN_BOOKINGS, outcomes
    assert {o.code for o in outcomes if isinstance(o, Conflict)} == {"too_many_bookings"}
    assert Booking.objects.filter(applicant=person).count() == MAX_OPEN_BOOKINGS
