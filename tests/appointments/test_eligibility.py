import pytest
from django.utils import timezone

from tongban.appointments.eligibility import eligible_points, eligible_points_for, owning_department
from tongban.appointments.services import availability, book
from tongban.cases.choices import Right
from tongban.cases.grants import revoke_grant
from tongban.cases.models import Grant
from tongban.cases.permissions import front_desk_grant
from tongban.catalog.models import Item
from tongban.catalog.services import service_points_for_item
from tongban.core.errors import Forbidden, NotFound
from tongban.directory.models import ServicePoint

pytestmark = pytest.mark.django_db


def accepting_points(item, department):
    """Where a clerk could accept: the one rule in cases.permissions, asked point by point."""
    accepted = []
    for point in service_points_for_item(item):
        try:
            front_desk_grant(item, department, point, Right.RECEIVE_ACCEPT)
        except Forbidden:
            continue
        accepted.append(point)
    return accepted


@pytest.mark.parametrize(
    "item_filter, region",
    [
        ({"name": "食品经营许可"}, "350104"),  # city scope, the demo grant lets 鼓楼 act for 仓山
        ({"name": "食品经营许可"}, "350111"),  # city scope, no grant
        ({"negative_reason__isnull": False, "authority_kind": "public_security"}, "350102"),  # negative list
        ({"code": "000305002000"}, "350128"),  # 平潭 only
        ({"name": "不动产转移登记"}, "350103"),  # city-level department for a district applicant
    ],
)
def test_eligible_points_are_where_a_clerk_could_accept(item_filter, region):
    item = Item.objects.in_force().filter(**item_filter).order_by("code").first()
    department = owning_department(item, region)
    assert department.region.contains(ServicePoint.objects.filter(region__code=region).first().region) or (
        department.region.level == "city"
    )
    assert {p.code for p in eligible_points(item, department)} == {p.code for p in accepting_points(item, department)}


def test_granted_hall_is_offered_until_the_grant_is_revoked(user_of):
    item = Item.objects.in_force().get(name="食品经营许可")
    codes = lambda: {p.code for p in eligible_points(item, owning_department(item, "350104"))}  # noqa: E731
    assert "fz-gulou" in codes() and "fz-taijiang" not in codes()
    assert "fz-cangshan" in codes()
    revoke_grant(Grant.objects.get(service_point__code="fz-gulou"), by=user_of("admin"), reason="试点结束")
    assert "fz-gulou" not in codes()


def test_negative_list_item_is_offered_only_in_the_owning_district():
    item = Item.objects.in_force().filter(negative_reason__isnull=False, authority_kind="public_security").first()
    points = eligible_points(item, owning_department(item, "350102"))
    assert points and all(p.region.code.startswith("350102") for p in points)


def test_booking_at_a_point_that_cannot_handle_the_item_is_refused(citizen, food_item, point):
    from tests.appointments.conftest import next_open_day

    taijiang = point("fz-taijiang")
    starts = availability(taijiang, food_item, next_open_day(taijiang))[0].starts_at
    person = citizen(0)
    with pytest.raises(Forbidden) as error:
        book(by=person.user, applicant=person, item_code=food_item.code, region_code="350104",
             point_code="fz-taijiang", starts_at=starts)  # fmt: skip
    assert error.value.code == "point_not_eligible"
    assert starts > timezone.now()


def test_a_bundle_is_offered_where_every_member_can_be_done():
    items, points = eligible_points_for(region_code="350102", bundle_code="YJS003")
    assert len(items) >= 2
    for item in items:
        assert {p.pk for p in points} <= {p.pk for p in eligible_points(item, owning_department(item, "350102"))}


def test_item_not_implemented_for_the_region_names_where_it_is():
    item = Item.objects.in_force().get(code="000305002000")  # 台湾青年在平潭就业创业补助申领: 平潭 only
    with pytest.raises(NotFound) as error:
        owning_department(item, "350102")
    assert error.value.code == "no_implementation" and error.value.details["regions"] == ["350128"]


@pytest.mark.parametrize("point_code", ["fz-gulou", "fz-yongtai", "comm-haitan-chengzhong", "fz-city"])
def test_the_items_a_kiosk_offers_are_the_points_service_points_for_item_lists(point_code):
    """``items_handled_at`` answers ``service_points_for_item`` for many items at one point (the kiosk's list)."""
    from tongban.catalog.search import item_index
    from tongban.catalog.services import items_handled_at

    point = ServicePoint.objects.get(code=point_code)
    items = list(Item.objects.in_force().order_by("code"))
    expected = [item.code for item in items if point in service_points_for_item(item)]
    assert [item.code for item in items_handled_at(point, items)] == expected
    rows = item_index.search("")  # the catalog index's rows work the same
    assert [row.code for row in items_handled_at(point, rows)] == expected
