"""At the window: a walk-in at the Gulou hall for a Cangshan item, accepted under Cangshan's grant
and approved by Cangshan's approver; and a negative-list item refused with the right place to go."""

import re

import pytest
from playwright.sync_api import expect

from tests.cases.conftest import sample_value
from tongban.cases.choices import State
from tongban.cases.models import BundleCase, Case
from tongban.catalog.bundles import bundle_requirements
from tongban.catalog.models import Bundle
from tongban.core.identifiers import make_credit_code

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

COMPANY_CODE = make_credit_code("91350104", "MA2XYE01")
PERSON_ID = "11010519491231002X"


def identify(page, kind: str, id_number: str, name: str):
    page.get_by_label("申请人类别").select_option(label=kind)
    page.get_by_label("证件号码").fill(id_number)
    page.get_by_label("姓名或名称").fill(name)
    page.get_by_role("button", name="核验并继续").click()


def find_item(page, query: str, name: str):
    page.get_by_label("事项名称、拼音或首字母").fill(query)
    page.get_by_role("link", name=name, exact=True).click()


CANGSHAN = "350104"


def choose(page, region_code: str, sub: str | None = None):
    page.get_by_label("承办辖区（实施部门）").select_option(region_code)
    if sub:
        page.get_by_label("业务办理项").select_option(label=sub)
    page.get_by_role("button", name="下一步").click()


def test_walk_in_at_gulou_for_cangshan_through_to_approval(desk):
    page = desk.login("clerk_gulou")
    expect(page.get_by_role("heading", name="综窗受理")).to_be_visible()
    identify(page, "法人和其他组织", COMPANY_CODE[:-1] + "0", "福州闽味餐饮有限公司")
    expect(page.locator("#id_id_number_error")).to_contain_text("校验码")  # a typo is refused next to the field
    page.get_by_label("证件号码").fill(COMPANY_CODE)
    page.get_by_role("button", name="核验并继续").click()
    expect(page.get_by_role("heading", name=re.compile("福州闽味餐饮有限公司"))).to_be_visible()
    desk.shot("workbench-applicant")

    find_item(page, "spjy", "食品经营许可")
    choose(page, CANGSHAN, "新办")
    expect(page.get_by_text(re.compile("仓山区市场监督管理局已授予鼓楼区"))).to_be_visible()
    page.get_by_label("企业名称", exact=True).fill("福州闽味餐饮有限公司")
    page.get_by_label("统一社会信用代码", exact=True).fill(COMPANY_CODE)
    page.get_by_label("法定代表人（负责人）姓名", exact=True).fill("林海")
    page.get_by_label("联系电话", exact=True).fill("0591-88881234")
    page.get_by_label("住所（经营场所）", exact=True).fill("福州市仓山区上渡街道南江滨西大道 8 号")
    page.get_by_label("主体业态", exact=True).select_option("餐饮服务经营者")
    page.get_by_label("经营项目", exact=True).fill("热食类食品制售")
    page.get_by_role("button", name="受理并出具受理承诺单").click()
    expect(page.get_by_text("必查项须核对通过后才能受理。").first).to_be_visible()  # review points not ticked yet
    for box in page.locator("ul.checks input[type=checkbox]").all():
        box.check()
    desk.shot("workbench-intake")
    page.get_by_role("button", name="受理并出具受理承诺单").click()
    expect(page.locator(".badge", has_text="已受理").first).to_be_visible()
    expect(page.get_by_role("link", name="打印受理承诺单")).to_be_visible()
    desk.shot("workbench-case-accepted")

    case = Case.objects.get(applicant__id_number=COMPANY_CODE)
    assert case.department.name == "仓山区市场监督管理局"
    assert case.service_point.code == "fz-gulou" and case.grant is not None

    page = desk.login("approver_cangshan")
    expect(page.get_by_role("heading", name="审批待办")).to_be_visible()
    desk.shot("inbox")
    page.get_by_role("link", name=case.number).click()
    page.get_by_role("button", name="开始审查").click()
    expect(page.get_by_text("已完成：开始审查。")).to_be_visible()
    page.get_by_role("button", name="准予许可").click()
    expect(page.locator(".badge", has_text="准予许可").first).to_be_visible()
    desk.shot("inbox-case-approved")
    case.refresh_from_db()
    assert case.state == State.APPROVED
    assert list(case.events.values_list("actor__username", flat=True)) == [
        "clerk_gulou",
        "clerk_gulou",
        "approver_cangshan",
        "approver_cangshan",
    ]


def test_negative_list_item_is_refused_with_the_place_to_go(desk):
    page = desk.login("clerk_gulou")
    identify(page, "自然人", PERSON_ID, "李娜")
    find_item(page, "身份证首次", "居民身份证首次申领")
    choose(page, CANGSHAN)
    expect(page.get_by_role("heading", name="本窗口不能受理该事项")).to_be_visible()
    expect(page.get_by_text(re.compile("列入通办负面清单.*须在仓山区办理"))).to_be_visible()
    places = page.locator("table.list tbody tr")
    expect(places.first).to_contain_text("仓山")
    for text in places.all_inner_texts():
        assert "仓山" in text
    desk.shot("workbench-refused-negative-list")
    assert not Case.objects.filter(applicant__id_number=PERSON_ID).exists()


def test_a_bundle_taken_in_at_the_window_in_one_go(desk):
    """新生儿出生一件事 at the Gulou window: one form, the shared materials checked once, one decision."""
    page = desk.login("clerk_gulou")
    identify(page, "自然人", PERSON_ID, "李娜")
    page.get_by_label("事项名称、拼音或首字母").fill("新生儿出生")
    page.get_by_role("link", name="新生儿出生一件事").click()
    expect(page.get_by_role("heading", name=re.compile("新生儿出生一件事"))).to_be_visible()
    requirements = bundle_requirements(Bundle.objects.get(code="YJS004"))
    for field in requirements.fields:
        if field.get("required") and not page.locator(f"#id_f_{field['name']}").input_value():
            fill(page.locator(f"#id_f_{field['name']}"), sample_value(field))
    page.get_by_role("button", name="全部受理").click()
    expect(page.get_by_text("必查项须核对通过后才能受理。").first).to_be_visible()
    for box in page.locator("ul.checks input[type=checkbox]").all():
        box.check()
    desk.shot("workbench-bundle-intake")
    page.get_by_role("button", name="全部受理").dblclick()  # a double click takes it in once

    expect(page.get_by_role("heading", name="各事项办件")).to_be_visible()
    expect(page.locator("table.list tbody tr")).to_have_count(len(requirements.members))
    desk.shot("workbench-bundle")
    parent = BundleCase.objects.get(applicant__id_number=PERSON_ID)
    starting = [m.item.code for m in requirements.members if not m.waits_for]
    assert set(parent.children.filter(state=State.ACCEPTED).values_list("item__code", flat=True)) == set(starting)


def fill(locator, value) -> None:
    if locator.evaluate("e => e.tagName") == "SELECT":
        locator.select_option(str(value))
    elif locator.get_attribute("type") == "checkbox":
        locator.set_checked(bool(value))
    else:
        locator.fill(str(value))
