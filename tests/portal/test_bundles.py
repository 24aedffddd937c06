"""一件事 online: one form and one set of materials for 开办餐饮店一件事, the bundle case page, and who sees it."""

import pytest

from tests.portal.conftest import RESTAURANT_FORM, offered, png
from tongban.cases.choices import Action, BundleCaseState, State
from tongban.cases.models import BundleCase
from tongban.cases.services import transition
from tongban.catalog.bundles import bundle_requirements
from tongban.catalog.models import Bundle

pytestmark = pytest.mark.django_db

RESTAURANT = "YJS003"  # 企业设立登记, then 食品经营许可 (新办): both Cangshan market items
APPLY = f"/bundles/{RESTAURANT}/apply/"
COMPANY, FOOD = "000101001000", "000101009000"


def application(html: str, key: str = "d" * 32, skip: str = "", **overrides) -> dict:
    """The merged form as the page shows it: its licences where offered, a file for every other required one."""
    data = {"submission_key": key, "region": "350104", f"sub_{FOOD}": "新办"}
    data.update({f"f_{name}": value for name, value in RESTAURANT_FORM.items()})
    for material in bundle_requirements(Bundle.objects.get(code=RESTAURANT)).materials:
        code = material["material_type"]
        if choices := offered(html, code):
            data[f"licence_{code}"] = choices[0]
        elif material["necessity"] == "required" and code != skip:
            data[f"material_{code}"] = png(f"{code}.png")
    data.update(overrides)
    return data


def test_one_submission_makes_a_child_per_item_with_shared_files_and_licences(enterprise):
    html = enterprise.get(APPLY).content.decode()
    assert "材料 14 → 10，填表字段 17 → 13" in html and "您的电子证照可代替 1 项材料" in html
    assert "营业执照：由“企业设立登记”办结后签发的电子证照提供" in html  # not asked of the applicant

    first = enterprise.post(APPLY, application(html))
    again = enterprise.post(APPLY, application(html))  # a double click sends the same key

    parent = BundleCase.objects.get(applicant__user__username="enterprise_rongyun")
    assert first["Location"] == again["Location"] == f"/my/bundles/{parent.number}/"
    children = {c.item.code: c for c in parent.children.all()}
    assert children[COMPANY].state == State.SUBMITTED and children[FOOD].state == State.WAITING
    form = children[FOOD].materials.get(material__material_type__code="M006").attachments.get()
    shared = children[COMPANY].materials.get(material__material_type__code="M006").attachments.get()
    assert form.file.name == shared.file.name  # 申请表 uploaded once, attached to both
    business_licence = children[FOOD].materials.get(material__material_type__code="M002")
    assert business_licence.status == "missing" and "企业设立登记" in business_licence.note


def test_the_bundle_page_follows_each_item_until_all_are_done(enterprise, user_of):
    enterprise.post(APPLY, application(enterprise.get(APPLY).content.decode()))
    parent = BundleCase.objects.get(applicant__user__username="enterprise_rongyun")
    page = enterprise.get(f"/my/bundles/{parent.number}/").content.decode()
    assert "等待前置事项办结" in page and "等待“企业设立登记”准予后开始办理" in page
    assert "仓山区市场监督管理局" in page and "法定代表人（负责人）公民身份号码" in page
    assert "350104198803151230" not in page  # the legal representative's ID number is masked
    assert parent.number in enterprise.get("/my/cases/").content.decode()

    approver = user_of("approver_cangshan")
    for child in parent.children.order_by("pk"):
        for action in (Action.ACCEPT, Action.START_REVIEW, Action.APPROVE):
            transition(child.number, action, by=approver)

    parent.refresh_from_db()
    assert parent.state == BundleCaseState.COMPLETED
    company, food = parent.children.order_by("pk")
    given = food.materials.get(material__material_type__code="M002")  # the licence the first item issued
    assert given.status == "provided" and given.licence == company.result_licence
    page = enterprise.get(f"/my/bundles/{parent.number}/").content.decode()
    assert "全部办结" in page and "共 2 个事项，已办结 2 个" in page


