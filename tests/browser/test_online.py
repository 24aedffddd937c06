"""Online: a citizen applies (a wrong file is refused next to its field, the good ones are kept, a
double click makes one case), Cangshan's approver sends a one-time notice, the citizen answers it
online, and anyone with the case number and ID number can follow the progress."""

import re

import pytest
from playwright.sync_api import expect

from tongban.cases.choices import State
from tongban.cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CITIZEN_ID = "350104198803151230"  # citizen_zhang (demo/citizens.py)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%demo\n" + b"0" * 64


def upload(page, label: str, name: str, content: bytes, mime: str):
    page.get_by_label(label, exact=False).first.set_input_files({"name": name, "mimeType": mime, "buffer": content})


def test_online_application_notice_answered_online_and_progress(phone, desk):
    page = phone.go("/")
    phone.shot("portal-home")
    page.get_by_label("搜索事项").fill("开饭店")
    expect(page.locator(".bundle-hit").first).to_contain_text("开办餐饮店一件事")  # live results, bundles first
    phone.shot("portal-search")
    phone.go("/community/comm-gudong-qingcheng/")
    phone.shot("portal-doorplate")
    page = phone.login("citizen_zhang")
    page = phone.go("/search/?q=个体户")
    page.get_by_role("link", name="个体工商户设立登记").click()
    phone.shot("portal-item-guide")
    page.get_by_role("link", name="在线申请").click()
    expect(page.get_by_label("申请人公民身份号码", exact=True)).to_have_value(CITIZEN_ID)  # from the account
    page.get_by_label("办理地（实施部门）").select_option("350104")
    page.get_by_label("经营范围", exact=True).fill("预包装食品零售")
    page.get_by_label("住所（经营场所）", exact=True).fill("福州市仓山区对湖街道学府南路 12 号")
    page.get_by_label("联系电话", exact=True).fill("13905910001")
    upload(page, "个体工商户登记（备案）申请书", "申请书.pdf", PDF, "application/pdf")
    upload(page, "经营者身份证明", "身份证.txt", b"not a picture", "image/png")  # lies about its type
    upload(page, "经营场所使用证明", "租赁合同.png", PNG, "image/png")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("申请未提交，请修改标红的项目。")).to_be_visible()
    expect(page.locator(".has-error").get_by_text("只接受 PDF、JPEG、PNG 或 OFD 文件")).to_be_visible()
    expect(page.get_by_text("申请书.pdf")).to_be_visible()  # kept: no need to choose it again
    expect(page.get_by_text("租赁合同.png")).to_be_visible()
    expect(page.get_by_label("经营范围", exact=True)).to_have_value("预包装食品零售")  # nothing typed is lost
    phone.shot("portal-apply-error")
    upload(page, "经营者身份证明", "身份证.png", PNG, "image/png")
    page.get_by_role("button", name="提交申请").dblclick()
    expect(page.get_by_text(re.compile("申请已提交，办件编号"))).to_be_visible()
    phone.shot("portal-my-case-submitted")
    case = Case.objects.get(applicant__id_number=CITIZEN_ID)  # one case, however many clicks
    assert case.state == State.SUBMITTED and case.attachments.count() == 3

    page = desk.login("approver_cangshan")
    page.get_by_role("link", name=case.number).click()
    page.get_by_text("一次性告知补正").click()
    page.get_by_label("经营场所使用证明（产权证明或租赁合同）", exact=True).select_option("faulty")
    page.get_by_label("需补正的内容：经营场所使用证明（产权证明或租赁合同）").fill("租赁合同缺少出租方签字页")
    page.get_by_role("button", name="发出一次性告知").click()
    expect(page.get_by_text("已完成：一次性告知补正。")).to_be_visible()
    desk.shot("inbox-case-notice")

    page = phone.login("citizen_zhang")
    page = phone.go(f"/my/cases/{case.number}/")
    expect(page.get_by_role("region", name="一次性告知")).to_contain_text("租赁合同缺少出租方签字页")
    phone.shot("portal-notice")
    upload(page, "经营场所使用证明", "租赁合同-补.png", PNG, "image/png")
    page.get_by_role("button", name="提交补正材料").click()
    expect(page.get_by_text("补正材料已提交，等待工作人员受理。")).to_be_visible()
    case.refresh_from_db()
    assert case.state == State.SUPPLEMENTED

    phone.context.clear_cookies()
    page = phone.go("/progress/")
    page.get_by_label("办件编号").fill(case.number)
    page.get_by_label("申请人证件号码").fill("350104198803151239")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("未找到与该办件编号和证件号码相符的办件，请核对后重试。")).to_be_visible()
    page.get_by_label("申请人证件号码").fill(CITIZEN_ID)
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".badge", has_text="已补正，待受理")).to_be_visible()
    phone.shot("portal-progress")
