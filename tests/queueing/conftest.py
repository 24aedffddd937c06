import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tongban.catalog.models import Item
from tongban.directory.models import Window
from tongban.directory.roles import Role
from tongban.directory.services import assign_staff
from tongban.queueing.services import open_window
from tongban.workdays.services import Calendar


def next_working_day() -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=1)
    calendar = Calendar(day, day + datetime.timedelta(days=60))
    while not calendar.is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def booking_due_soon(person, item=None, point_code="fz-gulou", region_code="350102", bundle_code=""):
    """A booking of ``person`` (of 鼓楼 unless said; given a login) for the item or bundle at the hall, moved to
    start in 30 minutes."""
    from tongban.appointments.models import Booking
    from tongban.appointments.services import availability, book, visit_of
    from tongban.directory.models import ServicePoint

    visit = visit_of(item_code=item.code if item else "", bundle_code=bundle_code)
    point = ServicePoint.objects.prefetch_related("windows", "opening_periods").get(code=point_code)
    day = timezone.localdate()
    slots = []
    while not slots:
        slots = availability(point, visit.item, day, along_with=visit.along_with)
        day += datetime.timedelta(days=1)
    if person.user is None:
        person.user = get_user_model().objects.create(username=f"booker-{person.pk}")
        person.save()
    booking = book(
        by=person.user,
        applicant=person,
        item_code="" if bundle_code else visit.item.code,
        bundle_code=bundle_code,
        region_code=region_code,
        point_code=point_code,
        starts_at=slots[0].starts_at,
    )
    Booking.objects.filter(pk=booking.pk).update(starts_at=timezone.now() + datetime.timedelta(minutes=30))
    booking.refresh_from_db()
    return booking


@pytest.fixture
def clock_at(time_machine):
    """Move the clock (ticking on) to a local time of the next working day: ``clock_at(10, 0)``."""

    def move(hour: int, minute: int = 0, day: datetime.date | None = None) -> datetime.datetime:
        moment = timezone.make_aware(datetime.datetime.combine(day or next_working_day(), datetime.time(hour, minute)))
        time_machine.move_to(moment, tick=True)
        return moment

    return move


@pytest.fixture
def office_hours(clock_at):
    """10:00 on the next working day: every hall open (a recommendation is for going now)."""
    return clock_at(10)


@pytest.fixture
def police_item():
    """A city-wide public-security item: served by general windows and the 公安专区."""
    return Item.objects.in_force().get(name="居住证签发")


@pytest.fixture
def gulou_window():
    def get(number: str) -> Window:
        return Window.objects.get(service_point__code="fz-gulou", number=number)

    return get


@pytest.fixture
def clerk_at(gulou_window, user_of):
    """A clerk of the 鼓楼 hall signed in at a window: ``clerk_at("01")`` (the demo clerk first)."""
    made = []

    def sign_in(number: str):
        if not made:
            user = user_of("clerk_gulou")
        else:
            user = get_user_model().objects.create(username=f"clerk_gulou_{number}")
            assign_staff(user, role=Role.CLERK, service_point=gulou_window(number).service_point)
        made.append(user)
        open_window(by=user, window_id=gulou_window(number).pk)
        return user

    return sign_in


@pytest.fixture(autouse=True)
def without_demo_tickets(request):
    """Queue tests start from an empty queue (the demo city ships past tickets and a few waiting today)."""
    from tongban.queueing.models import Ticket, TicketSequence

    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    Ticket.objects.all().delete()
    TicketSequence.objects.all().delete()
