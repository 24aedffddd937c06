"""A visitor's ticket: people ahead in the order the windows call, the predicted wait, the page that polls."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tongban.queueing.choices import TicketStatus
from tongban.queueing.models import Ticket
from tongban.queueing.services import call_next, finish, issue_ticket
from tongban.queueing.ticket_status import ticket_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def walk_in(food_item):
    def take(item=food_item) -> Ticket:
        return issue_ticket(by=AnonymousUser(), point_code="fz-gulou", item_code=item.code)

    return take


def test_people_ahead_and_the_wait_count_only_those_the_same_windows_call_first(walk_in, police_item, food_item):
    first, police, second = walk_in(), walk_in(police_item), walk_in()
    status = ticket_status(second)
    assert status.ahead == 2  # general windows serve both items
    assert ticket_status(first).ahead == 0 and ticket_status(first).wait_minutes == 0
    assert status.wait_minutes > 0
    booked_due = Ticket.objects.filter(pk=police.pk)
    booked_due.update(kind="booked", due_at=timezone.now() - datetime.timedelta(minutes=1))
    assert ticket_status(first).ahead == 1  # a booked visitor whose slot has come goes first


def test_the_wait_drains_at_the_open_windows(walk_in, clerk_at):
    tickets = [walk_in() for _ in range(4)]
    alone = ticket_status(tickets[-1]).wait_minutes  # before anyone signs in, every serving window counts
    clerk_at("05")
    one_window = ticket_status(tickets[-1])
    assert one_window.ahead == 3 and one_window.wait_minutes > alone


def test_the_page_is_public_polls_and_stops_when_done(client, walk_in, clerk_at):
    ticket = walk_in()
    page = client.get(f"/queue/fz-gulou/tickets/{ticket.number}/").content.decode()
    assert 'hx-trigger="every 5s"' in page and "前面还有" in page and ticket.item_name not in page
    clerk = clerk_at("05")
    call_next(by=clerk)
    part = client.get(f"/queue/fz-gulou/tickets/{ticket.number.lower()}/status/")
    assert part.status_code == 200 and "请到 05 号窗口办理" in part.content.decode()
    finish(ticket.pk, by=clerk)
    done = client.get(f"/queue/fz-gulou/tickets/{ticket.number}/status/")
    assert done.status_code == 286 and "已办结" in done.content.decode()  # htmx stops polling
    assert "评价本次服务" not in done.content.decode()  # only the ticket's own applicant rates
    assert client.get("/queue/fz-gulou/tickets/A999/").status_code == 404
    assert client.get(f"/queue/fz-cangshan/tickets/{ticket.number}/").status_code == 404


def test_the_owner_sees_the_item_and_is_asked_to_rate(client, user_of, food_item, clerk_at):
    zhang = user_of("citizen_zhang")
    ticket = issue_ticket(by=zhang, point_code="fz-gulou", item_code=food_item.code)
    clerk = clerk_at("05")
    finish(call_next(by=clerk), by=clerk)
    client.force_login(zhang)
    page = client.get(f"/queue/fz-gulou/tickets/{ticket.number}/").content.decode()
    assert food_item.name in page and f"/my/tickets/{ticket.pk}/rate/" in page
    assert Ticket.objects.get().status == TicketStatus.FINISHED
