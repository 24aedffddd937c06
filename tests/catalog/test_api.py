import time
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import draft_item, published_item
from tongban.catalog import search
from tongban.catalog.choices import NegativeReason, Scope
from tongban.catalog.models import CatalogRevision, Item, ItemImplementation
from tongban.catalog.services import retire_item
from tongban.directory.models import Department, ServicePoint, Window

pytestmark = pytest.mark.django_db


def test_items_are_paginated(api):
    body = api.get("/api/v1/items/", {"page_size": 5}).json()
    assert body["count"] == Item.objects.in_force().count()
    assert len(body["results"]) == 5 and body["next"]


@pytest.mark.parametrize("query", ["食品经营", "spjy", "SPJY", "shipinjingying"])
def test_search_finds_food_business_licence(api, query):
    names = [row["name"] for row in api.get("/api/v1/items/", {"q": query}).json()["results"]]
    assert any(name.startswith("食品经营") for name in names), names


def test_search_by_code_and_filters(api):
    item = published_item(name="按编码检索的事项")
    rows = api.get("/api/v1/items/", {"q": item.code}).json()["results"]
    assert [r["code"] for r in rows] == [item.code]
    negative = api.get("/api/v1/items/", {"negative": "true", "page_size": 100}).json()["results"]
    assert negative and all(r["on_negative_list"] and r["scope"] == "local" for r in negative)


def test_drafts_are_not_listed(api):
    item = draft_item(name="尚未发布的草稿")
    assert api.get("/api/v1/items/", {"q": "尚未发布"}).json()["count"] == 0
    response = api.get(f"/api/v1/items/{item.code}/")
    assert response.status_code == 404
    assert response.json()["code"] == "item_not_found"
    assert "不存在" in response.json()["message"]


def test_item_list_needs_no_query_between_freshness_checks(api, monkeypatch):
    api.get("/api/v1/items/")  # builds the in-process index
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/items/", {"page_size": 50, "q": "许可"})
    assert len(queries) == 0  # rows come from the index; the revision was read under a second ago

    clock = time.monotonic() + search.FRESHNESS_SECONDS + 0.1
    monkeypatch.setattr(search.time, "monotonic", lambda: clock)
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/items/", {"q": "许可"})
    assert len(queries) == 1  # the revision is read again, and is unchanged


def test_another_process_publishing_is_seen_within_a_second(api, monkeypatch):
    item = published_item(name="另一进程发布的事项")
    api.get("/api/v1/items/")
    # What another process's publish looks like from here: the row and token change, no local invalidate.
    Item.objects.filter(pk=item.pk).update(status="retired")
    CatalogRevision.objects.update(token=uuid.uuid4())
    assert api.get("/api/v1/items/", {"q": "另一进程"}).json()["count"] == 1  # within the window: not yet
    clock = time.monotonic() + search.FRESHNESS_SECONDS + 0.1
    monkeypatch.setattr(search.time, "monotonic", lambda: clock)
    assert api.get("/api/v1/items/", {"q": "另一进程"}).json()["count"] == 0


def test_index_follows_catalog_changes(api):
    assert api.get("/api/v1/items/", {"q": "刚刚发布的事项"}).json()["count"] == 0
    item = published_item(name="刚刚发布的事项")
    assert [r["code"] for r in api.get("/api/v1/items/", {"q": "刚刚发布"}).json()["results"]] == [item.code]
    retire_item(item)
    assert api.get("/api/v1/items/", {"q": "刚刚发布"}).json()["count"] == 0


