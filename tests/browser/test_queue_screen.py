"""The pages in a real browser (Debian's Chromium through Playwright) against a live server.

Data is set up before the browser starts; while it runs, everything goes through the pages.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESK, Session
from tongban.queueing.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_ticket_from_the_kiosk_called_from_the_panel_shows_on_the_big_screen(browser, live_server, desk):
    screen, kiosk = Session(browser, live_server.url, DESK), Session(browser, live_server.url, DESK)
    waiting_before = Ticket.objects.count()  # the demo city has a few people waiting today
    try:
        screen.go("/queue/fz-gulou/display/")
        board = screen.page.locator("#board")
        expect(board).to_contain_text("暂无叫号")

        start = kiosk.login("kiosk_gulou")  # the hall's kiosk account logs in straight to its kiosk
        expect(start).to_have_url(re.compile(r"/queue/fz-gulou/kiosk/$"))
        start.get_by_label("查找事项").fill("spjy")
        start.get_by_role("button", name="查找").click()
        item = start.get_by_role("button", name="食品经营许可")
        item.dblclick()  # a double tap takes one ticket
        expect(start.locator("[data-ticket]")).to_have_text(re.compile(r"A\d{3}"))
        number = start.locator("[data-ticket]").inner_text()
        assert Ticket.objects.count() == waiting_before + 1
        expect(start.locator(".qr svg")).to_be_visible()
        kiosk.shot("queue-kiosk-slip")
        start.get_by_role("link", name="完成").click()
        expect(start.get_by_role("heading", name="请选择办理事项")).to_be_visible()
        expect(start.get_by_role("button", name="食品经营许可")).to_be_visible()  # now among the frequent items
        kiosk.shot("queue-kiosk")
        start.get_by_role("button", name="新生儿出生一件事").click()  # a 一件事: one ticket for what it starts
        expect(start.locator(".slip")).to_contain_text("新生儿出生一件事（一次办理 2 项）")
        kiosk.shot("queue-kiosk-bundle-slip")
        start.get_by_role("link", name="完成").click()
        expect(board).to_contain_text(number, timeout=15_000)  # waiting

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
        kiosk.context.close()
