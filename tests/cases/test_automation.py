"""秒批: rules that pass, fail, miss data or are malformed; the opt-out; the explanation."""

import pytest

from tests.cases.conftest import (
    ENTERPRISE_CODE,
    MUCK_ITEM,
    licence_of,
    muck_form,
    upload_disposal_agreement,
    upload_file,
)
from tongban.cases.choices import Action, MaterialStatus, State
from tongban.cases.services import MaterialInput
from tongban.catalog.models import ApprovalRule, Item
from tongban.catalog.services import check_item_rule, draft_new_version, publish_item
from tongban.core.errors import InvalidInput
from tongban.licences.models import LicenceLookup, LicenceStatus
from tongban.licences.services import revoke_licence

pytestmark = pytest.mark.django_db


def test_rules_passing_wait_for_the_files_then_approve_and_issue_the_licence_as_the_system(
    submit_muck, enterprise_user
):
    waiting = submit_muck()
    assert waiting.state == State.SUBMITTED and waiting.auto_decision["waiting_for"] == [
        "建筑垃圾消纳场所证明（处置协议）"
    ]
    assert not waiting.events.filter(action=Action.AUTO_CHECK).exists()  # not refused: waiting for the upload

    case = upload_disposal_agreement(waiting, enterprise_user)

    assert case.state == State.APPROVED and case.accepted_at and case.decided_at and case.deadline
    event = case.events.get(action=Action.AUTO_APPROVE)
    assert event.actor is None and event.actor_role == "system" and event.to_state == State.APPROVED
    licence = case.result_licence
    assert licence.license_type.code == "JZLJ0001" and licence.holder_code == enterprise_user.applicant.id_number
    assert licence.status == LicenceStatus.VALID and licence.issuer == case.department
    assert event.data["licence"] == licence.identifier
    rules = {r["rule"]: r for r in event.data["rules"]}
    assert set(rules) == {"R1", "R2", "R3", "R4", "R5", "materials"} and all(r["passed"] for r in rules.values())
    r2 = rules["R2"]
    assert r2["item_version"] == case.item.version and r2["rule_id"] and r2["expression"]
    read = {v["name"]: v for v in r2["values"]}
    dlys = licence_of(enterprise_user, "DLYS0001")
    assert read['licences["DLYS0001"]']["value"]["identifier"] == dlys.identifier
    assert read['licences["DLYS0001"]']["source"] == "电子证照库" and read["today"]["source"] == "系统时钟"
    assert {v["name"]: v["value"] for v in rules["R4"]["values"]} == {"form.vehicle_count": 12}
    assert licence.data["处置量（立方米）"] == "3000" and "联系电话" not in licence.data  # face fields only


def test_licences_replace_materials_and_every_look_up_is_audited_with_the_case_number(submit_muck):
    case = submit_muck(upload=True)

    by_licence = case.materials.filter(licence__isnull=False)
    assert {m.material.material_type.code for m in by_licence} == {"M002", "M046", "M045"}
    assert all(m.status == MaterialStatus.PROVIDED for m in by_licence)
    purposes = list(LicenceLookup.objects.values_list("purpose", flat=True))
    assert any(case.number in p and "受理" in p for p in purposes)
    assert any(case.number in p and "秒批" in p for p in purposes)


def test_a_failing_rule_sends_the_case_to_a_human_with_the_failed_rule_shown(submit_muck):
    case = submit_muck(form=muck_form(vehicle_count="0"), upload=True)

    assert case.state == State.SUBMITTED and case.result_licence is None and case.decided_at is None
    failed = [r["rule"] for r in case.auto_decision["rules"] if not r["passed"]]
    assert failed == ["R4"] and case.auto_decision["passed"] is False
    event = case.events.get(action=Action.AUTO_CHECK)
    assert event.from_state == event.to_state == State.SUBMITTED and "R4" in event.reason


