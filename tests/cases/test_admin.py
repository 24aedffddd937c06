import io

import pytest
from django.core.management import call_command

from tests.cases.conftest import PERSON_ID
from tongban.cases.models import Grant
from tongban.directory.models import Department, ServicePoint

pytestmark = pytest.mark.django_db


def grant_form(department, point, **extra):
    data = {
        "department": department.pk,
        "service_point": point.pk,
        "item_code": "",
        "rights": ["receive_accept"],
        "valid_from_0": "2026-01-01",
        "valid_from_1": "00:00:00",
        "valid_until_0": "",
        "valid_until_1": "",
    }
    data.update(extra)
    return data


def test_admin_creates_and_revokes_grants_through_the_service(client, user_of, cangshan_market):
    client.force_login(user_of("admin"))
    point = ServicePoint.objects.get(code="fz-city")
    response = client.post("/admin/cases/grant/add/", grant_form(cangshan_market, point))
    assert response.status_code == 302, response.context["adminform"].form.errors
    grant = Grant.objects.get(department=cangshan_market, service_point=point)
    assert grant.created_by == user_of("admin") and grant.rights == ["receive_accept"]
    client.post("/admin/cases/grant/", {"action": "revoke_selected", "_selected_action": [grant.pk]})
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_admin_grant_form_shows_service_refusals(client, user_of, cangshan_market):
    client.force_login(user_of("admin"))
    own_region = ServicePoint.objects.get(code="fz-cangshan")
    response = client.post("/admin/cases/grant/add/", grant_form(cangshan_market, own_region))
    assert response.status_code == 200 and "无需授权" in str(response.context["adminform"].form.errors)
    assert not Grant.objects.filter(service_point=own_region).exists()


def test_case_admin_is_read_only_and_masks(client, user_of, window_case):
    case = window_case()
    client.force_login(user_of("admin"))
    page = client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert "1101**********002X" in page and PERSON_ID not in page
    assert 'name="_save"' not in page


def test_flag_command_runs(window_case):
    out = io.StringIO()
    call_command("flag_unreviewed_submissions", stdout=out)
    assert "视为受理" in out.getvalue()


def test_other_department_cannot_use_the_admin_to_grant(client, user_of):
    client.force_login(user_of("catalog_market"))  # 福州市市场监督管理局
    cangshan = Department.objects.get(region__code="350104", kind="market")
    response = client.post("/admin/cases/grant/add/", grant_form(cangshan, ServicePoint.objects.get(code="fz-city")))
    assert response.status_code in (200, 403)
    assert not Grant.objects.filter(department=cangshan, service_point__code="fz-city").exists()
