"""The pages in a real browser (Debian's Chromium through Playwright) against a live server.

Data is set up before the browser starts; while it runs, everything goes through the pages.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESK, Session
from tongban.queueing.services import issue_ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_call_from_the_panel_shows_on_the_big_screen_without_a_reload(browser, live_server, desk, user_of, food_item):
    issue_ticket(by=user_of("clerk_gulou"), point_code="fz-gulou", item_code=food_item.code)
    screen = Session(browser, live_server.url, DESK)
    try:
        screen.go("/queue/fz-gulou/display/")
        board = screen.page.locator("#board")
        expect(board).to_contain_text("暂无叫号")
        expect(board).to_contain_text("A001")  # waiting

        desk.login("clerk_gulou")  # the project's login, then the staff pages' own navigation
        panel = desk.page
        panel.get_by_role("link", name="叫号", exact=True).click()
        panel.get_by_label("请选择您所在的窗口开始叫号").select_option(label="05 综合窗口（无差别全科受理）")
        panel.get_by_role("button", name="开窗").click()
        expect(panel.locator("#panel")).to_contain_text("您在 05 号窗口")
        panel.get_by_role("button", name="叫下一位").click()
        expect(panel.locator("[data-ticket]")).to_contain_text("A001")
        desk.shot("queue-panel-called")

        expect(board).to_contain_text("05 号窗口", timeout=15_000)  # the board polls every 3 s
        screen.shot("queue-display")

        panel.get_by_role("button", name="办结").click()
        expect(panel.locator("#panel")).to_contain_text("叫下一位")
        expect(board).to_contain_text("今日已办结 1", timeout=15_000)
    finally:
        screen.context.close()
