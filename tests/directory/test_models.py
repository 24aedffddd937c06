import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tongban.core.errors import InvalidInput
from tongban.directory.choices import AuthorityKind, RegionLevel, WindowKind
from tongban.directory.models import Department, Region, ServicePoint, Staff, Window, region_prefix
from tongban.directory.roles import Role, user_roles
from tongban.directory.services import assign_staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "prefix"),
    [("350100", "3501"), ("350000", "35"), ("350102", "350102"), ("350102001", "350102001")],
)
def test_region_prefix(code, prefix):
    assert region_prefix(code) == prefix


def test_region_contains_descendants_only():
    city, gulou, cangshan = (Region.objects.get(code=c) for c in ("350100", "350102", "350104"))
    town = Region.objects.filter(parent=gulou).first()
    assert city.contains(gulou) and city.contains(town)
    assert gulou.contains(town)
    assert not cangshan.contains(town)


def test_region_code_must_match_level_and_parent():
    gulou = Region.objects.get(code="350102")
    with pytest.raises(ValidationError) as exc:
        Region(code="3501029", name="错误", level=RegionLevel.TOWN, parent=gulou).full_clean()
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        Region(code="350104999", name="错挂", level=RegionLevel.TOWN, parent=gulou).full_clean()
    assert "parent" in exc.value.message_dict


def test_department_credit_code_is_validated():
    gulou = Region.objects.get(code="350102")
    department = Department(name="测试局", region=gulou, credit_code="11350102000000019X", kind=AuthorityKind.MARKET)
    with pytest.raises(ValidationError) as exc:
        department.full_clean()
    assert "credit_code" in exc.value.message_dict


def test_general_window_serves_everything_zone_only_its_share():
    point = ServicePoint.objects.get(code="fz-gulou")
    general = Window(service_point=point, number="T1", kind=WindowKind.GENERAL)
    police = Window(service_point=point, number="T2", kind=WindowKind.ZONE, zone_authorities=["public_security"])
    marriage = Window(service_point=point, number="T3", kind=WindowKind.ZONE, zone_item_codes=["000000000001"])
    assert general.serves(item_code="000000000009", authority_kind="market")
    assert police.serves(item_code="000000000009", authority_kind="public_security")
    assert not police.serves(item_code="000000000009", authority_kind="market")
    assert marriage.serves(item_code="000000000001", authority_kind="civil_affairs")
    assert not Window(service_point=point, number="T4", is_active=False).serves(item_code="x", authority_kind="market")


def test_general_window_cannot_carry_zone_limits():
    point = ServicePoint.objects.get(code="fz-gulou")
    with pytest.raises(ValidationError):
        Window(service_point=point, number="T9", kind=WindowKind.GENERAL, zone_authorities=["tax"]).full_clean()
    with pytest.raises(ValidationError):
        Window(service_point=point, number="T9", kind=WindowKind.ZONE, zone_authorities=["nonsense"]).full_clean()


def test_staff_belongs_to_one_workplace_at_database_level():
    user = get_user_model().objects.create(username="double")
    point = ServicePoint.objects.get(code="fz-gulou")
    department = Department.objects.filter(region__code="350102").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Staff.objects.create(user=user, service_point=point, department=department)


class TestAssignStaff:
    def test_clerk_needs_a_service_point(self):
        user = get_user_model().objects.create(username="newclerk")
        department = Department.objects.filter(region__code="350102").first()
        with pytest.raises(InvalidInput) as exc:
            assign_staff(user, role=Role.CLERK, department=department)
        assert exc.value.code == "staff_needs_service_point"

    def test_approver_needs_a_department(self):
        user = get_user_model().objects.create(username="newapprover")
        with pytest.raises(InvalidInput) as exc:
            assign_staff(user, role=Role.APPROVER, service_point=ServicePoint.objects.get(code="fz-gulou"))
        assert exc.value.code == "staff_needs_department"

    def test_cannot_mix_service_point_and_department_roles(self, user_of):
        clerk = user_of("clerk_gulou")
        department = Department.objects.filter(region__code="350102").first()
        with pytest.raises(InvalidInput) as exc:
            assign_staff(clerk, role=Role.APPROVER, department=department)
        assert exc.value.code == "staff_conflicting_workplace"

    def test_hall_admin_gets_group_and_admin_access(self):
        user = get_user_model().objects.create(username="newhall")
        assign_staff(user, role=Role.HALL_ADMIN, service_point=ServicePoint.objects.get(code="fz-cangshan"))
        assert user_roles(user) == {Role.HALL_ADMIN}
        assert user.is_staff
        assert user.has_perm("directory.change_servicepoint")
        assert not user.has_perm("catalog.change_item")
