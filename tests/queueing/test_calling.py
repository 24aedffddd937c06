import datetime

import pytest
from django.utils import timezone

from tests.queueing.conftest import booking_due_soon
from tongban.appointments.models import Booking
from tongban.cases.choices import ApplicantKind
from tongban.cases.services import identify_applicant
from tongban.core.errors import Conflict, Forbidden, InvalidInput
from tongban.queueing.choices import TicketAction, TicketKind, TicketStatus
from tongban.queueing.models import Ticket
from tongban.queueing.services import (
    call_next,
    check_in,
    close_window,
    finish,
    issue_ticket,
    no_show,
    open_window,
    recall,
    start,
    transfer,
)

pytestmark = pytest.mark.django_db


def walk_in(user, item, point="fz-gulou", **kwargs):
    return issue_ticket(by=user, point_code=point, item_code=item.code, **kwargs)


def test_tickets_are_numbered_per_hall_and_day(user_of, food_item):
    first = walk_in(user_of("clerk_gulou"), food_item)
    second = walk_in(user_of("clerk_gulou"), food_item)
    elsewhere = walk_in(user_of("clerk_city"), food_item, point="fz-city")
    assert (first.number, second.number, elsewhere.number) == ("A001", "A002", "A001")
    assert first.status == TicketStatus.WAITING and first.issued_at and first.due_at == first.issued_at
    assert first.events.get().action == TicketAction.ISSUE


def test_a_ticket_for_an_item_the_hall_cannot_handle_is_refused(user_of, food_item):
    with pytest.raises(Forbidden) as error:
        walk_in(user_of("clerk_gulou"), food_item, point="fz-taijiang", region_code="350104")  # no grant there
    assert error.value.code == "point_not_eligible"
    walk_in(user_of("clerk_gulou"), food_item, point="fz-gulou", region_code="350104")  # granted


def test_a_window_calls_in_order_and_keeps_every_time_window_and_clerk(clerk_at, user_of, food_item):
    clerk = clerk_at("01")
    first, second = walk_in(clerk, food_item), walk_in(clerk, food_item)
    called = call_next(by=clerk)
    assert called.pk == first.pk and called.status == TicketStatus.CALLED
    assert called.window.number == "01" and called.staff == clerk and called.wait_seconds is not None
    with pytest.raises(Conflict) as error:
        call_next(by=clerk)
    assert error.value.code == "window_busy"
    start(called, by=clerk)
    done = finish(called, by=clerk)
    assert done.status == TicketStatus.FINISHED
    assert done.issued_at <= done.called_at <= done.started_at <= done.finished_at
    assert done.service_seconds is not None
    assert list(done.events.values_list("action", flat=True)) == ["issue", "call", "start", "finish"]
    assert call_next(by=clerk).pk == second.pk