def test_a_missing_licence_fails_its_rule(submit_muck, enterprise_user, user_of):
    dlys = licence_of(enterprise_user, "DLYS0001")
    approver = user_of("admin")
    revoke_licence(dlys, by=approver, reason="测试：吊销")
    item = Item.objects.in_force().get(code=MUCK_ITEM)
    by_licence = {"M002": licence_of(enterprise_user, "YYZZ0001"), "M045": licence_of(enterprise_user, "DLYSZ001")}
    materials = [
        MaterialInput(m.pk, licence=by_licence[m.material_type.code].identifier)
        if m.material_type.code in by_licence
        else MaterialInput(m.pk)
        for m in item.materials.all()
    ]
    case = submit_muck(materials=materials)
    upload_file(case, enterprise_user, "M046")  # a scan instead of the revoked permit: the file is in,
    case = upload_disposal_agreement(case, enterprise_user)  # but the rule reads the library

    assert case.state == State.SUBMITTED
    assert [r["rule"] for r in case.auto_decision["rules"] if not r["passed"]] == ["R2"]


def test_declared_but_unsent_materials_do_not_count_online(submit_muck, enterprise_user):
    item = Item.objects.in_force().get(code=MUCK_ITEM)
    declared = [MaterialInput(m.pk, MaterialStatus.PROVIDED) for m in item.materials.all()]  # no licences, no files

    case = submit_muck(materials=declared, form=muck_form())
    assert case.state == State.SUBMITTED  # R2 reads the library itself, so the rules pass
    waiting = case.auto_decision["waiting_for"]
    assert "营业执照" in waiting and "建筑垃圾消纳场所证明（处置协议）" in waiting
    assert "城市建筑垃圾处置（渣土运输）备案申请表" not in waiting  # the online form is that material

    still = upload_disposal_agreement(case, enterprise_user)
    assert still.state == State.SUBMITTED and "营业执照" in still.auto_decision["waiting_for"]


def test_a_licence_revoked_before_the_decision_stops_it(submit_muck, enterprise_user, user_of):
    case = submit_muck()
    revoke_licence(licence_of(enterprise_user, "YYZZ0001"), by=user_of("admin"), reason="吊销营业执照")
    case = upload_disposal_agreement(case, enterprise_user)
    assert case.state == State.SUBMITTED and "营业执照" in case.auto_decision["waiting_for"]


def test_the_applicant_may_ask_for_a_human_decision(submit_muck):
    case = submit_muck(human_decision=True)

    assert case.state == State.SUBMITTED and case.human_decision_requested
    assert case.auto_decision["opted_out"] is True
    assert case.events.get(action=Action.AUTO_CHECK).reason == "申请人要求人工决定"


