"""预约办理 and 我的预约 through the test client: the happy path once, then every refusal in Chinese."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.appointments.conftest import PEOPLE, next_open_day
from tongban.appointments.choices import BookingStatus
from tongban.appointments.models import Booking
from tongban.appointments.services import MAX_OPEN_BOOKINGS, availability, book, service_point
from tongban.cases.choices import ApplicantKind
from tongban.cases.services import identify_applicant
from tongban.catalog.services import item_in_force

pytestmark = pytest.mark.django_db

ITEM = "000101008000"  # 个体工商户设立登记: city-wide, every district's market bureau
QINGCHENG = "350102001001"  # 庆城社区, 鼓楼区
BOOK = f"/items/{ITEM}/book/"


@pytest.fixture
def citizen(client, user_of):
    client.force_login(user_of("citizen_zhang"))
    return client


@pytest.fixture
def gulou_slots():
    """The Gulou hall's slots for the item on its next open day."""
    point = service_point("fz-gulou")
    return availability(point, item_in_force(ITEM), next_open_day(point))


def booking_page(client, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"place": QINGCHENG, **params}.items())
    response = client.get(f"{BOOK}?{query}")
    assert response.status_code == 200
    return response.content.decode()


def post_slot(client, starts_at: str, hall: str = "fz-gulou"):
    return client.post(f"{BOOK}?place={QINGCHENG}&hall={hall}", {"starts_at": starts_at})


def errors(response) -> list[str]:
    return re.findall(r'class="notice bad" role="alert">(.*?)</div>', response.content.decode())


def book_directly(user, slot, hall="fz-gulou") -> Booking:
    return book(
        by=user, applicant=user.applicant, item_code=ITEM, region_code=QINGCHENG, point_code=hall, starts_at=slot
    )


def test_the_guide_and_the_bundle_page_lead_to_booking(client):
    assert f'href="{BOOK}"' in client.get(f"/items/{ITEM}/").content.decode()
    assert 'href="/bundles/YJS003/book/"' in client.get("/bundles/YJS003/").content.decode()


def test_a_bundle_is_booked_at_a_hall_that_handles_every_member(client):
    page = client.get(f"/bundles/YJS003/book/?place={QINGCHENG}").content.decode()
    assert "开办餐饮店一件事" in page and "所约时段够办" in page
    assert len(re.findall(r'<div class="reason">', page)) >= 1
    assert client.get("/bundles/NOPE/book/").status_code == 404
    from tongban.catalog.models import BundleItem

    [m.delete() for m in BundleItem.objects.filter(bundle__code="YJS003") if not m.waits_for]  # all now wait
    assert client.get(f"/bundles/YJS003/book/?place={QINGCHENG}").status_code == 404


def test_the_applicant_picks_a_place_and_sees_the_recommended_halls_with_reasons(client):
    start = client.get(BOOK).content.decode()
    assert "庆城社区" in start and "<optgroup" in start and 'id="halls-title"' not in start
    page = booking_page(client)
    reasons = re.findall(r'<div class="reason">(.*?)</div>', page)
    assert len(reasons) == 5 and reasons[0] == "距您 0.0 公里，路程约 5 分钟，预计到达即可办理"
    assert "庆城社区便民服务站" in page and "选择此大厅" in page and "更换大厅" not in page
    assert client.get("/items/NOPE00000000/book/").status_code == 404


def test_a_position_from_the_browser_is_measured_from_and_named_by_the_nearest_place(client):
    page = client.get(f"{BOOK}?lat=26.0850&lng=119.2790").content.decode()
    assert "按您的定位，最近的社区（街道）是" in page
    first = re.search(r"<strong>(.*?)</strong> <span class=\"badge brand\">推荐</span>", page).group(1)
    assert first == "鼓楼区政务服务中心"
    for bad in ("lat=abc&lng=1", "lat=91&lng=119", "place=999999999"):
        assert 'id="halls-title"' not in client.get(f"{BOOK}?{bad}").content.decode()  # back to choosing a place


def test_a_citizen_books_a_slot_and_finds_it_in_my_bookings(citizen, gulou_slots):
    page = booking_page(citizen, hall="fz-gulou")
    starts = re.findall(r'name="starts_at" value="([^"]+)"', page)
    assert starts and "已选择" in page and "更换大厅" in page
    response = post_slot(citizen, starts[0])
    booking = Booking.objects.get()
    assert response["Location"] == f"/my/bookings/{booking.number}/"
    assert booking.service_point.code == "fz-gulou" and booking.department.name == "鼓楼区市场监督管理局"
    mine = citizen.get("/my/bookings/").content.decode()
    assert booking.number in mine and "个体工商户设立登记" in mine
    detail = citizen.get(f"/my/bookings/{booking.number}/").content.decode()
    assert "到场取号" in detail and "取消预约" in detail and "改约" in detail


