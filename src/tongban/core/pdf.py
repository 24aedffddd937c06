"""What every Tongban PDF shares: the embedded Chinese font and vector QR codes.

WenQuanYi Micro Hei (文泉驿微米黑, Apache-2.0, vendored in ``fonts/`` with its licence) is embedded
as a subset of the glyphs used: every viewer shows the same document and the text stays extractable.
"""

import functools
from pathlib import Path

import segno
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable

FONT = "TongbanSans"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"


@functools.cache
def chinese_font() -> str:
    """Register the font once per process and return its ReportLab name."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))
    return FONT


class QrCode(Flowable):
    """The QR code drawn as vector squares: sharp at any print size, no image library needed."""

    def __init__(self, data: str, size: float):
        super().__init__()
        self.rows = [[bool(m) for m in row] for row in segno.make(data, micro=False, error="m").matrix_iter(border=2)]
        self.size = size

    def wrap(self, avail_width, avail_height):
        return self.size, self.size

    def draw(self):
        module = self.size / len(self.rows)
        self.canv.setFillColor(colors.black)
        for r, row in enumerate(self.rows):
            y = self.size - (r + 1) * module
            c = 0
            while c < len(row):  # one rectangle per run of dark modules
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                self.canv.rect(start * module, y, (c - start) * module, module, stroke=0, fill=1)
