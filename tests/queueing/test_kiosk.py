import pytest
from django.urls import reverse
from django.utils import timezone

from tests.queueing.conftest import booking_due_soon
from tongban.appointments.choices import BookingStatus
from tongban.cases.choices import ApplicantKind
from tongban.cases.services import identify_applicant
from tongban.catalog.models import Item
from tongban.queueing.choices import TicketKind
from tongban.queueing.models import Ticket
from tongban.queueing.services import issue_ticket

pytestmark = pytest.mark.django_db

KIOSK = reverse("queueing:kiosk", args=["fz-gulou"])
TAKE = reverse("queueing:kiosk-take", args=["fz-gulou"])


@pytest.fixture
def kiosk(client, user_of):
    """The 鼓楼 hall's kiosk, signed in as one of the hall's clerks."""
    client.force_login(user_of("clerk_gulou"))
    return client


def _item_buttons(page) -> list[str]:
    return [choice.code for choice in page.context["choices"]]


def test_the_kiosk_offers_the_halls_frequent_items_first_and_finds_others_by_pinyin(
    kiosk, user_of, food_item, police_item
):
    for item in (police_item, police_item, food_item):
        issue_ticket(by=user_of("clerk_gulou"), point_code="fz-gulou", item_code=item.code)
    page = kiosk.get(KIOSK)
    assert page.status_code == 200 and "请选择办理事项" in page.content.decode()
    assert _item_buttons(page)[:2] == [police_item.code, food_item.code]

    found = kiosk.get(KIOSK, {"q": "spjy"})
    assert food_item.code in _item_buttons(found) and police_item.code not in _item_buttons(found)


def test_a_walk_in_takes_a_ticket_and_gets_a_slip_to_follow_it_on_a_phone(kiosk, food_item):
    answer = kiosk.post(TAKE, {"item": food_item.code})
    ticket = Ticket.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("queueing:kiosk-slip", args=["fz-gulou", ticket.number])
    assert ticket.kind == TicketKind.WALK_IN and ticket.item_code == food_item.code and ticket.applicant is None

    slip = kiosk.get(answer.url)
    html = slip.content.decode()
    assert ticket.number in html and "前面还有 0 人" in html and "<svg" in html
    assert slip.context["follow"].endswith(reverse("queueing:ticket", args=["fz-gulou", ticket.number]))
    assert 'http-equiv="refresh"' in html  # back to the start for the next visitor


def test_an_item_the_hall_cannot_handle_is_refused_with_where_to_go(kiosk):
    answer = kiosk.post(TAKE, {"item": "001605001000"})  # 永泰庄寨保护修缮补助申请: only in 永泰
    html = answer.content.decode()
    assert answer.status_code == 403 and "不能办理" in html and "请到可办理的网点取号" in html
    missing = kiosk.post(TAKE, {"item": "NOSUCHITEM"})
    assert missing.status_code == 404 and "不存在" in missing.content.decode()
    assert not Ticket.objects.exists()


def test_only_the_halls_own_staff_run_its_kiosk(client, user_of):
    assert client.get(KIOSK).status_code == 302  # to the login
    for username in ("clerk_city", "citizen_zhang", "approver_gulou"):
        client.force_login(user_of(username))
        assert client.get(KIOSK).status_code == 403, username
        assert client.post(TAKE, {"item": "000101009000"}).status_code == 403, username
    client.force_login(user_of("hall_gulou"))  # the admin of the 鼓楼 hall
    assert client.get(KIOSK).status_code == 200
    assert not Ticket.objects.exists()


def test_a_booked_visitor_checks_in_by_id_card_or_booking_number(kiosk, food_item):
    by_card = identify_applicant(kind=ApplicantKind.PERSON, id_number="110105194912310038", name="刷卡者")
    booking = booking_due_soon(by_card, food_item)
    answer = kiosk.post(TAKE, {"booking": " 1101 0519 4912 3100 38 "})
    ticket = Ticket.objects.get(booking=booking)
    assert answer.status_code == 302 and ticket.kind == TicketKind.BOOKED and ticket.applicant == by_card
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN

    by_number = identify_applicant(kind=ApplicantKind.PERSON, id_number="110105194912310046", name="报号者")
    second = booking_due_soon(by_number, food_item)
    assert kiosk.post(TAKE, {"booking": second.number.lower()}).status_code == 302
    assert Ticket.objects.filter(booking=second, kind=TicketKind.BOOKED).exists()