def test_visitors_see_slots_but_must_log_in_to_book(client, gulou_slots):
    page = booking_page(client, hall="fz-gulou")
    assert "登录后预约" in page and " disabled>" in page
    assert errors(post_slot(client, gulou_slots[0].starts_at.isoformat())) == ["请先登录再预约。"]
    assert not Booking.objects.exists()


def test_staff_without_an_applicant_record_cannot_book_for_themselves(client, user_of, gulou_slots):
    client.force_login(user_of("hall_gulou"))
    [message] = errors(post_slot(client, gulou_slots[0].starts_at.isoformat()))
    assert "实名认证" in message and not Booking.objects.exists()


def test_over_the_limit_of_open_bookings_says_so_in_chinese(citizen, user_of, gulou_slots):
    zhang = user_of("citizen_zhang")
    for slot in gulou_slots[:MAX_OPEN_BOOKINGS]:
        book_directly(zhang, slot.starts_at)
    [message] = errors(post_slot(citizen, gulou_slots[MAX_OPEN_BOOKINGS].starts_at.isoformat()))
    assert message == "每人最多同时持有 3 个未到期的预约，请先取消或办理已有预约。"
    assert Booking.objects.count() == MAX_OPEN_BOOKINGS


@pytest.mark.parametrize("when", ["past", "off-grid", "garbage", "naive"])
def test_a_past_or_made_up_slot_is_refused(citizen, gulou_slots, when):
    first = gulou_slots[0].starts_at
    value = {
        "past": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "off-grid": (first + datetime.timedelta(minutes=7)).isoformat(),
        "garbage": "明天上午",
        "naive": first.replace(tzinfo=None).isoformat(),
    }[when]
    assert errors(post_slot(citizen, value)) in (["所选时间不是可预约的时段。"], ["只能预约今天起 14 天内的时段。"])
    assert not Booking.objects.exists()


def test_a_hall_that_cannot_handle_the_item_for_the_place_offers_no_slots(citizen):
    page = booking_page(citizen, hall="fz-cangshan-nowhere")
    assert 'id="slots"' not in page
    assert errors(post_slot(citizen, timezone.now().isoformat(), hall="fz-cangshan-nowhere")) == []
    assert not Booking.objects.exists()


