import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tongban.cases.access import ACCESS_REVISION
from tongban.cases.choices import Right
from tongban.cases.models import Grant
from tongban.catalog.choices import HandlingKind, Necessity, NegativeReason
from tongban.catalog.models import (
    Bundle,
    BundleItem,
    Item,
    ItemImplementation,
    LicenseType,
    Material,
    MaterialType,
    ReviewPoint,
    SubItem,
)
from tongban.core.revisions import read_revision
from tongban.demo.generator import generate_city
from tongban.demo.loader import load_demo_city
from tongban.directory.choices import RegionLevel, ServicePointLevel
from tongban.directory.models import Department, OpeningPeriod, Region, ServicePoint, Staff, Window
from tongban.directory.roles import Role, user_roles
from tongban.workdays.models import CalendarYear, SpecialDay

pytestmark = pytest.mark.django_db

MODELS = [
    SubItem,
    ReviewPoint,
    LicenseType,
    MaterialType,
    Staff,
    Grant,
    CalendarYear,
    SpecialDay,
    Region,
    Department,
    ServicePoint,
    OpeningPeriod,
    Window,
    Item,
    Material,
    ItemImplementation,
    Bundle,
    BundleItem,
]


def counts():
    return {model.__name__: model.objects.count() for model in [*MODELS, get_user_model()]}


def test_loading_twice_duplicates_nothing():
    before = counts()
    summary = load_demo_city()
    assert summary.items_created == 0
    assert counts() == before


def test_the_demo_city_shape():
    assert Region.objects.filter(level=RegionLevel.CITY).count() == 1
    assert Region.objects.filter(level=RegionLevel.COUNTY).count() == 13
    halls = ServicePoint.objects.filter(
        level__in=[ServicePointLevel.CITY_HALL, ServicePointLevel.COUNTY_HALL, ServicePointLevel.BRANCH]
    )
    assert halls.count() == 23
    assert halls.filter(level=ServicePointLevel.COUNTY_HALL).values("region").distinct().count() == 13
    assert ServicePoint.objects.filter(level=ServicePointLevel.TOWN_CENTRE).exists()
    assert ServicePoint.objects.filter(level=ServicePointLevel.COMMUNITY_CENTRE).exists()
    for point in halls:
        assert point.opening_periods.exists() and point.windows.exists(), point


def test_the_demo_catalog():
    items = Item.objects.in_force()
    assert items.count() >= 80
    assert items.filter(handling_kind=HandlingKind.IMMEDIATE).exists()
    assert Material.objects.filter(item__in=items, necessity=Necessity.DEFERRABLE).exists()
    for reason in NegativeReason:
        assert items.filter(negative_reason=reason).exists(), reason.label
    for item in items:
        assert item.materials.exists() and item.review_points.exists(), item
        assert ItemImplementation.objects.filter(item_code=item.code).exists(), item
    for name in ["食品经营许可", "城市建筑垃圾处置（渣土运输）备案", "住房公积金提取"]:
        assert items.filter(name__startswith=name).exists(), name


def test_demo_grant_lets_gulou_take_cangshan_market_items():
    grant = Grant.objects.effective().get(department__region__code="350104", service_point__code="fz-gulou")
    assert set(grant.rights) == set(Right.values) and grant.item_code == ""


def test_rerun_keeps_what_people_changed(user_of):
    point = ServicePoint.objects.get(code="fz-gulou")
    point.name = "鼓楼区政务服务中心（改）"
    point.save()
    point.windows.filter(number="01").update(is_active=False)
    clerk = user_of("clerk_gulou")
    clerk.set_password("changed-by-clerk")
    clerk.save()
    load_demo_city()
    point.refresh_from_db()
    clerk.refresh_from_db()
    assert point.name == "鼓楼区政务服务中心（改）"
    assert not point.windows.get(number="01").is_active
    assert clerk.check_password("changed-by-clerk")


def test_every_role_has_a_demo_account():
    users = get_user_model().objects.filter(
        username__in=[
            "clerk_gulou",
            "hall_gulou",
            "agent_community",
            "approver_cangshan",
            "catalog_market",
            "supervisor",
            "kiosk_gulou",
        ]
    )
    assert set().union(*(user_roles(u) for u in users)) == set(Role)
    assert get_user_model().objects.get(username="admin").is_superuser


def test_load_demo_command_prints_accounts():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "演示账号" in text and "clerk_gulou" in text and "tongban-demo" in text


def test_generate_city_adds_only_the_difference():
    before = read_revision(ACCESS_REVISION)
    made, points = generate_city(items=300, service_points=5)
    assert (made, points) == (300, 5)
    assert read_revision(ACCESS_REVISION) != before  # cached access lookups see the new halls at once
    synthetic = Item.objects.in_force().filter(code__startswith="9")
    assert synthetic.count() == 300
    assert Material.objects.filter(item__in=synthetic).count() == 900
    assert generate_city(items=300, service_points=5) == (0, 0)
    sample = synthetic.first()
    sample.full_clean()