def test_check_in_at_the_kiosk_says_what_is_wrong(kiosk, food_item):
    def refused(value: str) -> tuple[int, str]:
        answer = kiosk.post(TAKE, {"booking": value})
        return answer.status_code, answer.content.decode()

    status, html = refused("")
    assert status == 400 and "请输入预约号、身份证号码或取号码" in html
    status, html = refused("110105194912310039")  # check digit wrong: said without repeating it
    assert status == 400 and "证件号码无效" in html and "19491231" not in html
    status, html = refused("110105194912310038")  # a valid ID with nothing booked here
    assert status == 404 and "没有您可取号的预约（预约时段开始前 2 小时至开始后 30 分钟内可取号）" in html
    status, html = refused("YY000000DEADBEEF")
    assert status == 404 and "没有这个预约号" in html
    status, html = refused("1101051949")  # a mistyped ID: not repeated for the next visitor to read
    assert status == 400 and "无法识别该号码" in html and "1101051949" not in html
    assert 'http-equiv="refresh"' in html  # the error does not stay for the next visitor
    assert f'action="{KIOSK}"' in html  # searching from the error page goes back to the kiosk

    person = identify_applicant(kind=ApplicantKind.PERSON, id_number="110105194912310046", name="走错厅")
    elsewhere = booking_due_soon(person, food_item, point_code="fz-cangshan", region_code="350104")
    status, html = refused(elsewhere.number)
    assert status == 409 and "请到该网点取号" in html
    status, html = refused(person.id_number)  # by card: only bookings at this hall are looked for
    assert status == 404
    assert not Ticket.objects.exists()


def test_hall_admins_find_their_kiosks_beside_the_staffing_plans(client, user_of):
    client.force_login(user_of("hall_gulou"))
    page = client.get(reverse("queueing:planner-index")).content.decode()
    assert KIOSK in page
    client.force_login(user_of("supervisor"))  # sees every hall's plan, runs no kiosk
    page = client.get(reverse("queueing:planner-index")).content.decode()
    assert reverse("queueing:planner", args=["fz-gulou"]) in page and "/kiosk/" not in page


@pytest.mark.usefixtures("office_hours")
def test_a_trip_set_off_on_the_portal_takes_its_ticket_with_its_code(kiosk, user_of):
    from django.test import Client

    from tongban.queueing.recommendation import set_off

    zhang = user_of("citizen_zhang")
    trip = set_off(
        by=zhang, region_code="350102", lat=26.08, lng=119.30, item_code="000101008000", point_code="fz-gulou"
    )
    spaced = " ".join(trip.token.upper()[i : i + 4] for i in range(0, 16, 4))  # as shown on the phone
    answer = kiosk.post(TAKE, {"booking": spaced})
    ticket = Ticket.objects.get(referral=trip)
    assert answer.status_code == 302 and ticket.kind == TicketKind.WALK_IN and ticket.applicant == zhang.applicant
    trip.refresh_from_db()
    assert trip.arrived_at is not None

    again = kiosk.post(TAKE, {"booking": trip.token})
    assert again.status_code == 409 and f"已取过号（{ticket.number}）" in again.content.decode()
    phone = Client()
    phone.force_login(zhang)
    assert phone.get(f"/my/trips/{trip.token}/")["Location"] == f"/queue/fz-gulou/tickets/{ticket.number}/"

    elsewhere = set_off(
        by=zhang, region_code="350102", lat=26.08, lng=119.30, item_code="000101008000", point_code="fz-gulou-wenquan"
    )
    wrong_hall = kiosk.post(TAKE, {"booking": elsewhere.token})
    assert (
        wrong_hall.status_code == 409 and f"该取号码是去{elsewhere.service_point.name}的" in wrong_hall.content.decode()
    )
    unknown = kiosk.post(TAKE, {"booking": "0123456789ABCDEF"})
    assert unknown.status_code == 404 and "没有这个取号码" in unknown.content.decode()
    assert Ticket.objects.count() == 1


