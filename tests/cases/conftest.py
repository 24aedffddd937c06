import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongban.cases.choices import ApplicantKind, Channel, MaterialStatus, Right
from tongban.cases.grants import create_grant
from tongban.cases.models import Grant
from tongban.cases.services import MaterialInput, attach_file, identify_applicant, submit_case
from tongban.catalog.models import Item
from tongban.core.identifiers import make_credit_code
from tongban.demo import forms as demo_forms
from tongban.demo.data import automation_data
from tongban.directory.models import Department, ServicePoint
from tongban.directory.roles import Role
from tongban.directory.services import assign_staff
from tongban.licences.models import ELicense

PERSON_ID = "11010519491231002X"


@pytest.fixture(autouse=True)
def without_demo_grants():
    """Case tests set up exactly the grants they are about (the demo city ships one)."""
    Grant.objects.all().delete()


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


def sample_value(field: dict):
    return demo_forms.sample_value(field, SAMPLE_VALUES)


def required_form(item):
    return demo_forms.required_sample_form(item.form_fields or [], SAMPLE_VALUES)


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


MUCK_ITEM = "001110001000"  # 城市建筑垃圾处置（渣土运输）备案: 秒批 in the demo


@pytest.fixture
def enterprise_user(user_of):
    """The demo transport enterprise: holds 营业执照, 道路运输经营许可证 and 道路运输证."""
    return user_of("enterprise_rongyun")


def licence_of(user, type_code):
    return ELicense.objects.get(holder_code=user.applicant.id_number, license_type__code=type_code)


def muck_form(**overrides):
    return {
        "enterprise_name": "福州榕运渣土运输有限公司（演示）",
        "credit_code": make_credit_code("91350104", "M0000D01"),
        **automation_data.MUCK_APPLICATION,
        **overrides,
    }


def muck_materials(user, item):
    """Every material: the licences from the library where one can replace it, the rest provided."""
    by_type = {"M002": "YYZZ0001", "M046": "DLYS0001", "M045": "DLYSZ001"}
    return [
        MaterialInput(m.pk, MaterialStatus.PROVIDED, licence=licence_of(user, by_type[code]).identifier)
        if (code := m.material_type.code) in by_type
        else MaterialInput(m.pk, MaterialStatus.PROVIDED)
        for m in item.materials.all()
    ]


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DISPOSAL_AGREEMENT = "M047"  # the one required material of the muck item that is neither a licence nor the form


def upload_file(case, by, material_type: str):
    material = case.materials.get(material__material_type__code=material_type)
    upload = SimpleUploadedFile(f"{material_type}.pdf", PDF, content_type="application/pdf")
    attach_file(case.number, by=by, material_id=material.material_id, upload=upload)
    case.refresh_from_db()
    return case


def upload_disposal_agreement(case, by):
    """Attach the 消纳场所证明 file: the last thing 秒批 waits for."""
    return upload_file(case, by, DISPOSAL_AGREEMENT)


@pytest.fixture
def submit_muck(enterprise_user):
    """An online 渣土运输备案 by the demo enterprise (Cangshan's urban management decides); with
    ``upload=True`` its disposal agreement is then uploaded, which completes what 秒批 needs."""

    def make(by=None, form=None, upload=False, **overrides):
        item = Item.objects.in_force().get(code=MUCK_ITEM)
        kwargs = {
            "by": by or enterprise_user,
            "item_code": MUCK_ITEM,
            "region_code": "350104",
            "applicant": enterprise_user.applicant,
            "channel": Channel.ONLINE,
            "form_data": form if form is not None else muck_form(),
            "materials": muck_materials(enterprise_user, item),
        }
        kwargs.update(overrides)
        case = submit_case(**kwargs)
        return upload_disposal_agreement(case, kwargs["by"]) if upload else case

    return make


@pytest.fixture
def approver_for(user_of):
    """A new approver of ``department`` (the demo has approvers for two market bureaus only)."""

    def make(department, username=None):
        user = get_user_model().objects.create(username=username or f"approver_{department.pk}")
        assign_staff(user, role=Role.APPROVER, department=department)
        return user

    return make