def test_the_bundle_page_reads_a_fixed_number_of_queries(enterprise, django_assert_max_num_queries):
    enterprise.post(APPLY, application(enterprise.get(APPLY).content.decode()))
    parent = BundleCase.objects.get()
    with django_assert_max_num_queries(8):  # session, user, parent, children, their events, materials, files
        enterprise.get(f"/my/bundles/{parent.number}/")


def test_a_denied_item_shows_its_reason_and_stops_the_next(enterprise, user_of):
    enterprise.post(APPLY, application(enterprise.get(APPLY).content.decode()))
    parent = BundleCase.objects.get(applicant__user__username="enterprise_rongyun")
    company = parent.children.get(item__code=COMPANY)
    approver = user_of("approver_cangshan")
    for action in (Action.ACCEPT, Action.START_REVIEW):
        transition(company.number, action, by=approver)
    transition(company.number, Action.DENY, by=approver, reason="企业名称与已登记企业重名")

    page = enterprise.get(f"/my/bundles/{parent.number}/").content.decode()
    assert "企业名称与已登记企业重名" in page and "前置事项未获准予，终止办理" in page
    assert "已办结，部分事项未获准予" in page


def test_a_missing_file_keeps_everything_else_and_makes_nothing(enterprise):
    html = enterprise.get(APPLY).content.decode()
    page = enterprise.post(APPLY, application(html, skip="M007")).content.decode()

    assert 'id="id_material_M007_error"' in page and "请上传此项必要材料。" in page
    assert page.count('name="staged_') >= 5  # the other files are kept
    assert "福州榕味餐饮有限公司" in page  # and what was typed
    assert not BundleCase.objects.exists()


def test_a_bad_form_value_from_the_intake_is_shown_next_to_its_field(enterprise):
    html = enterprise.get(APPLY).content.decode()
    page = enterprise.post(APPLY, application(html, f_legal_representative_id_number="350104198803151231"))
    assert 'id="id_f_legal_representative_id_number_error"' in page.content.decode()
    assert not BundleCase.objects.exists()


def test_a_form_sent_again_from_the_back_button_shows_what_its_key_made(enterprise):
    html = enterprise.get(APPLY).content.decode()
    first = enterprise.post(APPLY, application(html))
    changed = enterprise.post(APPLY, application(html, f_enterprise_name="另一家餐饮有限公司"))
    assert changed["Location"] == first["Location"]
    assert BundleCase.objects.get().form_data["enterprise_name"] == "福州榕味餐饮有限公司"


def test_someone_elses_bundle_case_is_not_found(enterprise, client, user_of):
    enterprise.post(APPLY, application(enterprise.get(APPLY).content.decode()))
    parent = BundleCase.objects.get()
    client.force_login(user_of("citizen_zhang"))
    assert client.get(f"/my/bundles/{parent.number}/").status_code == 404
    child = parent.children.first()
    assert client.get(f"/my/cases/{child.number}/").status_code == 404
    client.force_login(user_of("clerk_gulou"))
    assert client.get(f"/my/bundles/{parent.number}/").status_code == 404


def test_staff_cannot_apply_for_a_bundle_and_a_visitor_must_log_in(client, user_of):
    assert client.get(APPLY)["Location"].startswith("/login/")
    client.force_login(user_of("clerk_gulou"))
    assert "未关联申请人身份" in client.get(APPLY).content.decode()


def test_a_bundle_with_an_automatically_decided_item_lets_the_applicant_ask_for_a_human(enterprise, rule_for):
    assert "不接受系统自动审批" not in enterprise.get(APPLY).content.decode()
    rule_for(FOOD, 'applicant.kind == "enterprise"')
    html = enterprise.get(APPLY).content.decode()
    assert "不接受系统自动审批" in html and "“食品经营许可”实行“秒批”" in html

    enterprise.post(APPLY, application(html, human_decision="on"))
    parent = BundleCase.objects.get(applicant__user__username="enterprise_rongyun")
    assert all(c.human_decision_requested for c in parent.children.all())
