"""现在去办 to the hall's kiosk: the citizen (by the phone's position, next to the Gulou hall) sets off for the
Gulou hall, and the hall's kiosk takes their ticket with the trip's 取号码; the phone then follows the queue.

The clock runs at 10:00 on a working day (time-machine moves the whole process, live server included).
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.queueing.conftest import next_working_day
from tongban.queueing.models import Referral, Ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ITEM = "000101008000"  # 个体工商户设立登记
GULOU_HALL = {"latitude": 26.0850, "longitude": 119.2790}  # 鼓楼区政务服务中心 (demo city)


def test_set_off_for_a_hall_then_take_the_ticket_at_its_kiosk_with_the_code(time_machine, phone, desk):
    day = next_working_day()
    at_ten = datetime.datetime.combine(day, datetime.time(10, 0))
    time_machine.move_to(timezone.make_aware(at_ten), tick=True)
    page = phone.login("citizen_zhang")
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation(GULOU_HALL)
    page = phone.go(f"/items/{ITEM}/")
    page.get_by_role("link", name="现在去办").click()
    page.get_by_role("button", name="使用我的位置").click()
    halls = page.get_by_role("region", name="推荐大厅")
    expect(halls.get_by_role("listitem").first).to_contain_text("距您")
    expect(halls).to_contain_text("推荐您去")
    phone.shot("portal-go-now")
    halls.get_by_role("listitem").filter(has_text="鼓楼区政务服务中心").get_by_role("button", name="去这里").click()
    expect(page.get_by_role("heading", name="鼓楼区政务服务中心")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    code = page.locator("[data-code]").inner_text()
    phone.shot("portal-trip")

    kiosk = desk.login("kiosk_gulou")
    kiosk.get_by_label("预约号、身份证号码或取号码").fill(code)
    kiosk.get_by_role("button", name="取号", exact=True).click()
    expect(kiosk.locator("[data-ticket]")).to_have_text(re.compile(r"A\d{3}"))
    number = kiosk.locator("[data-ticket]").inner_text()
    ticket = Ticket.objects.get(number=number, day=day)
    assert ticket.referral == Referral.objects.get() and ticket.applicant.name == "张伟"

    page.reload()  # the trip is over: the phone now shows the ticket
    expect(page.locator("[data-ticket]")).to_have_text(number)
    expect(page.locator("#ticket")).to_contain_text("前面还有")
