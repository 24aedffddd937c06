import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tongban.cases.choices import ApplicantKind, Channel, MaterialStatus, Right
from tongban.cases.grants import create_grant
from tongban.cases.models import Grant
from tongban.cases.services import MaterialInput, identify_applicant, submit_case
from tongban.catalog.models import Item
from tongban.core.identifiers import make_credit_code
from tongban.directory.models import Department, ServicePoint

PERSON_ID = "11010519491231002X"
FOOD_LICENCE = "食品经营许可"


@pytest.fixture(autouse=True)
def without_demo_grants():
    """Case tests set up exactly the grants they are about (the demo city ships one)."""
    Grant.objects.all().delete()


@pytest.fixture
def food_item():
    """食品经营许可: market item, city-wide 通办, implemented by every district's market bureau."""
    return Item.objects.in_force().get(name=FOOD_LICENCE)


@pytest.fixture
def negative_item():
    return Item.objects.in_force().filter(negative_reason__isnull=False, authority_kind="market").first() or (
        Item.objects.in_force().filter(negative_reason__isnull=False).first()
    )


@pytest.fixture
def cangshan_market():
    return Department.objects.get(region__code="350104", kind="market")


@pytest.fixture
def gulou_hall():
    return ServicePoint.objects.get(code="fz-gulou")


@pytest.fixture
def grant_gulou(cangshan_market, gulou_hall, user_of):
    since = timezone.make_aware(datetime.datetime(2026, 1, 1))  # before any date the tests pretend is today
    return create_grant(
        by=user_of("admin"),
        department=cangshan_market,
        service_point=gulou_hall,
        rights=list(Right.values),
        valid_from=since,
    )


@pytest.fixture
def person():
    return identify_applicant(kind=ApplicantKind.PERSON, id_number=PERSON_ID, name="张三", phone="13800000000")


@pytest.fixture
def person_user(person):
    user = get_user_model().objects.create(username="zhangsan")
    person.user = user
    person.save()
    return user


def all_provided(item, sub_item=None):
    return [
        MaterialInput(m.pk, MaterialStatus.PROVIDED)
        for m in item.materials.all()
        if m.sub_item_id is None or (sub_item and m.sub_item.name == sub_item)
    ]


ENTERPRISE_CODE = make_credit_code("91350104", "MA2XYE01")
SAMPLE_VALUES = {"id_number": PERSON_ID, "credit_code": ENTERPRISE_CODE}


def required_form(item):
    return {f["name"]: SAMPLE_VALUES.get(f.get("type"), "测试") for f in item.form_fields or [] if f.get("required")}


@pytest.fixture
def window_case(food_item, person, user_of, grant_gulou):
    """A Cangshan food licence taken in at the Gulou hall (受理 by grant)."""

    def make(**overrides):
        sub = food_item.sub_items.first()
        kwargs = {
            "by": user_of("clerk_gulou"),
            "item_code": food_item.code,
            "region_code": "350104",
            "applicant": person,
            "channel": Channel.WINDOW,
            "sub_item": sub.name if sub else None,
            "form_data": required_form(food_item),
            "materials": all_provided(food_item, sub.name if sub else None),
        }
        kwargs.update(overrides)
        return submit_case(**kwargs)

    return make
