"""QR codes for the community doorplates (数字门牌), drawn by segno as inline SVG for printing."""

import segno
from django.urls import reverse


def doorplate_url(request, code: str) -> str:
    return request.build_absolute_uri(reverse("portal:doorplate", args=[code]))


def qr_svg(url: str) -> str:
    return segno.make(url, micro=False, error="m").svg_inline(scale=6, border=2, dark="#000")
