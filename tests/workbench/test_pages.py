"""Staff pages through the test client: who may open what, the window's refusals, and acting on cases."""

import datetime

import pytest

from tongban.cases.choices import Action, ApplicantKind, Channel, MaterialStatus, State
from tongban.cases.models import Case
from tongban.cases.services import MaterialInput, identify_applicant, submit_case, transition
from tongban.catalog.services import item_in_force
from tongban.core.identifiers import make_credit_code

pytestmark = pytest.mark.django_db

FOOD = "000101009000"
COMPANY = make_credit_code("91350104", "MA2XYE01")


@pytest.fixture
def company():
    return identify_applicant(kind=ApplicantKind.ENTERPRISE, id_number=COMPANY, name="福州闽味餐饮有限公司")


def food_form(item) -> dict:
    values = {"credit_code": COMPANY, "food_business_category": "餐饮服务经营者", "contact_phone": "0591-88881234"}
    return {f["name"]: values.get(f["name"], "测试") for f in item.form_fields if f.get("required")}


@pytest.fixture
def accepted_case(company, user_of):
    """A Cangshan food licence taken in and accepted at the Gulou hall under the demo grant."""
    item = item_in_force(FOOD)
    sub = item.sub_items.get(name="新办")
    case = submit_case(
        by=user_of("clerk_gulou"),
        item_code=FOOD,
        region_code="350104",
        applicant=company,
        channel=Channel.WINDOW,
        sub_item="新办",
        form_data=food_form(item),
        materials=[MaterialInput(m.pk) for m in item.materials.all() if m.sub_item_id in (None, sub.pk)],
    )
    return transition(case, Action.ACCEPT, by=user_of("clerk_gulou"))


def as_user(client, user_of, username):
    client.force_login(user_of(username))
    return client


class TestWhoMayOpenWhat:
    @pytest.mark.parametrize(
        ("username", "path"),
        [("citizen_zhang", "/workbench/"), ("approver_cangshan", "/workbench/"), ("clerk_gulou", "/inbox/")],
    )
    def test_wrong_role_gets_the_chinese_403_page(self, client, user_of, username, path):
        response = as_user(client, user_of, username).get(path)
        html = response.content.decode()
        assert response.status_code == 403 and "无权访问" in html and "仅供" in html

    def test_visitor_is_sent_to_log_in(self, client):
        response = client.get("/inbox/")
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=/inbox/")

    def test_each_user_starts_at_their_own_page(self, client, user_of):
        for username, start in [
            ("clerk_gulou", "/workbench/"),
            ("approver_cangshan", "/inbox/"),
            ("citizen_zhang", "/my/cases/"),
            ("catalog_market", "/admin/"),
        ]:
            assert as_user(client, user_of, username).get("/me/")["Location"] == start

    def test_other_departments_case_is_not_visible(self, client, user_of, accepted_case):
        gulou = as_user(client, user_of, "approver_gulou")
        assert gulou.get(f"/workbench/cases/{accepted_case.number}/").status_code == 404
        assert accepted_case.number not in gulou.get("/inbox/").content.decode()
        cangshan = as_user(client, user_of, "approver_cangshan")
        assert accepted_case.number in cangshan.get("/inbox/").content.decode()

    def test_login_page_is_chinese(self, client):
        html = client.get("/login/").content.decode()
        assert "用户名" in html and "密码" in html and "演示数据" in html


class TestWindow:
    def test_bad_id_number_is_shown_next_to_the_field(self, client, user_of):
        clerk = as_user(client, user_of, "clerk_gulou")
        html = clerk.post(
            "/workbench/", {"kind": "person", "id_number": "11010519491231002Y", "name": "李娜"}
        ).content.decode()
        assert 'id="id_id_number_error"' in html and "身份证号码" in html
        assert 'aria-invalid="true"' in html and 'value="李娜"' in html

    def test_item_search_in_the_workbench(self, client, user_of, company):
        clerk = as_user(client, user_of, "clerk_gulou")
        html = clerk.get(f"/workbench/applicants/{company.pk}/", {"q": "spjy"}, HTTP_HX_REQUEST="true").content.decode()
        assert f"/workbench/applicants/{company.pk}/items/{FOOD}/" in html

    def test_missing_grant_says_which_and_where_to_go(self, client, user_of, company):
        clerk = as_user(client, user_of, "clerk_city")  # the city hall has no grant from Cangshan
        html = clerk.get(f"/workbench/applicants/{company.pk}/items/{FOOD}/", {"region": "350104", "sub": "新办"})
        text = html.content.decode()
        assert "本窗口不能受理该事项" in text and "异地收件受理权" in text
        assert "仓山区政务服务中心" in text  # Cangshan's own hall
        assert "鼓楼区政务服务中心" in text  # and the Gulou hall, which Cangshan has granted

    def test_duplicate_submit_makes_one_case(self, client, user_of, company):
        data = window_post("a" * 32, region="350104", decision="accept")
        clerk = as_user(client, user_of, "clerk_gulou")
        url = f"/workbench/applicants/{company.pk}/items/{FOOD}/"
        first, second = clerk.post(url, data), clerk.post(url, data)
        case = Case.objects.get(applicant=company)
        assert first["Location"] == second["Location"] == f"/workbench/cases/{case.number}/"
        assert case.state == State.ACCEPTED and case.grant is not None and case.channel == Channel.WINDOW

    def test_a_community_agent_files_as_proxy(self, client, user_of, company):
        agent = as_user(client, user_of, "agent_community")
        agent.post(f"/workbench/applicants/{company.pk}/items/{FOOD}/", window_post("c" * 32, region="350102"))
        case = Case.objects.get(applicant=company)
        assert case.channel == Channel.PROXY and case.state == State.ACCEPTED
        assert case.service_point == user_of("agent_community").staff.service_point

    def test_notice_at_the_window_needs_a_missing_material(self, client, user_of, company):
        data = window_post("b" * 32, region="350104", decision="notice", tick=False)
        clerk = as_user(client, user_of, "clerk_gulou")
        html = clerk.post(f"/workbench/applicants/{company.pk}/items/{FOOD}/", data).content.decode()
        assert "一次性告知须至少有一项缺少或不符合要求的材料。" in html
        assert not Case.objects.filter(applicant=company).exists()


