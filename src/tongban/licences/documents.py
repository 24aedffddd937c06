"""The licence as a one-page A4 PDF for its holder: face data, validity, status and identifier QR code."""

from io import BytesIO

from django.utils import translation
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from tongban.core.pdf import QrCode, chinese_font
from tongban.core.pdf_layout import RED
from tongban.demo.models import DemoDataset
from tongban.licences.models import ELicense, LicenceStatus

MARGIN = 22 * mm


def _rows(licence: ELicense) -> list[tuple[str, str]]:
    validity = f"{licence.valid_from:%Y年%m月%d日} 至 " + (
        f"{licence.valid_until:%Y年%m月%d日}" if licence.valid_until else "长期"
    )
    rows = [
        ("证照编号", licence.number),
        ("持证主体", licence.holder_name),
        (f"持证主体代码（{licence.get_holder_code_type_display()}）", licence.masked_holder_code),
        ("颁发机构", licence.issuer.name),
        ("颁发日期", f"{licence.issue_date:%Y年%m月%d日}"),
        ("有效期", validity),
        ("属地编码", licence.region_code),
        ("证照状态", licence.get_status_display()),
    ]
    rows += [(str(key), str(value)) for key, value in licence.data.items()]
    return rows


def render_licence(licence: ELicense) -> bytes:
    """The licence as PDF, always in Chinese; a revoked or expired licence says so across the page."""
    with translation.override("zh-hans"):
        return _draw(licence)


def _draw(licence: ELicense) -> bytes:
    rows = _rows(licence)
    font = chinese_font()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{licence.license_type.name} {licence.number}")
    canvas.setAuthor(licence.issuer.name)
    width, height = A4
    canvas.setFont(font, 22)
    canvas.drawCentredString(width / 2, height - 40 * mm, licence.license_type.name)
    canvas.setFont(font, 10)
    canvas.drawCentredString(width / 2, height - 48 * mm, "电子证照")
    y = height - 65 * mm
    for label, value in rows:
        canvas.setFont(font, 10.5)
        canvas.drawString(MARGIN, y, label)
        canvas.drawString(MARGIN + 55 * mm, y, value[:60])
        y -= 8 * mm
    qr = QrCode(licence.identifier, 30 * mm)
    qr.wrapOn(canvas, 30 * mm, 30 * mm)
    qr.drawOn(canvas, width - MARGIN - 30 * mm, 30 * mm)
    canvas.setFont(font, 8)
    canvas.drawString(MARGIN, 32 * mm, f"证照标识：{licence.identifier}")
    if licence.status != LicenceStatus.VALID:
        canvas.saveState()
        canvas.setFillColor(RED)
        canvas.setFont(font, 48)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(30)
        canvas.drawCentredString(0, 0, f"{licence.get_status_display()} 不得使用")
        canvas.restoreState()
    if DemoDataset.objects.exists():
        canvas.setFillColor(RED)
        canvas.drawCentredString(width / 2, 12 * mm, "演示数据：本证照由演示数据生成，仅供演示，不具法律效力。")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
