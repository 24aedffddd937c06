import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.conftest import MUCK_ITEM, muck_form
from tongban.catalog.services import item_in_force

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def png(name: str = "scan.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def offered(html: str, key) -> list[str]:
    """The licence identifiers the page offers in place of material ``key``."""
    return [v for v in re.findall(rf'name="licence_{key}" value="([^"]*)"', html) if v]


@pytest.fixture
def enterprise(client, user_of):
    """The demo transport enterprise, logged in to the portal (holds 营业执照 and two transport licences)."""
    client.force_login(user_of("enterprise_rongyun"))
    return client


def muck_application(html: str, **overrides) -> dict:
    """The 渣土运输备案 form as the page offers it: the licences it offers, a file for every other required one."""
    data = {"submission_key": uuid.uuid4().hex, "region": "350104"}
    data.update({f"f_{name}": value for name, value in muck_form().items()})
    for material in item_in_force(MUCK_ITEM).materials.all():
        choices = offered(html, material.pk)
        if choices:
            data[f"licence_{material.pk}"] = choices[0]
        elif material.necessity == "required":
            data[f"material_{material.pk}"] = png(f"{material.pk}.png")
    data.update(overrides)
    return data
