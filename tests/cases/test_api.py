import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.cases.conftest import PERSON_ID, required_form
from tongban.cases.api.serializers import CaseCreateSerializer
from tongban.cases.models import Case, CaseEvent
from tongban.cases.services import transition

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def body(item, **overrides):
    data = {
        "item": item.code,
        "region": "350104",
        "sub_item": "新办",
        "channel": "window",
        "applicant": {"kind": "person", "id_number": PERSON_ID, "name": "张三"},
        "form_data": required_form(item),
        "materials": [{"material": m.pk} for m in item.materials.filter(sub_item__isnull=True)],
    }
    data.update(overrides)
    return data


@pytest.fixture
def clerk_api(user_of, grant_gulou):
    return client_for(user_of("clerk_gulou"))


def test_create_with_token_masks_the_applicant(clerk_api, food_item):
    response = clerk_api.post("/api/v1/cases/", body(food_item), format="json")
    assert response.status_code == 201, response.json()
    case = response.json()
    assert case["state"] == "submitted" and case["department"]["region"] == "350104"
    assert case["applicant"]["id_number"] == "1101**********002X"
    assert PERSON_ID not in response.content.decode()
    assert len(case["materials"]) == food_item.materials.filter(sub_item__isnull=True).count()


def test_same_key_same_body_returns_the_same_case(clerk_api, food_item):
    first = clerk_api.post("/api/v1/cases/", body(food_item), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = clerk_api.post("/api/v1/cases/", body(food_item), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert Case.objects.filter(number=first.json()["number"]).count() == 1


def test_same_key_other_body_is_409(clerk_api, food_item):
    clerk_api.post("/api/v1/cases/", body(food_item), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = clerk_api.post(
        "/api/v1/cases/", body(food_item, sub_item="变更"), format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert response.status_code == 409 and response.json()["code"] == "idempotency_key_reused"


def test_bad_identity_number_is_a_400_with_position(clerk_api, food_item):
    bad = body(food_item, applicant={"kind": "person", "id_number": "110105194912310021", "name": "张三"})
    response = clerk_api.post("/api/v1/cases/", bad, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_id_number" and "第 18 位" in response.json()["message"]
    assert not Case.objects.exists()


def test_refusal_names_where_to_go(user_of, food_item):
    response = client_for(user_of("clerk_gulou")).post("/api/v1/cases/", body(food_item), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "grant_missing"
    assert any(p["code"] == "fz-cangshan" for p in response.json()["details"]["service_points"])


def test_anonymous_is_401_json(food_item):
    response = APIClient().post("/api/v1/cases/", body(food_item), format="json")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_transitions_and_events_over_the_api(clerk_api, user_of, food_item):
    number = clerk_api.post("/api/v1/cases/", body(food_item), format="json").json()["number"]
    accepted = clerk_api.post(f"/api/v1/cases/{number}/transitions/", {"action": "accept"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted" and accepted.json()["deadline"]
    approver = client_for(user_of("approver_cangshan"))
    assert (
        approver.post(f"/api/v1/cases/{number}/transitions/", {"action": "start_review"}, format="json").status_code
        == 200
    )
    conflict = approver.post(f"/api/v1/cases/{number}/transitions/", {"action": "close"}, format="json")
    assert conflict.status_code == 409 and conflict.json()["code"] == "invalid_transition"
    events = approver.get(f"/api/v1/cases/{number}/events/").json()
    assert [e["action"] for e in events] == ["submit", "accept", "start_review"]
    assert events[1]["actor_role"] == "clerk" and events[1]["service_point"] == "鼓楼区政务服务中心"


def test_unknown_action_is_400(clerk_api, food_item):
    number = clerk_api.post("/api/v1/cases/", body(food_item), format="json").json()["number"]
    response = clerk_api.post(f"/api/v1/cases/{number}/transitions/", {"action": "teleport"}, format="json")
    assert response.status_code == 400 and "action" in response.json()["details"]


def test_lists_are_filtered_to_what_the_user_may_see(clerk_api, user_of, food_item):
    clerk_api.post("/api/v1/cases/", body(food_item), format="json")  # Cangshan's case, taken in at Gulou
    clerk_api.post("/api/v1/cases/", body(food_item, region="350102"), format="json")  # Gulou's own
    cangshan = client_for(user_of("approver_cangshan")).get("/api/v1/cases/").json()
    gulou = client_for(user_of("approver_gulou")).get("/api/v1/cases/").json()
    clerk = clerk_api.get("/api/v1/cases/").json()
    assert [c["department"]["region"] for c in cangshan["results"]] == ["350104"]
    assert [c["department"]["region"] for c in gulou["results"]] == ["350102"]
    assert clerk["count"] == 2
    other_clerk = client_for(user_of("clerk_city")).get("/api/v1/cases/").json()
    assert other_clerk["count"] == 0
    number = cangshan["results"][0]["number"]
    assert client_for(user_of("approver_gulou")).get(f"/api/v1/cases/{number}/").status_code == 404


def test_list_query_count_does_not_grow_with_cases(clerk_api, user_of, food_item):
    for _ in range(3):
        clerk_api.post("/api/v1/cases/", body(food_item), format="json")
    with CaptureQueriesContext(connection) as few:
        clerk_api.get("/api/v1/cases/")
    for _ in range(5):
        clerk_api.post("/api/v1/cases/", body(food_item), format="json")
    with CaptureQueriesContext(connection) as many:
        clerk_api.get("/api/v1/cases/")
    assert len(many) == len(few) <= 8


def test_overdue_filter(clerk_api, user_of, food_item):
    number = clerk_api.post("/api/v1/cases/", body(food_item), format="json").json()["number"]
    transition(number, "accept", by=user_of("clerk_gulou"))
    Case.objects.filter(number=number).update(deadline=datetime.date(2026, 1, 5))
    approver = client_for(user_of("approver_cangshan"))
    overdue = approver.get("/api/v1/cases/", {"overdue": "true"}).json()
    assert [c["number"] for c in overdue["results"]] == [number] and overdue["results"][0]["overdue"]
    assert approver.get("/api/v1/cases/", {"overdue": "false"}).json()["count"] == 0
    assert approver.get("/api/v1/cases/", {"state": "accepted"}).json()["count"] == 1


class TestGrantsApi:
    def test_department_admin_grants_and_revokes(self, user_of, cangshan_market):
        from tongban.directory.roles import Role
        from tongban.directory.services import assign_staff

        admin_user = user_of("catalog_market").__class__.objects.create(username="catalog_cangshan")
        assign_staff(admin_user, role=Role.CATALOG_ADMIN, department=cangshan_market)
        api = client_for(admin_user)
        created = api.post(
            "/api/v1/grants/",
            {
                "department": cangshan_market.pk,
                "service_point": "fz-city",
                "rights": ["receive_accept", "deliver_result"],
            },
            format="json",
        )
        assert created.status_code == 201, created.json()
        grant = created.json()
        assert grant["active"]
        revoked = api.post(f"/api/v1/grants/{grant['id']}/revoke/", {"reason": "窗口调整"}, format="json")
        assert revoked.status_code == 200 and not revoked.json()["active"]
        again = api.post(f"/api/v1/grants/{grant['id']}/revoke/", {"reason": "再撤"}, format="json")
        assert again.status_code == 409

    def test_other_department_cannot_grant(self, user_of, cangshan_market):
        response = client_for(user_of("catalog_market")).post(
            "/api/v1/grants/",
            {"department": cangshan_market.pk, "service_point": "fz-gulou", "rights": ["receive_accept"]},
            format="json",
        )
        assert response.status_code == 403 and response.json()["code"] == "not_grantor"

    def test_bad_rights_and_pointless_grant(self, user_of, cangshan_market):
        api = client_for(user_of("admin"))
        bad = api.post(
            "/api/v1/grants/",
            {"department": cangshan_market.pk, "service_point": "fz-gulou", "rights": ["fly"]},
            format="json",
        )
        assert bad.status_code == 400
        own = api.post(
            "/api/v1/grants/",
            {"department": cangshan_market.pk, "service_point": "fz-cangshan", "rights": ["receive_accept"]},
            format="json",
        )
        assert own.status_code == 400 and own.json()["code"] == "grant_not_needed"

    def test_grant_use_is_in_the_audit_trail(self, clerk_api, food_item, grant_gulou):
        number = clerk_api.post("/api/v1/cases/", body(food_item), format="json").json()["number"]
        clerk_api.post(f"/api/v1/cases/{number}/transitions/", {"action": "accept"}, format="json")
        assert CaseEvent.objects.filter(case__number=number, grant=grant_gulou).count() == 2


def test_documents_over_the_api(clerk_api, food_item):
    number = clerk_api.post("/api/v1/cases/", body(food_item), format="json").json()["number"]
    missing = clerk_api.get(f"/api/v1/cases/{number}/documents/acceptance_slip.pdf")
    assert missing.status_code == 404 and missing.json()["code"] == "document_not_available"
    clerk_api.post(f"/api/v1/cases/{number}/transitions/", {"action": "accept"}, format="json")
    response = clerk_api.get(f"/api/v1/cases/{number}/documents/acceptance_slip.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_replay_after_grant_revocation_returns_the_original_case(clerk_api, user_of, food_item, grant_gulou):
    from tongban.cases.grants import revoke_grant

    first = clerk_api.post("/api/v1/cases/", body(food_item), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    revoke_grant(grant_gulou, by=user_of("admin"), reason="调整")
    again = clerk_api.post("/api/v1/cases/", body(food_item), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    fresh = clerk_api.post("/api/v1/cases/", body(food_item), format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert fresh.status_code == 403 and fresh.json()["code"] == "grant_missing"


def test_full_id_over_the_api_is_audited(clerk_api, user_of, food_item):
    from tongban.cases.models import IdentityAccess

    number = clerk_api.post("/api/v1/cases/", body(food_item), format="json").json()["number"]
    response = clerk_api.post(f"/api/v1/cases/{number}/applicant-id/", {"purpose": "核验原件"}, format="json")
    assert response.status_code == 200 and response.json()["id_number"] == PERSON_ID
    access = IdentityAccess.objects.get(case__number=number)
    assert access.user == user_of("clerk_gulou") and access.purpose == "核验原件"
    assert clerk_api.post(f"/api/v1/cases/{number}/applicant-id/", {}, format="json").status_code == 400
    supervisor = client_for(user_of("supervisor")).post(f"/api/v1/cases/{number}/applicant-id/", {"purpose": "抽查"})
    assert supervisor.status_code == 403 and IdentityAccess.objects.count() == 1


def test_hand_built_representations_match_the_declared_fields(clerk_api, food_item):
    from tongban.cases.api.serializers import CaseDetailSerializer, CaseMaterialSerializer, CaseSerializer

    created = clerk_api.post("/api/v1/cases/", body(food_item), format="json").json()
    assert set(created) == set(CaseDetailSerializer.Meta.fields)
    assert set(created["materials"][0]) == set(CaseMaterialSerializer.Meta.fields)
    listed = clerk_api.get("/api/v1/cases/").json()["results"][0]
    assert set(listed) == set(CaseSerializer.Meta.fields)
    assert clerk_api.get(f"/api/v1/cases/{created['number']}/").json() == created


def test_intake_round_trips(clerk_api, food_item):
    """An intake with warm caches: the cache revisions (token, actor, grant, implementation), the
    applicant, then in one transaction the case, materials, and the number with the audit event and
    the Idempotency-Key's record."""
    data = body(food_item)
    clerk_api.post("/api/v1/cases/", data, format="json", HTTP_IDEMPOTENCY_KEY="warm-up")
    with CaptureQueriesContext(connection) as queries:
        response = clerk_api.post("/api/v1/cases/", data, format="json", HTTP_IDEMPOTENCY_KEY="counted")
    assert response.status_code == 201
    statements = [q["sql"] for q in queries.captured_queries]
    # PostgreSQL: counter, number, event and key in one statement; SQLite: four.
    numbering = 1 if connection.vendor == "postgresql" else 4
    assert len(statements) == 4 + numbering + 2, statements  # + the transaction's begin and end


@pytest.mark.parametrize(
    "overrides",
    [
        {"region": "35", "channel": "fax", "commitment": "maybe"},
        {"applicant": {"kind": "robot", "id_number": "x" * 31}},
        {"materials": [{"material": "one"}, {"material": 1, "status": "lost"}], "form_data": []},
    ],
)
def test_refused_intake_bodies_list_every_field(clerk_api, food_item, overrides):
    data = body(food_item, **overrides)
    response = clerk_api.post("/api/v1/cases/", data, format="json")
    expected = CaseCreateSerializer(data=data)
    assert not expected.is_valid() and response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "提交的数据有误，请按提示修改。",
        "details": expected.errors,
    }


def test_a_citizen_cannot_file_in_someone_elses_name_and_nothing_is_written(user_of, food_item):
    from tongban.cases.services import identify_applicant

    victim = identify_applicant(kind="person", id_number=PERSON_ID, name="张三", phone="13700000000")
    citizen = client_for(user_of("citizen_zhang"))
    someone = {"kind": "person", "id_number": PERSON_ID, "name": "张三", "phone": "13800000000"}
    bundle = {"bundle": "ANY", "region": "350104", "channel": "online", "applicant": someone}
    for url, data in (
        ("/api/v1/cases/", body(food_item, channel="online", applicant=someone)),
        ("/api/v1/bundle-cases/", bundle),
    ):
        refused = citizen.post(url, data, format="json")
        assert refused.status_code == 403 and refused.json()["code"] == "not_the_applicant", url
    victim.refresh_from_db()
    assert victim.phone == "13700000000" and not Case.objects.exists()


def test_an_administrator_may_name_any_applicant(user_of, food_item):
    from tongban.cases.services import applicant_for

    named = applicant_for(user_of("admin"), kind="person", id_number=PERSON_ID, name="张三", phone="13700000001")
    assert named.id_number == PERSON_ID and named.phone == "13700000001"
