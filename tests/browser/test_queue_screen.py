"""The pages in a real browser (Debian's Chromium through Playwright) against a live server.

Data is set up before the browser starts; while it runs, everything goes through the pages.
"""

import pytest
from playwright.sync_api import expect

from tongban.queueing.services import issue_ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def log_in_to_panel(page, url: str) -> None:
    page.goto(f"{url}/queue/panel/")
    page.fill("#id_username", "clerk_gulou")
    page.fill("#id_password", "tongban-demo")
    page.click("button[type=submit]")


def test_a_call_from_the_panel_shows_on_the_big_screen_without_a_reload(browser, live_server, user_of, food_item):
    issue_ticket(by=user_of("clerk_gulou"), point_code="fz-gulou", item_code=food_item.code)
    context = browser.new_context(locale="zh-CN")
    try:
        screen = context.new_page()
        screen.goto(f"{live_server.url}/queue/fz-gulou/display/")
        board = screen.locator("#board")
        expect(board).to_contain_text("暂无叫号")
        expect(board).to_contain_text("A001")  # waiting

        panel = context.new_page()
        log_in_to_panel(panel, live_server.url)
        panel.select_option("select[name=window]", label="05 综合窗口（无差别全科受理）")
        panel.click("text=开窗")
        expect(panel.locator("#panel")).to_contain_text("您在 05 号窗口")
        panel.click("text=叫下一位")
        expect(panel.locator("[data-ticket]")).to_contain_text("A001")

        expect(board).to_contain_text("05 号窗口", timeout=15_000)  # the board polls every 3 s

        panel.click("text=办结")
        expect(panel.locator("#panel")).to_contain_text("叫下一位")
        expect(board).to_contain_text("今日已办结 1", timeout=15_000)
    finally:
        context.close()