def test_malformed_rules_are_refused_when_saved():
    item = Item.objects.in_force().get(code=MUCK_ITEM)
    for expression, fragment in [
        ("form.vehicle_count >", "语法错误"),
        ("form.vehicles > 1", "申请表没有字段 vehicles"),
        ('"NOPE0001" in licences', "证照类型 NOPE0001 不存在"),
        ("applicant.salary > 1", "申请人没有属性 salary"),
        ("secret == 1", "未知变量 secret"),
        ('licences["DLYS0001"].colour == "red"', "证照没有属性 colour"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            check_item_rule(item, expression)
        assert refused.value.code == "invalid_rule" and fragment in refused.value.message, expression
    check_item_rule(item, 'form.vehicle_count > 0 && "DLYS0001" in licences')  # a good rule passes


def test_a_broken_rule_cannot_be_published(user_of):
    item = Item.objects.in_force().get(code=MUCK_ITEM)
    draft = draft_new_version(item, by=user_of("admin"))
    assert draft.approval_rules.count() == item.approval_rules.count()  # the new version keeps its rules
    ApprovalRule.objects.create(item=draft, code="BAD", description="坏规则", expression="form.nope == 1")

    with pytest.raises(InvalidInput) as refused:
        publish_item(draft, by=user_of("admin"))
    assert refused.value.code == "invalid_rule" and "BAD" in refused.value.message


def test_rule_preview_for_catalog_admins(api, user_of):
    applicant = {"kind": "enterprise", "id_number": ENTERPRISE_CODE, "name": "预览企业"}
    url = f"/api/v1/items/{MUCK_ITEM}/rule-preview"
    body = {"applicant": applicant, "form_data": muck_form(), "licences": [{"type": "DLYS0001"}]}

    api.force_authenticate(user_of("catalog_market"))  # market admin: not this item's authority
    refused = api.post(url, body, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_item_owner"

    api.force_authenticate(user_of("admin"))
    answer = api.post(url, body, format="json").json()
    assert {r["rule"]: r["passed"] for r in answer["rules"]} == {
        "R1": True,
        "R2": True,
        "R3": False,
        "R4": True,
        "R5": True,
    }
    missing = api.post(url, {**body, "form_data": {}}, format="json").json()
    r4 = next(r for r in missing["rules"] if r["rule"] == "R4")
    assert r4["missing_data"] and not r4["passed"]
    wrong_check = ENTERPRISE_CODE[:-1] + ("0" if ENTERPRISE_CODE[-1] != "0" else "1")
    bad_id = api.post(url, {**body, "applicant": {**applicant, "id_number": wrong_check}}, format="json")
    assert bad_id.status_code == 400 and bad_id.json()["code"] == "invalid_id_number"


def test_whoever_uploads_the_last_file_completes_the_decision(submit_muck, approver_for):
    case = submit_muck()
    approver = approver_for(case.department)  # an approver may not look licences up by holder, only for a case

    case = upload_disposal_agreement(case, approver)

    assert case.state == State.APPROVED and case.result_licence is not None
    assert LicenceLookup.objects.filter(user=approver, purpose=f"秒批 {case.number}").exists()


@pytest.fixture
def muck_at_the_window(submit_muck, user_of):
    """The muck application taken in at a 鼓楼 window, which 仓山's urban management lets receive and accept."""
    from tongban.cases.choices import Channel, Right
    from tongban.cases.grants import create_grant
    from tongban.cases.services import implementation_for
    from tongban.directory.models import ServicePoint

    department = implementation_for(MUCK_ITEM, "350104").department
    gulou = ServicePoint.objects.get(code="fz-gulou")
    create_grant(by=user_of("admin"), department=department, service_point=gulou, rights=[Right.RECEIVE_ACCEPT])
    return lambda: submit_muck(by=user_of("clerk_gulou"), channel=Channel.WINDOW)


def test_at_a_window_the_clerk_takes_the_application_in_first_and_the_rules_decide_on_acceptance(
    muck_at_the_window, user_of
):
    from tongban.cases.services import transition

    case = muck_at_the_window()
    assert case.state == State.SUBMITTED and case.auto_decision == {}  # not decided over the clerk's head
    clerk = user_of("clerk_gulou")
    decided = transition(case.number, Action.ACCEPT, by=clerk)
    assert decided.state == State.APPROVED and decided.result_licence_id and decided.auto_decision["passed"]
    steps = [(e.action, e.actor) for e in decided.events.order_by("at", "pk")]
    assert steps[0] == (Action.SUBMIT, clerk) and steps[1] == (Action.ACCEPT, clerk)
    assert (Action.AUTO_APPROVE, None) in steps[2:]


def test_a_window_acceptance_with_a_material_owed_is_left_to_the_department(muck_at_the_window, user_of):
    import datetime

    from django.utils import timezone

    from tests.cases.conftest import DISPOSAL_AGREEMENT
    from tongban.cases.services import transition
    from tongban.catalog.models import Material
    from tongban.catalog.search import item_index
    from tongban.catalog.services import bump_catalog_revision

    agreement = Material.objects.get(
        item__in=Item.objects.in_force(), item__code=MUCK_ITEM, material_type__code=DISPOSAL_AGREEMENT
    )
    Material.objects.filter(pk=agreement.pk).update(necessity="deferrable")  # 容缺 in a version published so
    bump_catalog_revision()
    item_index.invalidate()
    case = muck_at_the_window()
    due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    owed = {"deferred": [{"material": agreement.pk, "due_date": due}]}
    accepted = transition(case.number, Action.ACCEPT, by=user_of("clerk_gulou"), data=owed)
    assert accepted.state == State.ACCEPTED and not accepted.result_licence_id
    assert accepted.auto_decision["owed"] == [agreement.name]
    assert accepted.events.get(action=Action.AUTO_CHECK).reason.startswith("容缺受理")