@pytest.mark.usefixtures("office_hours")
def test_a_replaced_or_expired_code_takes_no_ticket_and_another_users_code_is_no_ones_but_the_halls(
    kiosk, api, user_of
):
    from tongban.queueing.recommendation import set_off

    zhang = user_of("citizen_zhang")
    trip = {"by": zhang, "region_code": "350102", "lat": 26.085, "lng": 119.279, "item_code": "000101008000"}
    replaced = set_off(**trip, point_code="fz-gulou")
    current = set_off(**trip, point_code="fz-gulou")
    answer = kiosk.post(TAKE, {"booking": replaced.token})
    assert answer.status_code == 409 and "该取号码已过期" in answer.content.decode()

    api.force_authenticate(user_of("enterprise_rongyun"))  # someone else presents 张伟's code in an app
    body = {"service_point": "fz-gulou", "item": "000101008000", "referral": current.token}
    taken = api.post("/api/v1/tickets/", body, format="json")
    assert taken.status_code == 201
    ticket = Ticket.objects.get(pk=taken.json()["id"])
    assert ticket.referral is None and ticket.applicant == user_of("enterprise_rongyun").applicant
    current.refresh_from_db()
    assert current.arrived_at is None  # still 张伟's, on his way
    assert kiosk.post(TAKE, {"booking": current.token}).status_code == 302
    assert Ticket.objects.get(referral=current).applicant == zhang.applicant


def test_checking_in_again_gives_the_same_ticket_and_card_lookups_are_recorded(kiosk, food_item):
    from tongban.cases.models import IdentityAccess

    person = identify_applicant(kind=ApplicantKind.PERSON, id_number="110105194912310038", name="刷两次")
    booking_due_soon(person, food_item)
    first = kiosk.post(TAKE, {"booking": person.id_number})
    again = kiosk.post(TAKE, {"booking": person.id_number})
    assert first.status_code == again.status_code == 302 and first.url == again.url
    ticket = Ticket.objects.get()
    assert ticket.kind == TicketKind.BOOKED
    assert food_item.name not in kiosk.get(first.url).content.decode()  # a booked slip does not say what for
    assert IdentityAccess.objects.filter(applicant=person, purpose="取号机凭证件号码到场取号").count() == 2


def test_the_kiosk_account_runs_the_kiosk_and_nothing_else_and_staff_tickets_are_visitors(client, user_of, food_item):
    from tongban.cases.services import identify_applicant as applicant_of

    device = user_of("kiosk_gulou")
    client.force_login(device)
    assert client.get("/me/")["Location"] == KIOSK
    assert client.get("/workbench/").status_code == 403
    assert client.get("/queue/panel/").status_code == 403
    assert client.get(reverse("queueing:kiosk", args=["fz-city"])).status_code == 403

    clerk = user_of("clerk_gulou")  # a clerk who is also a citizen with an applicant record
    own = applicant_of(kind=ApplicantKind.PERSON, id_number="110105194912310054", name="林晓")
    own.user = clerk
    own.save()
    client.force_login(clerk)
    client.post(TAKE, {"item": food_item.code})
    assert Ticket.objects.get().applicant is None  # the visitor's ticket, not the clerk's


def test_the_kiosk_offers_only_items_the_hall_may_take(kiosk):
    found = kiosk.get(KIOSK, {"q": "庄寨"})  # 永泰庄寨保护修缮补助申请: only in 永泰
    assert found.status_code == 200 and found.context["choices"] == []
    assert "本厅没有找到可办理的相关事项" in found.content.decode()


