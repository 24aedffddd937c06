"""The calling panel on the clerk's workbench, and the intake of the visitor called to the window."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.appointments.conftest import next_open_day
from tongban.appointments.services import availability, book, service_point
from tongban.cases.models import Applicant
from tongban.catalog.services import item_in_force
from tongban.queueing.choices import TicketStatus
from tongban.queueing.models import Ticket
from tongban.queueing.services import call_next, check_in, issue_ticket

pytestmark = pytest.mark.django_db

ITEM = "000101008000"  # 个体工商户设立登记
VISITOR = {"kind": "person", "id_number": "11010519491231002X", "name": "李娜"}


@pytest.fixture
def booked_ticket(user_of, time_machine):
    """张伟 booked at the Gulou hall for a Gulou place, checked in at his slot."""
    zhang = user_of("citizen_zhang")
    point = service_point("fz-gulou")
    slot = availability(point, item_in_force(ITEM), next_open_day(point))[4]
    booking = book(
        by=zhang,
        applicant=zhang.applicant,
        item_code=ITEM,
        region_code="350102001",
        point_code="fz-gulou",
        starts_at=slot.starts_at,
    )
    time_machine.move_to(slot.starts_at)
    return check_in(booking.number, by=zhang)


def test_a_clerk_calls_from_the_workbench_and_proxy_agents_see_no_panel(client, user_of):
    client.force_login(user_of("clerk_gulou"))
    page = client.get("/workbench/").content.decode()
    assert 'id="panel"' in page and "请选择您所在的窗口开始叫号" in page and "大厅概况" in page
    client.force_login(user_of("agent_community"))
    assert 'id="panel"' not in client.get("/workbench/").content.decode()


def test_intake_for_the_called_visitor_starts_serving_and_opens_their_item(client, user_of, clerk_at, booked_ticket):
    Ticket.objects.exclude(pk=booked_ticket.pk).delete()
    clerk = clerk_at("05")
    assert call_next(by=clerk) == booked_ticket
    client.force_login(clerk)
    page = client.get("/workbench/").content.decode()
    assert 'data-ticket="Y' in page and "为其受理" in page and "张伟" in page
    response = client.post(f"/workbench/tickets/{booked_ticket.pk}/intake/")
    zhang = user_of("citizen_zhang").applicant
    assert response["Location"] == f"/workbench/applicants/{zhang.pk}/items/{ITEM}/?region=350102"
    booked_ticket.refresh_from_db()
    assert booked_ticket.status == TicketStatus.SERVING and booked_ticket.started_at
    again = client.post(f"/workbench/tickets/{booked_ticket.pk}/intake/")  # back from another page: same place
    assert again["Location"] == response["Location"]
    assert client.get(f"/workbench/tickets/{booked_ticket.pk}/intake/").status_code == 405


def test_a_booked_bundle_opens_the_window_bundle_intake_in_the_booked_region(client, user_of, clerk_at, time_machine):
    from tongban.appointments.services import visit_of

    zhang = user_of("citizen_zhang")
    point = service_point("fz-gulou")
    visit = visit_of(bundle_code="YJS004")
    slot = availability(point, visit.item, next_open_day(point), along_with=visit.along_with)[0]
    booking = book(
        by=zhang,
        applicant=zhang.applicant,
        bundle_code="YJS004",
        region_code="350102001",
        point_code="fz-gulou",
        starts_at=slot.starts_at,
    )
    time_machine.move_to(slot.starts_at)
    ticket = check_in(booking.number, by=zhang)
    Ticket.objects.exclude(pk=ticket.pk).delete()
    clerk = clerk_at("05")
    assert call_next(by=clerk) == ticket
    client.force_login(clerk)
    response = client.post(f"/workbench/tickets/{ticket.pk}/intake/")
    assert response["Location"] == f"/workbench/applicants/{zhang.applicant.pk}/bundles/YJS004/?region=350102"
    form = client.get(response["Location"]).context["form"]
    assert form["region"].value() == "350102"

    from tongban.catalog.models import Bundle
    from tongban.workbench.queue import intake_url

    Bundle.objects.filter(code="YJS004").update(status="retired")  # withdrawn since: its first item still
    assert intake_url(ticket, zhang.applicant.pk).startswith(f"/workbench/applicants/{zhang.applicant.pk}/items/")


def test_a_walk_in_without_a_known_applicant_goes_to_identification(client, clerk_at, food_item):
    Ticket.objects.all().delete()
    ticket = issue_ticket(by=AnonymousUser(), point_code="fz-gulou", item_code=food_item.code)
    clerk = clerk_at("05")
    call_next(by=clerk)
    client.force_login(clerk)
    response = client.post(f"/workbench/tickets/{ticket.pk}/intake/", follow=True)
    assert response.redirect_chain[-1][0] == f"/workbench/?ticket={ticket.pk}"
    page = response.content.decode()
    assert f"请核验 {ticket.number} 号申请人的身份后受理“食品经营许可”。" in page
    assert f"正在办理 {ticket.number} 号：食品经营许可" in page

    identified = client.post("/workbench/", {**VISITOR, "ticket": ticket.pk})  # straight on to the ticket's item
    visitor = Applicant.objects.get(id_number=VISITOR["id_number"])
    assert identified["Location"] == f"/workbench/applicants/{visitor.pk}/items/{food_item.code}/"

    client.force_login(clerk_at("06"))  # not serving it: the ticket is ignored
    other = client.post("/workbench/", {**VISITOR, "ticket": ticket.pk})
    assert other["Location"] == f"/workbench/applicants/{visitor.pk}/"


def test_another_windows_ticket_or_no_window_is_refused(client, user_of, clerk_at, food_item):
    Ticket.objects.all().delete()
    ticket = issue_ticket(by=AnonymousUser(), point_code="fz-gulou", item_code=food_item.code)
    first = clerk_at("05")
    call_next(by=first)
    second = clerk_at("06")
    client.force_login(second)
    refused = client.post(f"/workbench/tickets/{ticket.pk}/intake/", follow=True).content.decode()
    assert "该号不在您的窗口。" in refused
    client.force_login(user_of("clerk_city"))
    assert (
        "请先选择您所在的窗口（开窗）。"
        in client.post(f"/workbench/tickets/{ticket.pk}/intake/", follow=True).content.decode()
    )
    client.force_login(user_of("approver_gulou"))
    assert client.post(f"/workbench/tickets/{ticket.pk}/intake/").status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CALLED
