import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.conftest import MUCK_ITEM, muck_form
from tests.queueing.conftest import clock_at, office_hours  # noqa: F401 (going now needs an open hall)
from tests.ratings.conftest import immediate_item, window_case_of, zhang  # noqa: F401 (completed cases to rate)
from tongban.catalog.services import item_in_force

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
# 开办餐饮店一件事's merged form, filled in
RESTAURANT_FORM = {
    "enterprise_name": "福州榕味餐饮有限公司",
    "enterprise_type": "有限责任公司",
    "registered_capital": "50",
    "business_scope": "餐饮服务",
    "business_address": "福州市仓山区上渡街道南江滨西大道 8 号",
    "legal_representative": "陈建",
    "legal_representative_id_number": "350104198803151230",
    "contact_phone": "0591-88880000",
    "credit_code": "91350104M0000D0145",
    "food_business_category": "餐饮服务经营者",
    "food_business_items": "热食类食品制售",
}


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