def test_a_kiosk_trying_id_numbers_is_stopped_after_too_many_misses(kiosk, food_item, monkeypatch):
    from django.core.cache import cache

    from tongban.queueing import services

    cache.clear()
    monkeypatch.setattr(services, "CARD_MISSES", 3)
    person = identify_applicant(kind=ApplicantKind.PERSON, id_number="110105194912310046", name="被试探者")
    booking = booking_due_soon(person, food_item)
    for _ in range(3):
        assert kiosk.post(TAKE, {"booking": "110105194912310038"}).status_code == 404  # nobody booked
    stopped = kiosk.post(TAKE, {"booking": person.id_number})
    assert stopped.status_code == 409 and "证件号码查询失败次数过多" in stopped.content.decode()
    assert kiosk.post(TAKE, {"booking": booking.number}).status_code == 302  # the booking number still works
    cache.clear()


@pytest.mark.usefixtures("office_hours")
def test_the_kiosk_offers_the_bundles_the_hall_takes_in_and_one_ticket_takes_in_what_each_starts(kiosk, food_item):
    from tongban.appointments.services import visit_of
    from tongban.directory.models import Window

    def bundles(page) -> list[str]:
        return [choice.code for choice in page.context["bundles"]]

    visit = visit_of(bundle_code="YJS004")  # 新生儿出生一件事: two items start at once
    assert "YJS004" in bundles(kiosk.get(KIOSK))
    assert bundles(kiosk.get(KIOSK, {"q": "xsecs"})) == ["YJS004"]  # by the initials of its name
    assert bundles(kiosk.get(KIOSK, {"q": "spjy"})) == []
    slip = kiosk.post(TAKE, {"bundle": "YJS004"}, follow=True).content.decode()
    ticket = Ticket.objects.get(bundle_code="YJS004")
    assert ticket.along_with == [[item.code, item.authority_kind] for item in visit.along_with]
    assert f"{visit.bundle.name}（一次办理 2 项）" in slip and ticket.number in slip

    Window.objects.filter(service_point__code="fz-gulou").update(
        kind="zone", zone_item_codes=[food_item.code], zone_authorities=[]
    )
    assert bundles(kiosk.get(KIOSK)) == []  # no window takes its items any more
    refused = kiosk.post(TAKE, {"bundle": "YJS004"})
    assert refused.status_code == 403 and "不能办理" in refused.content.decode()


def test_a_kiosk_in_daily_use_stays_signed_in_and_one_left_unused_signs_in_again(client, user_of, time_machine):
    import datetime

    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client.force_login(user_of("kiosk_gulou"))
    for days in (10, 20, 30):  # past Django's two weeks since signing in, in use every ten days
        time_machine.move_to(start + datetime.timedelta(days=days), tick=False)
        assert client.get(KIOSK).status_code == 200
    time_machine.move_to(start + datetime.timedelta(days=45), tick=False)
    assert client.get(KIOSK).status_code == 302  # to the login page


@pytest.mark.usefixtures("office_hours")
def test_someone_on_a_trip_taking_their_own_ticket_without_the_code_is_no_longer_counted_on_the_way(api, user_of):
    from tongban.directory.models import ServicePoint
    from tongban.queueing.recommendation import hall_snapshots, set_off

    zhang = user_of("citizen_zhang")
    trip = {"by": zhang, "region_code": "350102", "lat": 26.085, "lng": 119.279, "item_code": "000101008000"}
    here = set_off(**trip, point_code="fz-gulou")
    gulou = ServicePoint.objects.get(code="fz-gulou")
    item = Item.objects.in_force().get(code="000101008000")
    assert len(hall_snapshots([item], [gulou], now=timezone.now())[0].arrivals) == 1

    api.force_authenticate(zhang)  # in their own app, without scanning the code
    body = {"service_point": "fz-gulou", "item": "000101008000"}
    taken = api.post("/api/v1/tickets/", body, format="json")
    assert taken.status_code == 201
    here.refresh_from_db()
    assert Ticket.objects.get(pk=taken.json()["id"]).referral == here and here.arrived_at is not None
    assert hall_snapshots([item], [gulou], now=timezone.now())[0].arrivals == ()

    elsewhere = set_off(**trip, point_code="fz-gulou-wenquan")  # then went to 鼓楼 after all
    assert api.post("/api/v1/tickets/", body, format="json").status_code == 201
    elsewhere.refresh_from_db()
    assert elsewhere.arrived_at is None and elsewhere.expires_at <= timezone.now()
