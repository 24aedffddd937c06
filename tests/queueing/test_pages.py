import pytest
from django.test import Client
from django.utils import timezone

from tongban.catalog.models import Item
from tongban.demo import queue_demo
from tongban.directory.models import ServicePoint
from tongban.queueing.models import Ticket
from tongban.queueing.services import issue_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    return Client()


def test_the_big_screen_is_public_and_polls_its_board(browser, user_of, food_item):
    issue_ticket(by=user_of("clerk_gulou"), point_code="fz-gulou", item_code=food_item.code)
    page = browser.get("/queue/fz-gulou/display/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "鼓楼区政务服务中心" in html and 'hx-trigger="every 3s"' in html
    assert "core/vendor/htmx.min.js" in html and "演示数据" in html
    board = browser.get("/queue/fz-gulou/display/board/").content.decode()
    assert "当前等候" in board and "A001" in board
    assert browser.get("/queue/nowhere/display/").status_code == 404


def test_the_panel_needs_a_logged_in_clerk_of_a_hall(browser, user_of):
    assert browser.get("/queue/panel/")["Location"] == "/login/?next=/queue/panel/"  # the project's one login
    browser.force_login(user_of("approver_gulou"))
    assert browser.get("/queue/panel/").status_code == 403
    browser.force_login(user_of("clerk_gulou"))
    page = browser.get("/queue/panel/").content.decode()
    assert "请选择您所在的窗口" in page
    assert 'aria-current="page">叫号</a>' in page and "综窗受理" in page  # the staff pages' navigation


def test_a_clerk_opens_a_window_and_calls_from_the_panel(browser, user_of, gulou_window, food_item):
    clerk = user_of("clerk_gulou")
    issue_ticket(by=clerk, point_code="fz-gulou", item_code=food_item.code)
    browser.force_login(clerk)
    htmx = {"HTTP_HX_REQUEST": "true"}
    opened = browser.post("/queue/panel/open/", {"window": gulou_window("02").pk}, **htmx).content.decode()
    assert "您在 02 号窗口" in opened and "叫下一位" in opened
    called = browser.post("/queue/panel/call_next/", **htmx).content.decode()
    ticket = Ticket.objects.get()
    assert ticket.status == "called" and 'data-ticket="A001"' in called
    browser.post("/queue/panel/finish/", {"ticket": ticket.pk}, **htmx)
    ticket.refresh_from_db()
    assert ticket.status == "finished"
    empty = browser.post("/queue/panel/call_next/", **htmx).content.decode()
    assert "当前没有本窗口可办理的等候号" in empty
    assert browser.post("/queue/panel/close/")["Location"] == "/queue/panel/"  # without htmx: back to the page


def test_the_project_login_leads_a_clerk_back_to_the_panel(browser):
    page = browser.post(
        "/login/?next=/queue/panel/", {"username": "clerk_gulou", "password": "tongban-demo", "next": "/queue/panel/"}
    )
    assert page["Location"] == "/queue/panel/"
    assert browser.get("/queue/login/").status_code == 404


def test_the_planner_page_for_hall_admins_with_its_chart(browser, user_of):
    gulou = ServicePoint.objects.get(code="fz-gulou")
    assert "没有取号记录" in _planner_page(browser, user_of, gulou)
    items = {i.name: i for i in Item.objects.in_force().filter(name__in=[m[0] for m in queue_demo.VISIT_MIX])}
    queue_demo._history(gulou, items, 80, timezone.localdate())  # the demo's past days of finished tickets
    browser.force_login(user_of("hall_gulou"))
    page = browser.get("/planner/fz-gulou/?target=80&within=10")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<polyline" in html and "综合窗口" in html and "Erlang C" in html
    assert browser.get("/planner/fz-cangshan/").status_code == 403
    assert "鼓楼区政务服务中心" in browser.get("/planner/").content.decode()
    browser.force_login(user_of("clerk_gulou"))
    assert browser.get("/planner/fz-gulou/").status_code == 403
    browser.force_login(user_of("supervisor"))
    assert browser.get("/planner/fz-city/").status_code == 200


def _planner_page(browser, user_of, point) -> str:
    browser.force_login(user_of("hall_gulou"))
    return browser.get(f"/planner/{point.code}/").content.decode()
