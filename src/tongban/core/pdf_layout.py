"""The look every Tongban A4 document shares: colours, margins, paragraph styles, ruled tables and
the page footer (with the demo-data warning when the demo city is loaded).

Case documents (``cases.documents``) and item guides (``portal.guide_pdf``) are built from these, so
an official-looking page looks the same wherever it comes from.
"""

import functools
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from tongban.core.pdf import chinese_font

INK = colors.HexColor("#1a1a1a")
RED = colors.HexColor("#c00000")
LABEL_BG = colors.HexColor("#f2f2f2")
RULE = colors.HexColor("#666666")
MARGIN = 20 * mm
WIDTH = A4[0] - 2 * MARGIN


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=chinese_font(), fontSize=10.5, leading=15, textColor=INK, wordWrap="CJK")
    return {
        "issuer": ParagraphStyle("issuer", base, fontSize=15, leading=20, alignment=TA_CENTER, textColor=RED),
        "title": ParagraphStyle("title", base, fontSize=22, leading=30, alignment=TA_CENTER, spaceBefore=10),
        "number": ParagraphStyle("number", base, fontSize=9.5, alignment=TA_RIGHT, spaceAfter=4),
        "heading": ParagraphStyle("heading", base, fontSize=12, leading=18, spaceBefore=10, spaceAfter=3),
        "body": ParagraphStyle("body", base, fontSize=11, leading=19, firstLineIndent=22),
        "salutation": ParagraphStyle("salutation", base, fontSize=11, leading=19, spaceBefore=8),
        "step": ParagraphStyle("step", base, leftIndent=14, firstLineIndent=-14, spaceAfter=2),
        "cell": base,
        "label": ParagraphStyle("label", base, alignment=TA_LEFT),
        "small": ParagraphStyle("small", base, fontSize=8, leading=11, alignment=TA_CENTER),
        "sign": ParagraphStyle("sign", base, fontSize=11, leading=20, alignment=TA_RIGHT),
    }


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def paragraph(text: str, style: str, note: str = "") -> Paragraph:
    """Plain text (escaped, line breaks kept) in one of ``styles()``; ``note`` follows in small type."""
    markup = _escape(text).replace("\n", "<br/>")
    if note:
        markup += f'<font size="7.5">{_escape(note)}</font>'
    return Paragraph(markup, styles()[style])


def table(rows: list[list], widths: list[float], *, header: bool = False, extra: list | None = None) -> Table:
    """A ruled table; ``header`` shades the first row and repeats it on every page."""
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.6, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]
    commands += extra or []
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), LABEL_BG))
    result = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    result.setStyle(TableStyle(commands))
    return result


def build_a4(
    story: list, *, title: str, footer: str, demo_note: str = "", bottom_margin: float = 22 * mm, **info
) -> bytes:
    """The story on A4 pages, each with ``footer`` and the page number; ``demo_note`` in red when given.

    ``info`` goes into the PDF's document information (author, subject).
    """
    buffer = BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * mm,
        bottomMargin=bottom_margin,
        title=title,
        creator="通办",
        **info,
    )

    def draw_footer(canvas: Canvas, _template) -> None:
        canvas.saveState()
        canvas.setFont(chinese_font(), 8)
        canvas.setFillColor(RULE)
        canvas.drawString(MARGIN, 12 * mm, footer)
        canvas.drawRightString(A4[0] - MARGIN, 12 * mm, f"第 {canvas.getPageNumber()} 页")
        if demo_note:
            canvas.setFillColor(RED)
            canvas.drawCentredString(A4[0] / 2, 7 * mm, demo_note)
        canvas.restoreState()

    template.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()
