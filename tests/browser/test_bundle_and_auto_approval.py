"""一件事 online through to completion, and 秒批 with licences in place of materials, in Chromium.

The demo enterprise applies for 开办餐饮店一件事 once (one form, one set of materials, a licence
from its library in place of one; the 营业执照 the food licence needs is not asked: the first item
issues it), Cangshan's market approver decides 企业设立登记, the waiting 食品经营许可 starts with the
new 营业执照 and is decided too, and the bundle page shows it all done. Then it files 渣土运输备案 with its
licences and sees it approved at once with the explanation and the licence to download; a clerk calls
up its licences at the window.
"""

import re

import pytest
from playwright.sync_api import expect

from tongban.cases.choices import BundleCaseState, State
from tongban.cases.models import BundleCase, Case
from tongban.licences.models import LicenceLookup

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%demo\n" + b"0" * 64


def upload(page, key, name: str, content: bytes = PDF, mime: str = "application/pdf"):
    page.locator(f'input[type=file][name="material_{key}"]').set_input_files(
        {"name": name, "mimeType": mime, "buffer": content}
    )


def fill(page, values: dict[str, str]):
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)


def decide(session, number: str):
    """Cangshan's approver takes one child from the inbox through to approval."""
    page = session.go("/inbox/")
    page.get_by_role("link", name=number).click()
    for action, done in [("受理", "已受理"), ("开始审查", "审查中"), ("准予许可", "准予许可")]:
        page.get_by_role("button", name=action, exact=True).click()
        expect(page.locator(".page-head .badge").first).to_have_text(done)


def test_online_bundle_application_through_to_completion(phone, desk):
    page = phone.login("enterprise_rongyun")
    page = phone.go("/bundles/YJS003/")
    expect(page.get_by_text("材料 14 → 10，填表字段 17 → 13").first).to_be_visible()
    expect(page.get_by_text("营业执照：由“企业设立登记”办结后签发的电子证照提供")).to_be_visible()
    phone.shot("portal-bundle")
    page.get_by_role("link", name="在线一次申请").click()
    page.get_by_label("办理地（承办辖区）").select_option("350104")
    fill(
        page,
        {
            "企业名称": "福州榕味餐饮有限公司",
            "注册资本（万元）": "50",
            "经营范围": "餐饮服务；食品销售",
            "住所（经营场所）": "福州市仓山区上渡街道南江滨西大道 8 号",
            "法定代表人（负责人）姓名": "陈建",
            "法定代表人（负责人）公民身份号码": "350104198803151230",
            "联系电话": "0591-88880000",
            "经营项目": "热食类食品制售",
        },
    )
    page.get_by_label("企业类型", exact=True).select_option("有限责任公司")
    page.get_by_label("主体业态", exact=True).select_option("餐饮服务经营者")
    expect(page.get_by_text("您的电子证照可代替 1 项材料")).to_be_visible()
    expect(page.get_by_label(re.compile("使用电子证照：营业执照")).first).to_be_checked()  # no upload needed
    for code, name in [
        ("M006", "申请表.pdf"),
        ("M007", "公司章程.pdf"),
        ("M003", "法定代表人身份证.pdf"),
        ("M016", "任职文件.pdf"),
        ("M004", "租赁合同.pdf"),
        ("M021", "平面布局.pdf"),
        ("M020", "食品安全制度.pdf"),
    ]:
        upload(page, code, name)
    phone.shot("portal-bundle-apply")
    page.get_by_role("button", name="一次提交全部事项").dblclick()
    expect(page.get_by_text(re.compile("一件事申请已提交"))).to_be_visible()
    children = page.locator("table.children tbody tr")
    expect(children.nth(0)).to_contain_text("已提交，待预审")
    expect(children.nth(1)).to_contain_text("等待“企业设立登记”准予后开始办理")
    phone.shot("portal-bundle-case-submitted")
    parent = BundleCase.objects.get()  # one bundle case, however many clicks
    company, food = parent.children.order_by("pk")

    approver = desk.login("approver_cangshan")
    decide(desk, company.number)
    desk.shot("inbox-bundle-first-child-approved")
    food.refresh_from_db()
    assert food.state == State.SUBMITTED  # started when its prerequisite was approved
    decide(desk, food.number)
    expect(approver.get_by_role("heading", name="所属一件事")).to_be_visible()
    expect(approver.locator("aside")).to_contain_text("全部办结")
    desk.shot("inbox-bundle-child")

    page = phone.go(f"/my/bundles/{parent.number}/")
    expect(page.locator(".page-head .badge")).to_have_text("全部办结")
    expect(page.get_by_text("共 2 个事项，已办结 2 个")).to_be_visible()
    phone.shot("portal-bundle-case-completed")
    parent.refresh_from_db()
    assert parent.state == BundleCaseState.COMPLETED