def test_bad_filter_value_is_a_json_error(api):
    response = api.get("/api/v1/items/", {"scope": "everywhere"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "scope" in response.json()["details"]


def test_item_detail_has_materials_review_points_and_implementations(api):
    code = Item.objects.in_force().filter(name__startswith="食品经营许可").values_list("code", flat=True).first()
    api.get(f"/api/v1/items/{code}/")  # the first request of a process loads the in-force version once
    with CaptureQueriesContext(connection) as queries:
        body = api.get(f"/api/v1/items/{code}/").json()
    assert len(queries) <= 12
    assert body["materials"] and body["review_points"]
    assert body["implementations"] and all(len(i["code"]) == 31 for i in body["implementations"])
    assert {"legal_limit", "promised_limit", "scope_display", "online_depth_stars"} <= body.keys()


def test_item_detail_of_specific_version(api):
    item = published_item(name="版本一")
    response = api.get(f"/api/v1/items/{item.code}/", {"version": 1})
    assert response.json()["name"] == "版本一"
    missing = api.get(f"/api/v1/items/{item.code}/", {"version": 7})
    assert missing.status_code == 404 and missing.json()["code"] == "item_version_not_found"


def test_regions_filter_by_level_and_parent(api):
    counties = api.get("/api/v1/regions/", {"level": "county", "page_size": 50}).json()
    assert counties["count"] == 13
    towns = api.get("/api/v1/regions/", {"parent": "350102", "page_size": 50}).json()["results"]
    assert towns and all(t["code"].startswith("350102") for t in towns)


def test_service_points_filter_by_region_includes_descendants(api):
    rows = api.get("/api/v1/service-points/", {"region": "350102", "page_size": 100}).json()["results"]
    codes = {r["code"] for r in rows}
    assert "fz-gulou" in codes and "fz-cangshan" not in codes
    assert any(r["level"] == "town_centre" for r in rows)


def test_service_point_detail_has_hours_and_windows(api):
    body = api.get("/api/v1/service-points/fz-gulou/").json()
    assert body["opening_periods"] and body["windows"]
    assert any(w["kind"] == "zone" for w in body["windows"])


def implement(item: Item, region_code: str) -> None:
    department = Department.objects.get(region__code=region_code, kind=item.authority_kind)
    ItemImplementation.objects.create(item_code=item.code, department=department)


def test_where_local_item_can_be_done(api):
    item = published_item(scope=Scope.LOCAL, negative_reason=NegativeReason.ON_SITE_REQUIRED, negative_note="须现场")
    implement(item, "350104")
    rows = api.get("/api/v1/service-points/", {"item": item.code, "page_size": 100}).json()["results"]
    assert rows and all(r["region"].startswith("350104") for r in rows)


def test_where_city_item_can_be_done_respects_zone_windows(api):
    item = published_item(authority_kind="public_security", scope=Scope.CITY)
    implement(item, "350104")
    rows = api.get("/api/v1/service-points/", {"item": item.code, "page_size": 100}).json()["results"]
    codes = {r["code"] for r in rows}
    assert {"fz-gulou", "fz-cangshan", "fz-city"} <= codes

    # A point whose only window is a tax zone cannot take a public-security item.
    point = ServicePoint.objects.get(code="fz-gulou-wenquan")
    point.windows.all().delete()
    Window.objects.create(service_point=point, number="Z1", kind="zone", zone_authorities=["tax"])
    codes = {
        r["code"] for r in api.get("/api/v1/service-points/", {"item": item.code, "page_size": 100}).json()["results"]
    }
    assert "fz-gulou-wenquan" not in codes


def test_where_unknown_item_is_json_404(api):
    response = api.get("/api/v1/service-points/", {"item": "899999999999"})
    assert response.status_code == 404 and response.json()["code"] == "item_not_found"


def test_bundles_list_members_with_names_and_dependencies(api):
    body = api.get("/api/v1/bundles/").json()
    names = {b["name"] for b in body["results"]}
    assert {"企业迁移登记一件事", "开办运输企业一件事", "开办餐饮店一件事", "新生儿出生一件事"} <= names
    transport = next(b for b in body["results"] if b["name"] == "开办运输企业一件事")
    assert all(m["name"] for m in transport["members"])
    assert any(m["waits_for"] for m in transport["members"])


def test_read_api_refuses_writes_with_json_error(api):
    response = api.post("/api/v1/items/", {"name": "x"}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
