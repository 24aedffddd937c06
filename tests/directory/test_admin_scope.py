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


def test_district_hall_admin_cannot_edit_other_district(client, user_of):
    client.force_login(user_of("hall_gulou"))
    cangshan = ServicePoint.objects.get(code="fz-cangshan")
    gulou = ServicePoint.objects.get(code="fz-gulou")
    assert client.get(f"/admin/directory/servicepoint/{gulou.pk}/change/").status_code == 200
    response = client.post(f"/admin/directory/servicepoint/{cangshan.pk}/change/", {"name": "被篡改"})
    assert response.status_code in (302, 403, 404)
    cangshan.refresh_from_db()
    assert cangshan.name != "被篡改"


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