MUCK = "城市建筑垃圾处置（渣土运输）备案"


def test_auto_approval_with_licences_in_place_of_materials(phone, desk):
    page = phone.login("enterprise_rongyun")
    page = phone.go("/search/?q=渣土")
    page.get_by_role("link", name=MUCK).first.click()
    page.get_by_role("link", name="在线申请").click()
    page.get_by_label("办理地（实施部门）").select_option("350104")
    fill(
        page,
        {
            "法定代表人（负责人）姓名": "陈建",
            "联系电话": "0591-88880000",
            "车辆数量（辆）": "12",
            "建筑垃圾产生工地地址": "仓山区金山大道 8 号工地",
            "消纳（处置）场所": "仓山区建筑垃圾消纳场",
            "处置量（立方米）": "3000",
            "运输路线": "金山大道—三环路—消纳场",
            "开始日期": "2026-12-01",
            "结束日期": "2027-02-28",
        },
    )
    expect(page.get_by_text("您的电子证照可代替 3 项材料")).to_be_visible()
    expect(page.get_by_label(re.compile("使用电子证照：道路运输经营许可证"))).to_be_checked()
    item_materials = {m.name: m.pk for m in Case._meta.apps.get_model("catalog", "Material").objects.all()}
    upload(page, item_materials["城市建筑垃圾处置（渣土运输）备案申请表"], "备案申请表.pdf")
    upload(page, item_materials["建筑垃圾消纳场所证明（处置协议）"], "处置协议.png", PNG, "image/png")
    phone.shot("portal-apply-licences")
    page.get_by_role("button", name="提交申请").click()

    expect(page.get_by_role("heading", name="系统自动审批（秒批）：准予")).to_be_visible()
    rules = page.locator("table.rules tbody tr")
    expect(rules).to_have_count(6)
    expect(rules.filter(has_text="持有有效的道路运输经营许可证")).to_contain_text("电子证照库")
    expect(page.get_by_text("不满足")).to_have_count(0)
    phone.shot("portal-auto-approved")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载电子证照（PDF）").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    case = Case.objects.get(item__name=MUCK)
    assert case.state == State.APPROVED and case.attachments.count() == 2
    page = phone.go("/my/licences/")
    expect(page.get_by_text("城市建筑垃圾处置核准（备案）证明")).to_be_visible()
    phone.shot("portal-my-licences")

    page = desk.login("clerk_gulou")
    page.get_by_label("申请人类别").select_option(label="法人和其他组织")
    page.get_by_label("证件号码").fill(case.applicant.id_number)
    page.get_by_label("姓名或名称").fill(case.applicant.name)
    page.get_by_role("button", name="核验并继续").click()
    page.get_by_label("调取用途").fill("核验渣土运输企业资质")
    page.get_by_role("button", name="调取电子证照").click()  # htmx swaps the panel in place
    expect(page.locator("#licences-panel")).to_contain_text("城市建筑垃圾处置核准（备案）证明")
    desk.shot("workbench-applicant-licences")
    assert LicenceLookup.objects.filter(user__username="clerk_gulou", purpose="核验渣土运输企业资质").exists()