def test_booked_visitors_are_called_at_their_slot_before_walk_ins(clerk_at, user_of, food_item):
    clerk = clerk_at("01")
    early_walk_in = walk_in(clerk, food_item)
    person = identify_applicant(kind=ApplicantKind.PERSON, id_number="110105194912310038", name="预约人")
    booked = _booked_ticket(clerk, person, food_item)
    # Slot not yet due: walk-ins go first; once due, the booked visitor goes before every walk-in.
    assert call_next(by=clerk).pk == early_walk_in.pk
    finish(Ticket.objects.get(pk=early_walk_in.pk), by=clerk)
    later_walk_in = walk_in(clerk, food_item)
    Ticket.objects.filter(pk=booked.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    assert call_next(by=clerk).pk == booked.pk
    finish(Ticket.objects.get(pk=booked.pk), by=clerk)
    assert call_next(by=clerk).pk == later_walk_in.pk


def _booked_ticket(clerk, person, item):
    ticket = check_in(booking_due_soon(person, item).number, by=clerk)
    assert ticket.kind == TicketKind.BOOKED and ticket.number.startswith("Y")
    return ticket


def test_a_booking_checks_in_once_and_only_around_its_slot(clerk_at, food_item):
    clerk = clerk_at("01")
    person = identify_applicant(kind=ApplicantKind.PERSON, id_number="110105194912310046", name="早到者")
    ticket = _booked_ticket(clerk, person, food_item)
    with pytest.raises(Conflict) as error:
        check_in(ticket.booking.number, by=clerk)
    assert error.value.code == "booking_not_open"
    Booking.objects.filter(pk=ticket.booking_id).update(
        status="booked", starts_at=timezone.now() + datetime.timedelta(hours=3)
    )
    with pytest.raises(Conflict) as error:
        check_in(ticket.booking.number, by=clerk)
    assert error.value.code == "check_in_out_of_time"


def test_zone_windows_call_only_their_share(clerk_at, gulou_window, food_item, police_item):
    zone = gulou_window("A01")  # 公安专区
    assert zone.kind == "zone"
    clerk = clerk_at("A01")
    market = walk_in(clerk, food_item)
    police = walk_in(clerk, police_item)
    assert call_next(by=clerk).pk == police.pk
    finish(Ticket.objects.get(pk=police.pk), by=clerk)
    assert call_next(by=clerk) is None
    assert Ticket.objects.get(pk=market.pk).status == TicketStatus.WAITING


def test_a_booked_bundle_is_called_only_by_a_window_that_takes_in_all_it_starts(clerk_at, gulou_window, user_of):
    from tongban.appointments.services import visit_of
    from tongban.queueing.ticket_status import ticket_status

    visit = visit_of(bundle_code="YJS004")  # 新生儿出生: two items start at once
    zone = gulou_window("A01")
    zone.zone_item_codes, zone.zone_authorities = [visit.item.code], []  # serves the bundle's first item only
    zone.save()
    at_zone, at_general = clerk_at("A01"), clerk_at("01")
    parent = identify_applicant(kind=ApplicantKind.PERSON, id_number="110105194912310054", name="新生儿家长")
    ticket = check_in(booking_due_soon(parent, bundle_code="YJS004").number, by=at_general)
    assert ticket.item_code == visit.item.code
    assert ticket.along_with == [[other.code, other.authority_kind] for other in visit.along_with]
    Ticket.objects.filter(pk=ticket.pk).update(due_at=timezone.now())

    assert call_next(by=at_zone) is None
    assert ticket_status(Ticket.objects.get(pk=ticket.pk)).wait_minutes is not None  # the general window counts
    assert call_next(by=at_general).pk == ticket.pk
    with pytest.raises(InvalidInput) as error:
        transfer(ticket, by=at_general, to_window_id=zone.pk)
    assert error.value.code == "window_cannot_serve"


def test_a_booked_bundle_no_window_takes_in_whole_any_more_is_called_for_its_first_item(clerk_at, gulou_window):
    from tongban.appointments.services import visit_of
    from tongban.directory.models import Window

    visit = visit_of(bundle_code="YJS004")
    parent = identify_applicant(kind=ApplicantKind.PERSON, id_number="110105194912310054", name="新生儿家长")
    booking = booking_due_soon(parent, bundle_code="YJS004")
    # Since the booking, the hall made every window a zone for the first item only.
    Window.objects.filter(service_point__code="fz-gulou").update(
        kind="zone", zone_item_codes=[visit.item.code], zone_authorities=[]
    )
    clerk = clerk_at("01")
    ticket = check_in(booking.number, by=clerk)
    assert ticket.item_code == visit.item.code and ticket.along_with == []
    Ticket.objects.filter(pk=ticket.pk).update(due_at=timezone.now())
    assert call_next(by=clerk).pk == ticket.pk


def test_recall_no_show_and_transfer(clerk_at, food_item):
    clerk, colleague = clerk_at("01"), clerk_at("02")
    ticket = walk_in(clerk, food_item)
    other = walk_in(clerk, food_item)
    ticket = call_next(by=clerk)
    assert recall(ticket, by=clerk).recalls == 1
    with pytest.raises(Forbidden) as error:
        recall(ticket, by=colleague)
    assert error.value.code == "not_my_ticket"
    moved = transfer(ticket, by=clerk, to_window_id=_window_of(colleague).pk)
    assert moved.status == TicketStatus.WAITING and moved.window is None
    # The target window calls the transferred visitor before the one who came earlier... and only it does.
    assert call_next(by=colleague).pk == ticket.pk
    assert call_next(by=clerk).pk == other.pk
    assert no_show(Ticket.objects.get(pk=other.pk), by=clerk).status == TicketStatus.NO_SHOW
    with pytest.raises(Conflict):
        finish(Ticket.objects.get(pk=other.pk), by=clerk)


def _window_of(user):
    return user.windowsession_set.get(closed_at__isnull=True).window


def test_transfer_to_a_window_that_cannot_serve_the_item_is_refused(clerk_at, gulou_window, food_item):
    clerk = clerk_at("01")
    walk_in(clerk, food_item)
    ticket = call_next(by=clerk)
    with pytest.raises(InvalidInput) as error:
        transfer(ticket, by=clerk, to_window_id=gulou_window("A01").pk)
    assert error.value.code == "window_cannot_serve"


def test_only_a_clerk_of_the_hall_opens_its_windows(user_of, gulou_window):
    with pytest.raises(Forbidden):
        open_window(by=user_of("clerk_city"), window_id=gulou_window("01").pk)
    with pytest.raises(Forbidden):
        open_window(by=user_of("hall_gulou"), window_id=gulou_window("01").pk)


def test_one_clerk_per_window_and_calling_needs_an_open_window(clerk_at, user_of, gulou_window, food_item):
    clerk_at("01")
    with pytest.raises(Conflict) as error:
        clerk_at("01")
    assert error.value.code == "window_taken"
    close_window(by=user_of("clerk_gulou"))
    with pytest.raises(Conflict) as error:
        call_next(by=user_of("clerk_gulou"))
    assert error.value.code == "no_open_window"


def test_a_window_left_open_overnight_staffs_nothing_today_and_opens_for_the_next_clerk(
    clerk_at, user_of, gulou_window, food_item
):
    from tongban.queueing.display import window_panel
    from tongban.queueing.models import WindowSession

    first = clerk_at("01")
    yesterday = timezone.now() - datetime.timedelta(days=1)
    WindowSession.objects.filter(staff=first).update(opened_at=yesterday)  # nobody closed it last night
    with pytest.raises(Conflict) as error:
        call_next(by=first)  # today the clerk opens the window again
    assert error.value.code == "no_open_window"
    panel = window_panel(first, gulou_window("01").service_point)
    assert gulou_window("01") in panel["free_windows"]
    second = clerk_at("01")  # another clerk sits down at it
    stale = WindowSession.objects.get(staff=first)
    assert timezone.localtime(stale.closed_at).time() == datetime.time(0, 0)
    assert timezone.localdate(stale.closed_at) == timezone.localdate(yesterday) + datetime.timedelta(days=1)
    assert WindowSession.objects.get(staff=second).closed_at is None
    open_window(by=first, window_id=gulou_window("03").pk)  # the first clerk comes back today
    assert WindowSession.objects.get(staff=first, window=gulou_window("03")).closed_at is None


def test_walk_in_tickets_are_taken_only_around_opening_hours(user_of, food_item, clock_at, settings, api):
    from tests.queueing.conftest import next_working_day
    from tongban.workdays.models import CalendarYear, DayKind, SpecialDay

    settings.TICKETS_IN_OPENING_HOURS = True
    clerk = user_of("clerk_gulou")
    clock_at(20)
    with pytest.raises(Conflict) as error:
        issue_ticket(by=clerk, point_code="fz-gulou", item_code=food_item.code)
    assert error.value.code == "hall_closed" and "取号时间为 07:30 至 17:30" in error.value.message
    api.force_authenticate(clerk)
    refused = api.post("/api/v1/tickets/", {"service_point": "fz-gulou", "item": food_item.code}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "hall_closed"
    clock_at(7, 40)  # before opening: people queue for the day
    assert issue_ticket(by=clerk, point_code="fz-gulou", item_code=food_item.code).number == "A001"
    day = next_working_day() + datetime.timedelta(days=7)
    year, _created = CalendarYear.objects.get_or_create(year=day.year)
    SpecialDay.objects.update_or_create(date=day, defaults={"year": year, "kind": DayKind.HOLIDAY, "name": "测试"})
    clock_at(10, day=day)
    with pytest.raises(Conflict) as error:
        issue_ticket(by=clerk, point_code="fz-gulou", item_code=food_item.code)
    assert error.value.code == "hall_closed" and "今天不办公" in error.value.message
    assert Ticket.objects.count() == 1


def test_a_recall_puts_the_ticket_back_at_the_top_of_the_big_screen(clerk_at, food_item, client):
    from tongban.queueing.display import board

    first, second = clerk_at("01"), clerk_at("02")
    for _ in range(2):
        issue_ticket(by=first, point_code="fz-gulou", item_code=food_item.code)
    a001, a002 = call_next(by=first), call_next(by=second)
    point = a001.service_point
    assert [t.number for t in board(point).called] == [a002.number, a001.number]
    recall(a001, by=first)
    assert [t.number for t in board(point).called] == [a001.number, a002.number]
    screen = client.get("/queue/fz-gulou/display/board/").content.decode()
    assert screen.index(a001.number) < screen.index(a002.number) and "重呼" in screen


def test_the_big_screen_lists_the_next_in_calling_order(clerk_at, food_item):
    from tongban.queueing.display import board

    clerk = clerk_at("01")
    early, late = walk_in(clerk, food_item), walk_in(clerk, food_item)
    person = identify_applicant(kind=ApplicantKind.PERSON, id_number="110105194912310054", name="预约人")
    booked = _booked_ticket(clerk, person, food_item)  # due in 30 minutes: walk-ins first until then
    point = early.service_point
    assert [t.number for t in board(point).waiting] == [early.number, late.number, booked.number]
    # The slot began after the walk-ins came: still called before them.
    Ticket.objects.filter(pk=booked.pk).update(due_at=late.issued_at + datetime.timedelta(microseconds=1))
    assert [t.number for t in board(point).waiting] == [booked.number, early.number, late.number]
    assert call_next(by=clerk).pk == booked.pk
