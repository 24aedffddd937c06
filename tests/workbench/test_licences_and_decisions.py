"""Staff pages for e-licences, 秒批, 告知承诺 post-checks and bundle children, through the test client."""

import pytest
from django.contrib.auth import get_user_model

from tests.cases.conftest import MUCK_ITEM, licence_of
from tests.portal.conftest import RESTAURANT_FORM, muck_application
from tongban.cases.bundles import BundleMaterialInput, submit_bundle
from tongban.cases.choices import Channel, MaterialStatus, PostCheckStatus, State
from tongban.cases.models import Case
from tongban.cases.services import submit_case
from tongban.catalog.bundles import bundle_requirements
from tongban.catalog.models import Bundle
from tongban.catalog.services import item_in_force
from tongban.directory.roles import Role
from tongban.directory.services import assign_staff
from tongban.licences.models import LicenceLookup, LicenceStatus

pytestmark = pytest.mark.django_db

FOOD = "000101009000"


def as_user(client, user_of, username):
    client.force_login(user_of(username))
    return client


@pytest.fixture
def rongyun(user_of):
    return user_of("enterprise_rongyun")


def food_form() -> dict:
    values = {
        "credit_code": "91350104M0000D0145",
        "food_business_category": "餐饮服务经营者",
        "contact_phone": "0591-88880000",
    }
    return {f["name"]: values.get(f["name"], "测试") for f in item_in_force(FOOD).form_fields if f.get("required")}


@pytest.fixture
def committed_case(rongyun):
    """食品经营许可 approved at once under 告知承诺, with nothing but the form sent (Cangshan decides)."""
    return submit_case(
        by=rongyun,
        item_code=FOOD,
        region_code="350104",
        applicant=rongyun.applicant,
        channel=Channel.ONLINE,
        sub_item="新办",
        form_data=food_form(),
        commitment=True,
    )


class TestWindowLicences:
    def test_the_applicant_page_calls_up_licences_with_a_purpose(self, client, user_of, rongyun):
        clerk = as_user(client, user_of, "clerk_gulou")
        url = f"/workbench/applicants/{rongyun.applicant.pk}/"
        page = clerk.get(url).content.decode()
        assert "调取电子证照" in page and "窗口办事核验证照（鼓楼区政务服务中心）" in page
        assert not LicenceLookup.objects.filter(user__username="clerk_gulou").exists()  # nothing read unasked

        panel = clerk.get(url, {"purpose": "办理渣土运输备案前核验"}, HTTP_HX_REQUEST="true").content.decode()

        assert "道路运输经营许可证" in panel and "营业执照" in panel and "本次调取已留痕" in panel
        lookup = LicenceLookup.objects.get(user__username="clerk_gulou")
        assert lookup.purpose == "办理渣土运输备案前核验" and lookup.found == 3

    def test_no_purpose_no_look_up(self, client, user_of, rongyun):
        clerk = as_user(client, user_of, "clerk_gulou")
        page = clerk.get(f"/workbench/applicants/{rongyun.applicant.pk}/", {"purpose": " "}).content.decode()
        assert 'id="id_purpose_error"' in page
        assert not LicenceLookup.objects.filter(user__username="clerk_gulou").exists()

    def test_a_licence_called_up_at_intake_replaces_the_paper(self, client, user_of, rongyun):
        item = item_in_force(FOOD)
        sub = item.sub_items.get(name="新办")
        materials = [m for m in item.materials.all() if m.sub_item_id in (None, sub.pk)]
        licence = licence_of(rongyun, "YYZZ0001")
        clerk = as_user(client, user_of, "clerk_gulou")
        url = f"/workbench/applicants/{rongyun.applicant.pk}/items/{FOOD}/"
        page = clerk.get(url, {"region": "350104", "sub": "新办"}).content.decode()
        replaced = next(m for m in materials if m.material_type.code == "M002")
        assert f'name="m{replaced.pk}_licence"' in page and licence.number in page

        data = {"submission_key": "f" * 32, "region": "350104", "sub": "新办", "decision": "accept"}
        data.update({f"f_{name}": value for name, value in food_form().items()})
        data.update({f"m{m.pk}": "received" for m in materials})
        data[f"m{replaced.pk}"] = "missing"  # no paper: the licence stands in for it
        data[f"m{replaced.pk}_licence"] = licence.identifier
        data.update({f"p{p.pk}": "on" for p in item.review_points.all() if p.sub_item_id in (None, sub.pk)})
        response = clerk.post(url, data)

        case = Case.objects.get(applicant=rongyun.applicant)
        assert response["Location"] == f"/workbench/cases/{case.number}/"
        row = case.materials.get(material=replaced)
        assert case.state == State.ACCEPTED and row.licence == licence and row.status == MaterialStatus.PROVIDED
        assert LicenceLookup.objects.filter(purpose__contains="窗口受理“食品经营许可”").exists()
        staff_page = clerk.get(response["Location"]).content.decode()
        assert "以电子证照代替的材料" in staff_page and licence.number in staff_page


