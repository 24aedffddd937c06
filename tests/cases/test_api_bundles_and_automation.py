"""Issue 4 over HTTP: bundle intake and its shared upload, 秒批 and commitment at POST /cases, licence offers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.conftest import MUCK_ITEM, PERSON_ID, muck_form, required_form
from tests.cases.test_bundles import MIGRATION, MOVE_OUT, PDF, all_materials, merged_form
from tongban.cases.models import BundleCase, Case
from tongban.catalog.models import Item
from tongban.licences.models import LicenceLookup

pytestmark = pytest.mark.django_db


def test_bundle_intake_over_the_api(api, enterprise_user, user_of):
    api.force_authenticate(enterprise_user)
    applicant = enterprise_user.applicant
    body = {
        "bundle": MIGRATION,
        "region": "350104",
        "item_regions": {MOVE_OUT: "350102"},
        "channel": "online",
        "applicant": {"kind": applicant.kind, "id_number": applicant.id_number, "name": applicant.name},
        "form_data": merged_form(MIGRATION),
        "materials": [{"material_type": m.material_type} for m in all_materials(MIGRATION)],
    }
    created = api.post("/api/v1/bundle-cases", body, format="json", HTTP_IDEMPOTENCY_KEY="move-1")
    assert created.status_code == 201, created.json()
    parent = created.json()
    again = api.post("/api/v1/bundle-cases", body, format="json", HTTP_IDEMPOTENCY_KEY="move-1")
    assert again.status_code == 200 and again.json()["number"] == parent["number"]
    other = api.post("/api/v1/bundle-cases", {**body, "region": "350102"}, format="json", HTTP_IDEMPOTENCY_KEY="move-1")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert BundleCase.objects.count() == 1 and Case.objects.filter(bundle_case__isnull=False).count() == 4
    assert parent["handling_mode"] == "multi_place" and len(parent["children"]) == 4
    assert {c["item"]["code"]: c["state"] for c in parent["children"]}[MOVE_OUT] == "waiting"

    upload = SimpleUploadedFile("住所证明.pdf", PDF, content_type="application/pdf")
    shared = api.post(f"/api/v1/bundle-cases/{parent['number']}/attachments", {"material_type": "M004", "file": upload})
    assert shared.status_code == 201 and len(shared.json()) == 3  # 准迁, 迁入 and 住所变更 ask for it

    api.force_authenticate(user_of("approver_gulou"))  # sees the bundle through its 迁出 child
    assert [b["number"] for b in api.get("/api/v1/bundle-cases").json()["results"]] == [parent["number"]]
    api.force_authenticate(user_of("clerk_city"))
    assert api.get("/api/v1/bundle-cases").json()["results"] == []
    assert api.get(f"/api/v1/bundle-cases/{parent['number']}").status_code == 404

    api.force_authenticate(enterprise_user)
    bad = api.post("/api/v1/bundle-cases", {**body, "bundle": "NOPE"}, format="json")
    assert bad.status_code == 404 and bad.json()["code"] == "bundle_not_found"


def test_auto_approval_and_licences_at_post_cases(api, enterprise_user):
    api.force_authenticate(enterprise_user)
    item = Item.objects.in_force().get(code=MUCK_ITEM)
    offers = api.get(
        "/api/v1/licences/offers",
        {"item": MUCK_ITEM, "holder": enterprise_user.applicant.id_number, "purpose": "网上申请"},
    ).json()
    by_material = {o["material"]: o["licences"][0]["identifier"] for o in offers}
    assert len(by_material) == 3
    materials = [{"material": m.pk, "licence": by_material.get(m.pk, "")} for m in item.materials.all()]
    applicant = enterprise_user.applicant
    body = {
        "item": MUCK_ITEM,
        "region": "350104",
        "channel": "online",
        "applicant": {"kind": applicant.kind, "id_number": applicant.id_number, "name": applicant.name},
        "form_data": muck_form(),
        "materials": materials,
    }
    created = api.post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="muck-1")
    assert created.status_code == 201, created.json()
    waiting = created.json()
    assert waiting["state"] == "submitted" and waiting["auto_decision"]["waiting_for"]
    assert {m["licence"] for m in waiting["materials"] if m["licence"]} == set(by_material.values())
    assert api.get(f"/api/v1/cases/{waiting['number']}").json() == waiting
    again = api.post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="muck-1")  # key kept with the number
    assert (again.status_code, again.json()["number"]) == (200, waiting["number"])
    agreement = next(m["material"] for m in waiting["materials"] if m["name"].startswith("建筑垃圾消纳场所证明"))
    upload = SimpleUploadedFile("处置协议.pdf", PDF, content_type="application/pdf")
    sent = api.post(f"/api/v1/cases/{waiting['number']}/attachments", {"material": agreement, "file": upload})
    assert sent.status_code == 201
    case = api.get(f"/api/v1/cases/{waiting['number']}").json()
    assert case["state"] == "approved" and case["result_licence"] and case["auto_decision"]["passed"]
    mine = api.get("/api/v1/licences/mine").json()
    assert case["result_licence"] in {lic["identifier"] for lic in mine}

    opted_out = api.post("/api/v1/cases", {**body, "human_decision": True}, format="json").json()
    assert opted_out["state"] == "submitted" and opted_out["human_decision_requested"]
    assert LicenceLookup.objects.filter(purpose__contains=case["number"]).exists()


def test_commitment_at_post_cases(api, user_of, food_item, grant_gulou):
    api.force_authenticate(user_of("clerk_gulou"))
    sub = food_item.sub_items.get(name="新办")
    body = {
        "item": food_item.code,
        "region": "350104",
        "sub_item": sub.name,
        "channel": "window",
        "applicant": {"kind": "person", "id_number": PERSON_ID, "name": "张三"},
        "form_data": required_form(food_item),
        "materials": [],
        "commitment": True,
    }
    created = api.post("/api/v1/cases", body, format="json")
    assert created.status_code == 201, created.json()
    case = created.json()
    assert case["state"] == "approved" and case["commitment_signed_at"] and case["post_check"]["status"] == "pending"
    assert {m["status"] for m in case["materials"] if m["necessity"] == "required"} == {"committed"}
    assert api.get(f"/api/v1/cases/{case['number']}").json() == case

    api.force_authenticate(user_of("approver_cangshan"))
    due = api.get("/api/v1/cases", {"post_check": "pending"}).json()["results"]
    assert [c["number"] for c in due] == [case["number"]]
    checked = api.post(
        f"/api/v1/cases/{case['number']}/transitions",
        {"action": "post_check", "reason": "承诺不实", "data": {"passed": False}},
        format="json",
    ).json()
    assert checked["state"] == "revoked" and checked["post_check"]["status"] == "failed"
    assert "已撤销许可" in checked["messages"][0]["text"]


def test_a_clerk_filing_a_bundle_online_gets_it_back(api, user_of, person):
    api.force_authenticate(user_of("clerk_gulou"))
    body = {
        "bundle": MIGRATION,
        "region": "350102",
        "channel": "online",
        "applicant": {"kind": "person", "id_number": PERSON_ID, "name": "张三"},
        "form_data": merged_form(MIGRATION),
    }
    created = api.post("/api/v1/bundle-cases", body, format="json")
    assert created.status_code == 201 and len(created.json()["children"]) == 4


def test_a_licence_revoked_by_its_issuer_is_noted_on_its_case(api, submit_muck, enterprise_user, approver_for):
    case = submit_muck(upload=True)
    approver = approver_for(case.department)
    api.force_authenticate(approver)
    revoked = api.post(
        f"/api/v1/licences/{case.result_licence.identifier}/revoke", {"reason": "违规运输"}, format="json"
    )
    assert revoked.status_code == 200

    api.force_authenticate(enterprise_user)
    shown = api.get(f"/api/v1/cases/{case.number}").json()
    assert "已被颁发机构撤销" in shown["messages"][0]["text"] and "违规运输" in shown["messages"][0]["text"]
    events = api.get(f"/api/v1/cases/{case.number}/events").json()
    assert events[-1]["action"] == "licence_revoked" and events[-1]["reason"] == "违规运输"
