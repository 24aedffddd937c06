"""The three case documents as PDF, read back with poppler as a reader would see them.

Needs poppler-utils (pdftotext, pdftoppm, pdffonts); without it the tests fail and say what to
install. The documents embed their own CJK font, so no system font is involved.
"""

import datetime
import shutil
import subprocess

import pytest
from django.utils import timezone
from PIL import Image, ImageChops
from reportlab.pdfgen.canvas import Canvas

from tests.cases.conftest import PERSON_ID, all_provided, required_form
from tongban.cases.choices import Action, Channel, MaterialStatus
from tongban.cases.documents import DocumentKind, available_kinds, render_document
from tongban.cases.grants import create_grant
from tongban.cases.services import submit_case, transition
from tongban.catalog.models import Item
from tongban.core.errors import NotFound
from tongban.core.pdf import chinese_font
from tongban.demo.models import DemoDataset
from tongban.directory.models import Department

pytestmark = pytest.mark.django_db

BASE_URL = "https://tongban.example.cn"
MASKED_ID = "1101**********002X"
INSTALL_HINT = "apt-get install -y poppler-utils"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} 不可用：文书测试需要 poppler（{INSTALL_HINT}）")
    return path


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The text as pdftotext extracts it, whitespace removed (table cells may break lines)."""
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", str(source), "-"], capture_output=True, text=True, check=True
    )
    assert "Missing language pack" not in result.stderr, f"poppler-data 未安装（{INSTALL_HINT}）"
    return "".join(result.stdout.split())


def first_page(pdf: bytes, tmp_path, name: str = "page") -> Image.Image:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    command = [tool("pdftoppm"), "-png", "-r", "50", "-f", "1", "-l", "1", str(source), str(tmp_path / name)]
    subprocess.run(command, check=True, capture_output=True)
    pages = sorted(tmp_path.glob(f"{name}-*.png"))
    assert pages, "pdftoppm 没有生成 PNG 页面"
    return Image.open(pages[0]).convert("L")


def ink(page: Image.Image) -> float:
    """Share of dark pixels: a blank page has none."""
    histogram = page.histogram()
    return sum(histogram[:128]) / (page.width * page.height)


def assert_document(pdf: bytes, tmp_path, case, *expected: str) -> str:
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    common = [
        case.number,
        case.item.name,
        case.sub_item.name,
        MASKED_ID,
        case.applicant.name,
        case.department.name,
        f"{BASE_URL}/progress/{case.number}",
        "演示数据",
    ]
    for snippet in [*common, *expected]:
        assert "".join(snippet.split()) in text, snippet
    assert PERSON_ID not in text
    page = first_page(pdf, tmp_path)
    assert page.size[0] < page.size[1]  # A4 portrait
    assert ink(page) > 0.01, "渲染出的页面是空白的"
    return text


def day(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def test_chinese_glyphs_render(tmp_path):
    """Two different characters must look different: missing CJK fonts draw both as the same box."""
    font = chinese_font()
    images = []
    for char in "受理":
        path = tmp_path / f"{ord(char)}.pdf"
        canvas = Canvas(str(path), pagesize=(100, 100))
        canvas.setFont(font, 60)
        canvas.drawString(20, 20, char)
        canvas.save()
        images.append(first_page(path.read_bytes(), tmp_path, f"glyph{ord(char)}"))
    assert all(ink(image) > 0.02 for image in images), f"中文字形没有画出来（{INSTALL_HINT}）"
    assert ImageChops.difference(*images).getbbox() is not None, f"中文显示为方框：缺少中文字体（{INSTALL_HINT}）"


def test_font_is_embedded(window_case, user_of, tmp_path):
    case = transition(window_case(), Action.ACCEPT, by=user_of("clerk_gulou"))
    path = tmp_path / "slip.pdf"
    path.write_bytes(render_document(case, DocumentKind.ACCEPTANCE_SLIP))
    listing = subprocess.run([tool("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout
    # Helvetica is ReportLab's untouched canvas default, one of the 14 fonts every viewer has.
    fonts = [line for line in listing.splitlines()[2:] if not line.startswith("Helvetica")]
    assert fonts and all("WenQuanYi" in line and " yes " in line for line in fonts), listing  # "emb" column


class TestAcceptanceSlip:
    def test_window_case(self, window_case, user_of, tmp_path):
        case = transition(window_case(), Action.ACCEPT, by=user_of("clerk_gulou"))
        assert available_kinds(case) == [DocumentKind.ACCEPTANCE_SLIP]
        pdf = render_document(case, DocumentKind.ACCEPTANCE_SLIP, base_url=BASE_URL + "/")
        assert_document(
            pdf,
            tmp_path,
            case,
            "受理承诺单",
            "鼓楼区",  # the accepting service point
            day(case.deadline),
            day(timezone.localdate(case.accepted_at)),
            "后续办理",
            "扫码查询办理进度",
        )

    def test_online_case_says_so(self, food_item, person, person_user, user_of, tmp_path):
        sub = food_item.sub_items.first().name
        case = submit_case(
            by=person_user,
            item_code=food_item.code,
            region_code="350104",
            applicant=person,
            channel=Channel.ONLINE,
            sub_item=sub,
            form_data=required_form(food_item),
            materials=all_provided(food_item, sub),
        )
        case = transition(case, Action.ACCEPT, by=user_of("approver_cangshan"))
        text = assert_document(render_document(case, "acceptance_slip", base_url=BASE_URL), tmp_path, case)
        assert "网上申请" in text and day(case.deadline) in text

    def test_accept_review_separated_sends_originals(self, person, user_of, gulou_hall, tmp_path):
        """A Cangshan health licence accepted at the Gulou hall: 受审分离, paper goes to the department."""
        item = Item.objects.in_force().get(name="公共场所卫生许可")
        health = Department.objects.get(region__code="350104", kind="health")
        create_grant(
            by=user_of("admin"),
            department=health,
            service_point=gulou_hall,
            rights=["receive_accept"],
            valid_from=timezone.now() - datetime.timedelta(days=1),
        )
        sub = item.sub_items.first().name
        case = submit_case(
            by=user_of("clerk_gulou"),
            item_code=item.code,
            region_code="350104",
            applicant=person,
            channel=Channel.WINDOW,
            sub_item=sub,
            form_data=required_form(item),
            materials=all_provided(item, sub),
        )
        case = transition(case, Action.ACCEPT, by=user_of("clerk_gulou"))
        assert case.originals_to_send
        text = assert_document(render_document(case, "acceptance_slip", base_url=BASE_URL), tmp_path, case)
        assert "受审分离" in text and f"寄递至{health.name}" in text

    def test_without_demo_data_there_is_no_demo_footer(self, window_case, user_of, tmp_path):
        case = transition(window_case(), Action.ACCEPT, by=user_of("clerk_gulou"))
        DemoDataset.objects.all().delete()
        assert "演示数据" not in pdf_text(render_document(case, "acceptance_slip"), tmp_path)


class TestOneTimeNotice:
    def notify(self, case, clerk, **data):
        material = case.materials.select_related("material").first()
        problems = [
            {"material": material.material_id, "problem": "复印件不清晰", "status": MaterialStatus.FAULTY},
            {"field": "enterprise_name", "problem": "与营业执照不一致"},
        ]
        return transition(case, Action.REQUEST_SUPPLEMENT, by=clerk, data={"problems": problems, **data}), material

    def test_lists_every_problem_then_shows_the_deadline_once_accepted(self, window_case, user_of, tmp_path):
        clerk = user_of("clerk_gulou")
        case, material = self.notify(window_case(), clerk)
        assert available_kinds(case) == [DocumentKind.ONE_TIME_NOTICE]
        pdf = render_document(case, DocumentKind.ONE_TIME_NOTICE, base_url=BASE_URL)
        text = assert_document(
            pdf,
            tmp_path,
            case,
            "一次性告知单",
            material.material.name,
            "复印件不清晰",
            "企业名称",  # the form field's label, not its name
            "与营业执照不一致",
            "自受理之日起",
        )
        assert "enterprise_name" not in text

        case = transition(case, Action.SUPPLEMENT, by=clerk, data={"materials": [material.material_id]})
        case = transition(case, Action.ACCEPT, by=clerk)
        assert available_kinds(case) == [DocumentKind.ACCEPTANCE_SLIP, DocumentKind.ONE_TIME_NOTICE]
        pdf = render_document(case, DocumentKind.ONE_TIME_NOTICE, base_url=BASE_URL)
        assert_document(pdf, tmp_path, case, "一次性告知单", day(case.deadline))

    def test_renders_the_latest_notice(self, window_case, user_of, tmp_path):
        clerk = user_of("clerk_gulou")
        case, material = self.notify(window_case(), clerk)
        case = transition(case, Action.SUPPLEMENT, by=clerk, data={"materials": [material.material_id]})
        case, _ = self.notify(case, clerk, new_facts="申请人变更了经营场所")
        text = pdf_text(render_document(case, "one_time_notice"), tmp_path)
        assert "申请人变更了经营场所" in text


def test_refusal_notice_gives_the_legal_reason(window_case, user_of, tmp_path):
    reason = "申请事项依法不需要取得行政许可（行政许可法第三十二条第一款第一项）"
    case = transition(window_case(), Action.REFUSE, by=user_of("clerk_gulou"), reason=reason)
    assert available_kinds(case) == [DocumentKind.REFUSAL_NOTICE]
    pdf = render_document(case, DocumentKind.REFUSAL_NOTICE, base_url=BASE_URL)
    assert_document(
        pdf,
        tmp_path,
        case,
        "不予受理通知书",
        reason,
        "不适用（不予受理）",  # no deadline: the case was never accepted
        "行政复议",
        day(timezone.localdate(case.completed_at)),
    )


def test_unavailable_documents_are_not_found(window_case):
    case = window_case()
    assert available_kinds(case) == []
    for kind in [*DocumentKind.values, "certificate"]:
        with pytest.raises(NotFound) as exc:
            render_document(case, kind)
        assert exc.value.code == "document_not_available"
        assert case.number in exc.value.message
