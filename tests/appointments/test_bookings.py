import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.appointments.conftest import next_open_day
from tongban.appointments.choices import BookingAction, BookingStatus
from tongban.appointments.models import Booking, SlotHold
from tongban.appointments.services import MAX_OPEN_BOOKINGS, availability, book, cancel, reschedule
from tongban.core.errors import Conflict, Forbidden, InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking_at(food_item, open_day, point):
    """Book the food licence at a point for a Cangshan applicant: ``booking_at(person, "fz-cangshan", 3)``."""

    def make(person, code="fz-cangshan", slot=3, *, by=None, region="350104"):
        day = open_day if code == "fz-cangshan" else next_open_day(point(code))
        starts = availability(point(code), food_item, day)[slot].starts_at
        return book(
            by=by or person.user,
            applicant=person,
            item_code=food_item.code,
            region_code=region,
            point_code=code,
            starts_at=starts,
        )

    return make


def test_booking_takes_one_slot_of_one_window_and_is_logged(booking_at, citizen):
    booking = booking_at(citizen(0))
    assert booking.status == BookingStatus.BOOKED
    assert booking.department.region.code == "350104" and booking.department.kind == "market"
    assert list(booking.holds.values_list("window_id", flat=True)) == [booking.window_id]
    assert booking.events.get().action == BookingAction.BOOK
    assert booking.number.startswith("YY")


def test_a_person_holds_a_limited_number_of_open_bookings(booking_at, citizen):
    person = citizen(0)
    for slot in range(MAX_OPEN_BOOKINGS):
        booking_at(person, slot=slot)
    with pytest.raises(Conflict) as error:
        booking_at(person, slot=MAX_OPEN_BOOKINGS)
    assert error.value.code == "too_many_bookings"
    booking_at(citizen(1), slot=MAX_OPEN_BOOKINGS)  # others are not affected


def test_cancelled_bookings_free_the_limit_but_the_slot_reopens_only_after_the_delay(
    booking_at, citizen, point, food_item, open_day
):
    windows = point("fz-cangshan").windows.all()
    windows.exclude(number="01").update(bookable=False)  # one place per slot
    person, other = citizen(0), citizen(1)
    booking = booking_at(person)
    cancelled = cancel(booking, by=person.user)
    assert cancelled.status == BookingStatus.CANCELLED and cancelled.cancelled_at is not None
    slot = availability(point("fz-cangshan"), food_item, open_day)[3]
    assert slot.free == 0  # against slot trading: a cancelled slot is not up for grabs at once
    with pytest.raises(Conflict) as error:
        booking_at(other)
    assert error.value.code == "slot_full"
    later = timezone.now() + datetime.timedelta(minutes=31)
    assert availability(point("fz-cangshan"), food_item, open_day, now=later)[3].free == 1
    SlotHold.objects.filter(booking=booking).update(reopens_at=timezone.now() - datetime.timedelta(seconds=1))
    again = booking_at(other)
    assert again.window_id == booking.window_id
    assert not SlotHold.objects.filter(booking=booking).exists()


def test_cancel_twice_is_a_conflict(booking_at, citizen):
    person = citizen(0)
    booking = cancel(booking_at(person), by=person.user)
    with pytest.raises(Conflict) as error:
        cancel(booking, by=person.user)
    assert error.value.code == "booking_not_open"


def test_reschedule_makes_the_new_booking_before_letting_the_old_one_go(
    booking_at, citizen, point, food_item, open_day
):
    person = citizen(0)
    for slot in range(MAX_OPEN_BOOKINGS - 1):
        booking_at(person, slot=slot + 10)
    old = booking_at(person)  # at the limit: moving must still work
    new_start = availability(point("fz-cangshan"), food_item, open_day)[20].starts_at
    new = reschedule(old, by=person.user, starts_at=new_start)
    old.refresh_from_db()
    assert old.status == BookingStatus.CANCELLED and old.rescheduled_to == new
    assert new.starts_at == new_start and new.status == BookingStatus.BOOKED and new.region_code == "350104"
    assert old.events.filter(action=BookingAction.RESCHEDULE).exists()


def test_reschedule_to_a_full_slot_keeps_the_old_booking(booking_at, citizen, point):
    point("fz-cangshan").windows.exclude(number="01").update(bookable=False)
    first, second = citizen(0), citizen(1)
    booking_at(first, slot=5)
    mine = booking_at(second, slot=6)
    with pytest.raises(Conflict):
        reschedule(mine, by=second.user, starts_at=Booking.objects.exclude(pk=mine.pk).get().starts_at)
    mine.refresh_from_db()
    assert mine.status == BookingStatus.BOOKED


def test_only_the_applicant_or_a_clerk_books_and_cancels_for_them(booking_at, citizen, user_of):
    person, stranger = citizen(0), citizen(1)
    with pytest.raises(Forbidden) as error:
        booking_at(person, by=stranger.user)
    assert error.value.code == "not_the_applicant"
    booking = booking_at(person, by=user_of("clerk_city"))
    with pytest.raises(Forbidden):
        cancel(booking, by=stranger.user)
    cancel(booking, by=user_of("clerk_gulou"))


def test_a_time_that_is_not_a_slot_start_is_refused(citizen, food_item, open_day):
    person = citizen(0)
    odd = timezone.make_aware(datetime.datetime.combine(open_day, datetime.time(9, 7)))
    with pytest.raises(InvalidInput) as error:
        book(
            by=person.user,
            applicant=person,
            item_code=food_item.code,
            region_code="350104",
            point_code="fz-cangshan",
            starts_at=odd,
        )
    assert error.value.code == "invalid_slot"


def test_unknown_region_and_point_are_clear_errors(citizen, food_item, open_day):
    person = citizen(0)
    starts = timezone.make_aware(datetime.datetime.combine(open_day, datetime.time(9, 0)))
    with pytest.raises(InvalidInput) as error:
        book(by=person.user, applicant=person, item_code=food_item.code, region_code="999999",
             point_code="fz-cangshan", starts_at=starts)  # fmt: skip
    assert error.value.code == "invalid_region"


def test_a_user_without_a_role_cannot_book_for_someone_else(booking_at, citizen):
    nobody = get_user_model().objects.create(username="nobody")
    with pytest.raises(Forbidden):
        booking_at(citizen(0), by=nobody)


def test_bookings_not_checked_in_by_the_end_of_the_check_in_window_are_marked_missed(booking_at, citizen):
    from django.core.management import call_command

    from tongban.appointments.services import CHECK_IN_LATE

    person = citizen(0)
    past, late, future = booking_at(person, slot=1), booking_at(person, slot=2), booking_at(person, slot=3)
    now = timezone.now()
    Booking.objects.filter(pk=past.pk).update(starts_at=now - CHECK_IN_LATE - datetime.timedelta(minutes=1))
    # the slot is over, but the visitor may still check in: not missed yet
    Booking.objects.filter(pk=late.pk).update(
        starts_at=now - CHECK_IN_LATE + datetime.timedelta(minutes=5), ends_at=now - datetime.timedelta(minutes=1)
    )
    call_command("mark_missed_bookings", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for booking in (past, late, future):
        booking.refresh_from_db()
    assert past.status == BookingStatus.MISSED and past.events.filter(action=BookingAction.MISS).exists()
    assert late.status == future.status == BookingStatus.BOOKED
    booking_at(person, slot=4)  # the third open one: a missed booking no longer counts against the limit
