import pytest

from tongban.directory.models import ServicePoint

pytestmark = pytest.mark.django_db


def changelist_codes(client) -> set[str]:
    response = client.get("/admin/directory/servicepoint/", {"all": ""})
    assert response.status_code == 200
    return {point.code for point in response.context["cl"].result_list}


def test_district_hall_admin_sees_only_own_district(client, user_of):
    client.force_login(user_of("hall_gulou"))
    codes = changelist_codes(client)
    expected = set(ServicePoint.objects.filter(region__code__startswith="350102").values_list("code", flat=True))
    assert codes == expected
    assert "fz-cangshan" not in codes


def test_city_hall_admin_manages_the_whole_city(client, user_of):
    client.force_login(user_of("hall_city"))
    assert changelist_codes(client) == set(ServicePoint.objects.values_list("code", flat=True))


def test_supervisor_views_but_cannot_change(client, user_of):
    client.force_login(user_of("supervisor"))
    point = ServicePoint.objects.get(code="fz-cangshan")
    assert client.get("/admin/directory/servicepoint/").status_code == 200
    response = client.get(f"/admin/directory/servicepoint/{point.pk}/change/")
    assert response.status_code == 200
    assert b'name="_save"' not in response.content


def test_hall_admin_add_form_offers_only_own_regions(client, user_of):
    client.force_login(user_of("hall_gulou"))
    response = client.get("/admin/directory/servicepoint/add/")
    regions = response.context["adminform"].form.fields["region"].queryset
    assert regions.exists()
    assert all(r.code.startswith("350102") for r in regions)


def full_form(point: ServicePoint, **changes) -> dict:
    """A complete change form for ``point`` (with empty inline formsets), so a save can really happen."""
    data = {
        "code": point.code,
        "name": point.name,
        "level": point.level,
        "region": point.region_id,
        "address": point.address,
        "latitude": point.latitude,
        "longitude": point.longitude,
        "phone": point.phone,
        "is_active": "on",
    }
    for prefix in ("opening_periods", "windows"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(changes)
    return data


def test_full_valid_form_saves_own_but_not_other_district(client, user_of):
    client.force_login(user_of("hall_gulou"))
    gulou = ServicePoint.objects.get(code="fz-gulou")
    response = client.post(
        f"/admin/directory/servicepoint/{gulou.pk}/change/", full_form(gulou, name="鼓楼区政务服务中心（新）")
    )
    assert response.status_code == 302
    gulou.refresh_from_db()
    assert gulou.name == "鼓楼区政务服务中心（新）"

    cangshan = ServicePoint.objects.get(code="fz-cangshan")
    response = client.post(f"/admin/directory/servicepoint/{cangshan.pk}/change/", full_form(cangshan, name="被篡改"))
    assert response.status_code in (302, 403) and response.get("Location", "/admin/") == "/admin/"  # not found for them
    cangshan.refresh_from_db()
    assert cangshan.name != "被篡改"


def test_hall_admin_cannot_move_own_staff_record(client, user_of):
    hall_admin = user_of("hall_gulou")
    client.force_login(hall_admin)
    city = ServicePoint.objects.get(code="fz-city")
    response = client.post(
        f"/admin/directory/staff/{hall_admin.staff.pk}/change/", {"service_point": city.pk, "phone": ""}
    )
    assert response.status_code == 403
    hall_admin.staff.refresh_from_db()
    assert hall_admin.staff.service_point.code == "fz-gulou"


def test_hall_admin_places_clerk_only_within_region(client, user_of):
    client.force_login(user_of("hall_gulou"))
    clerk = user_of("clerk_gulou")
    page = client.get(f"/admin/directory/staff/{clerk.staff.pk}/change/")
    choices = page.context["adminform"].form.fields["service_point"].queryset
    assert all(p.region.code.startswith("350102") for p in choices)
    city = ServicePoint.objects.get(code="fz-city")
    client.post(f"/admin/directory/staff/{clerk.staff.pk}/change/", {"service_point": city.pk, "phone": ""})
    clerk.staff.refresh_from_db()
    assert clerk.staff.service_point.code == "fz-gulou"
    assert "user" not in page.context["adminform"].form.fields  # read-only: cannot hand the record to someone else


def test_supervisor_sees_all_staff(client, user_of):
    client.force_login(user_of("supervisor"))
    response = client.get("/admin/directory/staff/")
    assert response.status_code == 200 and len(response.context["cl"].result_list) >= 9


def test_roles_hold_under_english(client, user_of):
    client.force_login(user_of("hall_gulou"))
    response = client.get("/admin/directory/servicepoint/", {"all": ""}, HTTP_ACCEPT_LANGUAGE="en")
    codes = {p.code for p in response.context["cl"].result_list}
    assert codes and all(code != "fz-cangshan" for code in codes)