class TestAutoApprovalExplained:
    def test_the_approver_sees_rules_expressions_values_and_licences(self, client, user_of, rongyun):
        client.force_login(rongyun)  # applies online, files and licences as the portal sends them
        apply = f"/items/{MUCK_ITEM}/apply/"
        client.post(apply, muck_application(client.get(apply).content.decode()))
        case = Case.objects.get(item__code=MUCK_ITEM)
        approver = get_user_model().objects.create(username="approver_cangshan_urban")
        assign_staff(approver, role=Role.APPROVER, department=case.department)
        client.force_login(approver)

        page = client.get(f"/workbench/cases/{case.number}/").content.decode()

        assert "系统自动审批（秒批）：准予" in page
        assert "licences[&quot;DLYS0001&quot;].valid_until &gt;= today" in page  # the expression, escaped
        assert f"规则 #{case.item.approval_rules.get(code='R2').pk}，事项版本 v{case.item.version}" in page
        assert "以电子证照代替的材料" in page
        for type_code in ("YYZZ0001", "DLYS0001", "DLYSZ001"):
            assert licence_of(rongyun, type_code).number in page
        assert "签发的电子证照" in page and case.result_licence.number in page
        assert "依据个人信息保护法第二十四条，您有权" not in page  # that note is for the applicant


class TestPostCheck:
    def test_pending_checks_are_filtered_and_recorded_with_clear_errors(self, client, user_of, committed_case):
        approver = as_user(client, user_of, "approver_cangshan")
        listed = approver.get("/inbox/", {"post_check": "pending"}).content.decode()
        assert committed_case.number in listed and "事后核查" in listed
        url = f"/workbench/cases/{committed_case.number}/"
        page = approver.get(url).content.decode()
        assert "告知承诺：已当场准予" in page and "记录核查结果" in page

        no_verdict = approver.post(url, {"action": "post_check", "expected_state": "approved", "reason": ""})
        assert "请选择核查结论（属实或不实）。" in no_verdict.content.decode()
        no_reason = approver.post(url, {"action": "post_check", "expected_state": "approved", "verdict": "failed"})
        assert "核查不实须写明核查情况和撤销依据。" in no_reason.content.decode()
        stale = approver.post(url, {"action": "post_check", "expected_state": "submitted", "verdict": "passed"})
        assert stale.status_code == 302
        committed_case.post_check.refresh_from_db()
        assert committed_case.post_check.status == PostCheckStatus.PENDING  # none of these recorded anything

        failed = {"action": "post_check", "expected_state": "approved", "verdict": "failed", "reason": "场所不符"}
        approver.post(url, failed)

        committed_case.refresh_from_db()
        assert committed_case.state == State.REVOKED and committed_case.result_licence.status == LicenceStatus.REVOKED
        assert committed_case.number not in approver.get("/inbox/", {"post_check": "pending"}).content.decode()
        assert "记录核查结果" not in approver.get(url).content.decode()

    def test_a_passed_check_keeps_the_licence(self, client, user_of, committed_case):
        approver = as_user(client, user_of, "approver_cangshan")
        url = f"/workbench/cases/{committed_case.number}/"
        approver.post(url, {"action": "post_check", "expected_state": "approved", "verdict": "passed"})
        committed_case.refresh_from_db()
        assert committed_case.post_check.status == PostCheckStatus.PASSED
        assert committed_case.result_licence.status == LicenceStatus.VALID

    def test_another_department_can_neither_see_nor_record(self, client, user_of, committed_case):
        other = as_user(client, user_of, "approver_gulou")
        url = f"/workbench/cases/{committed_case.number}/"
        assert other.get(url).status_code == 404
        posted = other.post(url, {"action": "post_check", "expected_state": "approved", "verdict": "passed"})
        assert posted.status_code == 404
        assert committed_case.number not in other.get("/inbox/", {"post_check": "pending"}).content.decode()
        committed_case.post_check.refresh_from_db()
        assert committed_case.post_check.status == PostCheckStatus.PENDING


def test_a_bundle_child_shows_its_bundle_and_siblings(client, user_of, rongyun):
    requirements = bundle_requirements(Bundle.objects.get(code="YJS003"))
    parent = submit_bundle(
        by=rongyun,
        bundle_code="YJS003",
        region_code="350104",
        applicant=rongyun.applicant,
        channel=Channel.ONLINE,
        form_data=RESTAURANT_FORM,
        materials=[BundleMaterialInput(m["material_type"]) for m in requirements.materials],
    )
    waiting = parent.children.get(item__code=FOOD)
    approver = as_user(client, user_of, "approver_cangshan")

    page = approver.get(f"/workbench/cases/{waiting.number}/").content.decode()

    assert "所属一件事" in page and "开办餐饮店一件事" in page and parent.number in page
    assert "本件须等待前置事项准予后才开始办理" in page and "企业设立登记" in page
    assert "已提交，待预审" in page  # the sibling's state
    assert "一件事" in approver.get("/inbox/").content.decode()
