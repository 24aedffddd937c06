"""QR codes drawn by segno as inline SVG, for pages that are printed or shown on a screen."""

import segno


def qr_svg(url: str) -> str:
    return segno.make(url, micro=False, error="m").svg_inline(scale=6, border=2, dark="#000")