def window_post(key: str, *, region: str, decision: str = "accept", tick: bool = True) -> dict:
    """The food licence (新办) as the clerk sends it: every material received, the points ticked."""
    item = item_in_force(FOOD)
    sub = item.sub_items.get(name="新办")
    data = {"submission_key": key, "region": region, "sub": "新办", "decision": decision}
    data.update({f"f_{name}": value for name, value in food_form(item).items()})
    data.update({f"m{m.pk}": "received" for m in item.materials.all() if m.sub_item_id in (None, sub.pk)})
    if tick:
        data.update({f"p{p.pk}": "on" for p in item.review_points.all() if p.sub_item_id in (None, sub.pk)})
    return data


class TestInbox:
    def test_overdue_and_due_soon_are_highlighted(self, client, user_of, accepted_case):
        Case.objects.filter(pk=accepted_case.pk).update(deadline=datetime.date(2020, 1, 2))
        approver = as_user(client, user_of, "approver_cangshan")
        html = approver.get("/inbox/").content.decode()
        assert '<tr class="overdue">' in html
        assert accepted_case.number in approver.get("/inbox/", {"deadline": "overdue"}).content.decode()
        assert accepted_case.number not in approver.get("/inbox/", {"deadline": "due_soon"}).content.decode()
        assert accepted_case.number not in approver.get("/inbox/", {"state": "closed"}).content.decode()

    def test_deciding_with_reason_and_suspension(self, client, user_of, accepted_case):
        approver = as_user(client, user_of, "approver_cangshan")
        url = f"/workbench/cases/{accepted_case.number}/"
        approver.post(url, {"action": "start_review", "expected_state": "accepted"})
        no_reason = approver.post(url, {"action": "deny", "expected_state": "in_review", "reason": ""})
        assert "不予许可须说明理由和依据。" in no_reason.content.decode()
        bad_code = approver.post(url, {"action": "suspend", "expected_state": "in_review", "reason_code": ""})
        assert "中止须选择法定事由" in bad_code.content.decode()
        approver.post(url, {"action": "suspend", "expected_state": "in_review", "reason_code": "on_site_check"})
        accepted_case.refresh_from_db()
        assert accepted_case.state == State.SUSPENDED
        assert "恢复" in approver.get(url).content.decode()

    def test_someone_else_decided_first(self, client, user_of, accepted_case):
        transition(accepted_case, Action.START_REVIEW, by=user_of("approver_cangshan"))
        approver = as_user(client, user_of, "approver_cangshan")
        url = f"/workbench/cases/{accepted_case.number}/"
        response = approver.post(url, {"action": "start_review", "expected_state": "accepted"}, follow=True)
        assert "该办件已由他人处理，当前状态为“审查中”" in response.content.decode()

    def test_conflict_from_the_service_is_a_clear_message(self, client, user_of, accepted_case, monkeypatch):
        from tongban.core.errors import Conflict
        from tongban.workbench import casework

        def first_come(*args, **kwargs):
            raise Conflict("办件当前状态为“准予许可”，不能执行“准予许可”。", code="invalid_transition")

        transition(accepted_case, Action.START_REVIEW, by=user_of("approver_cangshan"))
        monkeypatch.setattr(casework, "transition", first_come)
        approver = as_user(client, user_of, "approver_cangshan")
        url = f"/workbench/cases/{accepted_case.number}/"
        response = approver.post(url, {"action": "approve", "expected_state": "in_review"}, follow=True)
        assert "操作未执行" in response.content.decode() and "可能已有其他人员先行处理" in response.content.decode()

    def test_one_time_notice_from_the_back_office_needs_reasons(self, client, user_of, company):
        item = item_in_force("000101008000")
        citizen = user_of("citizen_zhang")
        case = submit_case(
            by=citizen,
            item_code=item.code,
            region_code="350104",
            applicant=citizen.applicant,
            channel=Channel.ONLINE,
            form_data={
                "applicant_name": "张伟",
                "applicant_id_number": "350104198803151230",
                "business_scope": "零售",
                "business_address": "仓山",
                "contact_phone": "13905910001",
            },
            materials=[MaterialInput(m.pk, MaterialStatus.PROVIDED) for m in item.materials.all()],
        )
        approver = as_user(client, user_of, "approver_cangshan")
        url = f"/workbench/cases/{case.number}/"
        material = item.materials.first()
        html = approver.post(
            url, {"action": "request_supplement", "expected_state": "submitted", f"m{material.pk}": "faulty"}
        ).content.decode()
        assert "请写明需补正的内容及原因。" in html
        approver.post(
            url,
            {
                "action": "request_supplement",
                "expected_state": "submitted",
                f"m{material.pk}": "faulty",
                f"m{material.pk}_note": "签字不全",
            },
        )
        case.refresh_from_db()
        assert case.state == State.SUPPLEMENT_REQUESTED
