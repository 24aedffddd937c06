"""好差评 pages: rate a completed case once, a bad rating needs a reason (kept when refused), only one's own."""

import pytest

from tongban.directory.models import Window
from tongban.queueing.models import Ticket, TicketSequence
from tongban.queueing.services import call_next, finish, issue_ticket, open_window
from tongban.ratings.models import FollowUp, Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_case(zhang, window_case_of):
    return window_case_of(zhang.applicant)


def test_a_completed_case_asks_for_a_rating_and_takes_one(client, zhang, done_case):
    client.force_login(zhang)
    case_page = client.get(f"/my/cases/{done_case.number}/").content.decode()
    assert "好差评" in case_page and f"/my/cases/{done_case.number}/rate/" in case_page
    form = client.get(f"/my/cases/{done_case.number}/rate/").content.decode()
    assert all(level in form for level in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"))
    response = client.post(f"/my/cases/{done_case.number}/rate/", {"level": "5", "comment": "很快"})
    assert response["Location"] == f"/my/cases/{done_case.number}/"
    rated = client.get(response["Location"]).content.decode()
    assert "您的评价：" in rated and "非常满意" in rated and "评价本次服务" not in rated


def test_a_bad_rating_without_a_reason_is_refused_next_to_the_field_and_nothing_is_lost(client, zhang, done_case):
    client.force_login(zhang)
    url = f"/my/cases/{done_case.number}/rate/"
    page = client.post(url, {"level": "1", "comment": ""}).content.decode()
    assert "选择“不满意”或“非常不满意”时请写明原因" in page and "请写明不满意的原因" in page
    assert 'value="1" checked' in page.replace("checked\n", "checked") or "checked" in page
    assert not Rating.objects.exists()
    response = client.post(url, {"level": "1", "comment": "材料清单与窗口要求不一致"}, follow=True)
    assert "感谢您的评价。我们将于" in response.content.decode()
    assert FollowUp.objects.get().rating.comment == "材料清单与窗口要求不一致"


def test_rating_twice_shows_the_first_and_changes_nothing(client, zhang, done_case):
    client.force_login(zhang)
    url = f"/my/cases/{done_case.number}/rate/"
    client.post(url, {"level": "4"})
    page = client.post(url, {"level": "1", "comment": "改评"}).content.decode()
    assert "每次服务只能评价一次" in page
    assert Rating.objects.get().level == 4


def test_a_case_not_yours_or_not_completed_cannot_be_rated(client, zhang, user_of, window_case_of):
    open_case = window_case_of(zhang.applicant, done=False)
    client.force_login(zhang)
    refused = client.post(f"/my/cases/{open_case.number}/rate/", {"level": "5"}).content.decode()
    assert "办件办结后才能评价。" in refused
    assert "好差评" not in client.get(f"/my/cases/{open_case.number}/").content.decode()
    client.force_login(user_of("enterprise_rongyun"))
    assert client.get(f"/my/cases/{open_case.number}/rate/").status_code == 404
    assert client.post(f"/my/cases/{open_case.number}/rate/", {"level": "5"}).status_code == 404
    client.logout()
    assert client.get(f"/my/cases/{open_case.number}/rate/")["Location"].startswith("/login/")
    assert not Rating.objects.exists()


def test_a_finished_visit_is_rated_from_its_ticket_and_only_by_its_visitor(client, zhang, user_of, food_item):
    Ticket.objects.all().delete()
    TicketSequence.objects.all().delete()
    ticket = issue_ticket(by=zhang, point_code="fz-gulou", item_code=food_item.code)
    clerk = user_of("clerk_gulou")
    open_window(by=clerk, window_id=Window.objects.get(service_point__code="fz-gulou", number="05").pk)
    finish(call_next(by=clerk), by=clerk)
    client.force_login(user_of("enterprise_rongyun"))
    assert client.get(f"/my/tickets/{ticket.pk}/rate/").status_code == 404
    client.force_login(zhang)
    response = client.post(f"/my/tickets/{ticket.pk}/rate/", {"level": "3"})
    assert response["Location"] == f"/queue/fz-gulou/tickets/{ticket.number}/"
    rating = Rating.objects.get()
    assert rating.ticket == ticket and rating.window.number == "05" and rating.get_level_display() == "基本满意"
    assert "您的评价：基本满意" in client.get(response["Location"]).content.decode()
