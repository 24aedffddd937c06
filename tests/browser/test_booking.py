"""A booking at the recommended hall: the citizen (at the Gulou hall, by the phone's position) books
个体工商户设立登记 at the first hall recommended, checks in when the slot comes, is called before the
walk-in who came earlier, is served at the window (即办件, done on the spot) and rates the service.

The clock runs on a working day the hall is open (time-machine moves the whole process, live server
included); the walk-in ticket is set up before the browser starts, everything else goes through the pages.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from playwright.sync_api import expect

from tests.appointments.conftest import next_open_day
from tongban.appointments.models import Booking
from tongban.cases.choices import State
from tongban.cases.models import Case
from tongban.catalog.models import Item
from tongban.directory.models import ServicePoint
from tongban.queueing.services import issue_ticket
from tongban.ratings.models import Rating

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ITEM = "个体工商户设立登记"
GULOU_HALL = {"latitude": 26.0850, "longitude": 119.2790}  # 鼓楼区政务服务中心 (demo city)


@pytest.fixture
def opening_morning(time_machine):
    """09:50 on the next day the Gulou hall opens, with one walk-in already waiting (A001)."""
    hall = ServicePoint.objects.prefetch_related("opening_periods").get(code="fz-gulou")
    day = next_open_day(hall)
    time_machine.move_to(timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 50))), tick=True)
    walk_in = issue_ticket(
        by=AnonymousUser(), point_code="fz-gulou", item_code=Item.objects.in_force().get(name=ITEM).code
    )
    assert walk_in.number == "A001"
    return time_machine


def test_a_booking_at_the_recommended_hall_called_at_its_slot_then_rated(opening_morning, phone, desk):
    citizen = phone.login("citizen_zhang")
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation(GULOU_HALL)
    page = phone.go("/search/?q=个体户")
    page.get_by_role("link", name=ITEM).click()
    page.get_by_role("link", name="预约办理").click()
    page.get_by_role("button", name="使用我的位置").click()
    halls = page.get_by_role("region", name="推荐大厅")
    first = halls.get_by_role("listitem").first
    expect(first).to_contain_text("鼓楼区政务服务中心")
    expect(first).to_contain_text("推荐")
    expect(first.locator(".reason")).to_have_text(re.compile(r"距您 0\.0 公里，路程约 5 分钟，预计到达即可办理"))
    phone.shot("portal-booking-recommended")
    first.get_by_role("link", name="选择此大厅").click()
    slots = page.get_by_role("region", name=re.compile("选择时段"))
    slot = slots.locator("button.slot:not([disabled])").first
    expect(slot).to_contain_text("10:00–10:15")
    phone.shot("portal-booking-slots")
    slot.click()
    expect(page.get_by_text(re.compile("预约成功，预约号 YY"))).to_be_visible()
    booking = Booking.objects.get(applicant__user__username="citizen_zhang")
    expect(page.locator("[data-booking]")).to_have_text(booking.number)
    assert booking.service_point.code == "fz-gulou" and booking.department.region.code.startswith("350102")
    phone.shot("portal-booking-confirmed")
    page.get_by_role("link", name="我的预约").first.click()
    expect(page.get_by_role("link", name=ITEM)).to_be_visible()
    phone.shot("portal-my-bookings")

    # At the hall, a minute into the slot: check in from the phone; the booked ticket goes first.
    opening_morning.move_to(booking.starts_at + datetime.timedelta(minutes=1), tick=True)
    page = phone.go(f"/my/bookings/{booking.number}/")
    page.get_by_role("button", name="到场取号").click()
    expect(page.get_by_text(re.compile("取号成功，您的号码是 Y002"))).to_be_visible()
    expect(page.locator(".ahead")).to_have_text("0")  # the walk-in A001 came earlier but waits
    phone.shot("portal-ticket-waiting")

    clerk = desk.login("clerk_gulou")
    panel = clerk.locator("#panel")
    expect(panel).to_contain_text("等候 2 人")
    panel.get_by_label("请选择您所在的窗口开始叫号").select_option(label="05 综合窗口（无差别全科受理）")
    panel.get_by_role("button", name="开窗").click()
    panel.get_by_role("button", name="叫下一位").click()
    expect(panel.locator("[data-ticket]")).to_have_text("Y002")
    expect(panel).to_contain_text("张伟")
    desk.shot("workbench-queue-called")
    expect(citizen.get_by_text("请到 05 号窗口办理")).to_be_visible(timeout=15_000)  # the phone polls every 5 s
    phone.shot("portal-ticket-called")

    panel.get_by_role("button", name="为其受理").click()
    expect(clerk.get_by_role("heading", name=re.compile(ITEM))).to_be_visible()
    clerk.get_by_label("申请人姓名（名称）", exact=True).fill("张伟")
    clerk.get_by_label("申请人公民身份号码", exact=True).fill("350104198803151230")
    clerk.get_by_label("经营范围", exact=True).fill("预包装食品零售")
    clerk.get_by_label("住所（经营场所）", exact=True).fill("福州市鼓楼区鼓东街道庆城路 8 号")
    clerk.get_by_label("联系电话", exact=True).fill("13905910001")
    for box in clerk.locator("ul.checks input[type=checkbox]").all():
        box.check()
    clerk.get_by_role("button", name="即办件：当场办结").click()
    expect(clerk.locator(".badge", has_text="准予许可").first).to_be_visible()
    case = Case.objects.get(applicant__user__username="citizen_zhang")
    assert case.state == State.APPROVED and case.service_point.code == "fz-gulou"
    clerk.get_by_role("link", name="综窗受理").click()
    expect(clerk.locator("#panel [data-ticket]")).to_have_text("Y002")
    clerk.locator("#panel").get_by_role("button", name="办结").click()
    expect(clerk.locator("#panel")).to_contain_text("叫下一位")
    expect(citizen.get_by_text("已办结，感谢您的耐心等候。")).to_be_visible(timeout=15_000)

    page = phone.go(f"/my/cases/{case.number}/")
    page.get_by_role("link", name="评价本次服务").click()
    page.get_by_label("不满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("选择“不满意”或“非常不满意”时请写明原因")).to_be_visible()  # a bad rating says why
    page.get_by_label("非常满意", exact=True).check()
    page.get_by_label("评价内容").fill("预约后准点叫号，当场办结")
    phone.shot("portal-rating")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("感谢您的评价！")).to_be_visible()
    expect(page.locator(".badge", has_text="非常满意")).to_be_visible()
    phone.shot("portal-case-rated")
    rating = Rating.objects.get()
    assert rating.case == case and rating.level == 5 and rating.service_point.code == "fz-gulou"
    assert rating.staff.username == "clerk_gulou" and not hasattr(rating, "follow_up")
