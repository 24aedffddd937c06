"""现在去办 through the test client: the halls for going now, setting off, the trip's 取号码."""

import pytest
from django.utils import timezone

from tongban.queueing.models import Referral

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]

ITEM = "000101008000"  # 个体工商户设立登记: city-wide, every district's market bureau
QINGCHENG = "350102001001"  # 庆城社区, 鼓楼区
GO = f"/items/{ITEM}/go/?place={QINGCHENG}"


def test_the_halls_for_going_now_are_shown_to_anyone_and_looking_holds_nothing(client):
    page = client.get(GO)
    html = page.content.decode()
    assert page.status_code == 200 and "推荐您去" in html and "距您" in html
    shown = [point.code for _option, point in page.context["halls"]]
    assert "出发取号需要登录" in html and all(f'value="{code}"' in html for code in shown)
    assert page.context["chosen"].hall.code in shown[:3]
    assert not Referral.objects.exists()
    assert client.post(GO, {"hall": shown[0]}).status_code == 200 and not Referral.objects.exists()


def test_a_citizen_sets_off_and_gets_a_code_for_the_kiosk_one_trip_at_a_time(client, user_of):
    zhang = user_of("citizen_zhang")
    client.force_login(zhang)
    answer = client.post(GO, {"hall": "fz-gulou"})  # further down the list than shown: still a hall to go to
    first = Referral.objects.get()
    assert answer.status_code == 302 and answer.url == f"/my/trips/{first.token}/"
    assert first.created_by == zhang and first.service_point.code == "fz-gulou" and first.item_code == ITEM
    assert first.expected_at > first.created_at and first.arrived_at is None

    trip = client.get(answer.url).content.decode()
    assert "<svg" in trip and first.token.upper()[:4] in trip and "取号机" in trip
    assert f"/my/trips/{first.token}/" in client.get("/my/bookings/").content.decode()  # found again there

    client.post(GO, {"hall": client.get(GO).context["halls"][1][1].code})  # changed their mind
    second = Referral.objects.exclude(pk=first.pk).get()
    first.refresh_from_db()
    assert first.expires_at <= timezone.now() < second.expires_at  # no longer counted on the way
    assert "已过时或已被新的行程取代" in client.get(f"/my/trips/{first.token}/").content.decode()
    mine = client.get("/my/bookings/").content.decode()
    assert f"/my/trips/{second.token}/" in mine and f"/my/trips/{first.token}/" not in mine

    client.force_login(user_of("enterprise_rongyun"))
    assert client.get(f"/my/trips/{second.token}/").status_code == 404  # someone else's


def test_a_hall_not_offered_is_refused_and_after_hours_nothing_is_offered(client, user_of, clock_at):
    client.force_login(user_of("citizen_zhang"))
    refused = client.post(GO, {"hall": "fz-nowhere"})
    assert refused.status_code == 200 and "所选大厅今天已来不及办理" in refused.content.decode()
    clock_at(20)
    evening = client.get(GO).content.decode()
    assert "今天已停止办公或来不及办理" in evening and f"/items/{ITEM}/book/" in evening
    assert "所选大厅今天已来不及办理" in client.post(GO, {"hall": "fz-gulou"}).content.decode()
    assert not Referral.objects.exists()


def test_the_item_page_offers_going_now_beside_booking(client):
    page = client.get(f"/items/{ITEM}/").content.decode()
    assert f"/items/{ITEM}/go/" in page and f"/items/{ITEM}/book/" in page


def test_a_bundle_is_gone_to_now_as_one_visit(client, user_of):
    from tongban.appointments.services import visit_of

    visit = visit_of(bundle_code="YJS004")  # 新生儿出生: two items start at once
    go = f"/bundles/YJS004/go/?place={QINGCHENG}"
    page = client.get(go)
    html = page.content.decode()
    assert page.status_code == 200 and visit.bundle.name in html and "一张号在同一窗口一次办理" in html
    assert all(item.name in html for item in (visit.item, *visit.along_with))
    assert go.split("?")[0] in client.get("/bundles/YJS004/").content.decode()  # offered beside booking

    client.force_login(user_of("citizen_zhang"))
    hall = page.context["chosen"].hall.code
    answer = client.post(go, {"hall": hall})
    trip = Referral.objects.get()
    assert answer.status_code == 302 and trip.bundle_code == "YJS004" and trip.service_point.code == hall
    assert visit.bundle.name in client.get(answer.url).content.decode()
    assert client.get(f"/bundles/YJS999/go/?place={QINGCHENG}").status_code == 404
