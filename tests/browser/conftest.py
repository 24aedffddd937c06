"""Browser tests: Debian's Chromium driven by Playwright against a live server.

Never ``playwright install``: the browser is the system's (``apt-get install chromium``, done by
``make test``). Each test starts from the demo city (serialized rollback) and saves screenshots of
the pages it walks through under ``var/screenshots/``.
"""

import os
from pathlib import Path

import pytest

# Playwright's synchronous API runs an event loop in the test's thread; Django's ORM refuses to run
# where it sees one unless told that this thread is not serving async requests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "tongban-demo"
DESK = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("浏览器测试需要 Debian 的 Chromium：apt-get install -y chromium（make test 会自动安装）")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()


class Session:
    """One person at one browser: logs in, visits, and keeps screenshots of what they saw."""

    def __init__(self, browser, base_url: str, viewport: dict):
        self.context = browser.new_context(locale="zh-CN", viewport=viewport)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.base_url = base_url

    def go(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def login(self, username: str):
        self.context.clear_cookies()
        page = self.go("/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        return page

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def desk(browser, live_server):
    session = Session(browser, live_server.url, DESK)
    yield session
    session.context.close()


@pytest.fixture
def phone(browser, live_server):
    session = Session(browser, live_server.url, PHONE)
    yield session
    session.context.close()
