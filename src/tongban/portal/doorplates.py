"""The address the QR code of a community doorplate (数字门牌) points to."""

from django.urls import reverse


def doorplate_url(request, code: str) -> str:
    return request.build_absolute_uri(reverse("portal:doorplate", args=[code]))