def test_someone_elses_booking_is_not_found(citizen, user_of, gulou_slots):
    other = identify_applicant(kind=ApplicantKind.PERSON, id_number=PEOPLE[0], name="李四")
    theirs = book(
        by=user_of("clerk_gulou"),
        applicant=other,
        item_code=ITEM,
        region_code=QINGCHENG,
        point_code="fz-gulou",
        starts_at=gulou_slots[0].starts_at,
    )
    url = f"/my/bookings/{theirs.number}/"
    assert citizen.get(url).status_code == 404
    assert citizen.get(url + "reschedule/").status_code == 404
    assert citizen.post(url + "cancel/").status_code == 404
    assert citizen.post(url + "check-in/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == BookingStatus.BOOKED


def test_cancelling_says_when_the_slot_reopens_and_cancelling_again_is_refused(citizen, user_of, gulou_slots):
    booking = book_directly(user_of("citizen_zhang"), gulou_slots[0].starts_at)
    response = citizen.post(f"/my/bookings/{booking.number}/cancel/", follow=True)
    page = response.content.decode()
    assert re.search(r"已取消。为防止号源倒卖，该时段将于 \d\d:\d\d 后重新开放预约。", page)
    assert "到场取号" not in page
    again = citizen.post(f"/my/bookings/{booking.number}/cancel/", follow=True).content.decode()
    assert "预约当前状态为“已取消”，不能再更改。" in again
    assert citizen.get(f"/my/bookings/{booking.number}/cancel/").status_code == 405


def test_rescheduling_moves_the_booking_and_keeps_the_old_number_pointing_at_the_new(citizen, user_of, gulou_slots):
    booking = book_directly(user_of("citizen_zhang"), gulou_slots[0].starts_at)
    page = citizen.get(f"/my/bookings/{booking.number}/reschedule/").content.decode()
    starts = re.findall(r'name="starts_at" value="([^"]+)"', page)
    response = citizen.post(f"/my/bookings/{booking.number}/reschedule/", {"starts_at": starts[2]})
    moved = Booking.objects.get(status=BookingStatus.BOOKED)
    assert response["Location"] == f"/my/bookings/{moved.number}/"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.rescheduled_to == moved
    refused = citizen.post(f"/my/bookings/{moved.number}/reschedule/", {"starts_at": "2000-01-01T09:00:00+08:00"})
    assert errors(refused) == ["只能预约今天起 14 天内的时段。"]
    assert citizen.get(f"/my/bookings/{booking.number}/reschedule/")["Location"] == f"/my/bookings/{booking.number}/"


def test_checking_in_outside_the_time_around_the_slot_is_refused(citizen, user_of, gulou_slots):
    booking = book_directly(user_of("citizen_zhang"), gulou_slots[-1].starts_at)
    page = citizen.get(f"/my/bookings/{booking.number}/").content.decode()
    assert "起到场取号" in page and 'action="/my/bookings/' + booking.number + '/check-in/"' not in page
    refused = citizen.post(f"/my/bookings/{booking.number}/check-in/", follow=True).content.decode()
    assert "请在预约时段开始前 2 小时至开始后 30 分钟内到场取号。" in refused


def test_checking_in_at_the_slot_gives_a_ticket_and_its_status_page(citizen, user_of, gulou_slots, time_machine):
    booking = book_directly(user_of("citizen_zhang"), gulou_slots[0].starts_at)
    time_machine.move_to(booking.starts_at - datetime.timedelta(minutes=10))
    response = citizen.post(f"/my/bookings/{booking.number}/check-in/")
    ticket = Booking.objects.get().ticket
    assert response["Location"] == f"/queue/fz-gulou/tickets/{ticket.number}/"
    assert ticket.number.startswith("Y") and ticket.applicant.user == user_of("citizen_zhang")
    detail = citizen.get(f"/my/bookings/{booking.number}/").content.decode()
    assert "查看排队进度" in detail and "取消预约" not in detail


def test_the_booking_pages_speak_english_too(client, user_of):
    client.force_login(user_of("citizen_zhang"))
    page = client.get(f"{BOOK}?place={QINGCHENG}&hall=fz-gulou", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Recommended halls" in page and "km from you" in page and "Choose a slot" in page
    assert "My bookings" in client.get("/my/bookings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_my_bookings_costs_the_same_queries_however_many_bookings(citizen, user_of, gulou_slots):
    zhang = user_of("citizen_zhang")
    citizen.get("/my/bookings/")  # per-process caches (roles, calendar) filled
    counts = []
    for slot in gulou_slots[:2]:
        book_directly(zhang, slot.starts_at)
        with CaptureQueriesContext(connection) as queries:
            assert citizen.get("/my/bookings/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_bundle_visit_holds_the_slots_of_every_item_that_starts_at_once_and_keeps_them_when_moved(citizen):
    from tongban.appointments.models import VisitProfile
    from tongban.appointments.services import reschedule, visit_of

    visit = visit_of(bundle_code="YJS004")  # 新生儿出生: two items start at once
    bundle, starting = visit.bundle, [visit.item, *visit.along_with]
    assert len(starting) >= 2
    for item in starting:
        VisitProfile.objects.update_or_create(item_code=item.code, defaults={"slots_per_visit": 2})
    page = citizen.get(f"/bundles/YJS004/book/?place={QINGCHENG}&hall=fz-gulou").content.decode()
    assert f"现在即可办理的 {len(starting)} 个事项" in page and starting[1].name in page
    starts = re.findall(r'name="starts_at" value="([^"]+)"', page)
    citizen.post(f"/bundles/YJS004/book/?place={QINGCHENG}&hall=fz-gulou", {"starts_at": starts[0]})
    booking = Booking.objects.get()
    slot_minutes = 15
    assert (booking.bundle_code, booking.item_name) == ("YJS004", bundle.name)
    assert booking.holds.count() == 2 * len(starting)
    assert booking.ends_at - booking.starts_at == datetime.timedelta(minutes=slot_minutes * 2 * len(starting))
    later = [s for s in starts if s > starts[0] and s >= booking.ends_at.isoformat()]
    moved = reschedule(booking, by=booking.applicant.user, starts_at=datetime.datetime.fromisoformat(later[-1]))
    assert moved.bundle_code == "YJS004" and moved.holds.count() == 2 * len(starting)
    mine = citizen.get("/my/bookings/").content.decode()
    assert bundle.name in mine
