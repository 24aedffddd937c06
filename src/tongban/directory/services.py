"""Directory operations: staff assignment and the scope of a hall admin's rights."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tongban.core.errors import InvalidInput
from tongban.directory.models import Department, Region, ServicePoint, Staff
from tongban.directory.roles import DEPARTMENT_ROLES, SERVICE_POINT_ROLES, Role, user_roles


@transaction.atomic
def assign_staff(
    user,
    *,
    role: Role,
    service_point: ServicePoint | None = None,
    department: Department | None = None,
) -> Staff:
    """Give ``user`` a role at a workplace: service-point roles need a service point, department roles a department."""
    if role in SERVICE_POINT_ROLES and (service_point is None or department is not None):
        raise InvalidInput(
            _("%(role)s必须隶属于一个服务网点。") % {"role": role.label}, code="staff_needs_service_point"
        )
    if role in DEPARTMENT_ROLES and (department is None or service_point is not None):
        raise InvalidInput(_("%(role)s必须隶属于一个部门。") % {"role": role.label}, code="staff_needs_department")
    if role == Role.SUPERVISOR and (service_point or department):
        raise InvalidInput(_("监管人员不隶属于网点或部门。"), code="supervisor_without_workplace")

    staff, _created = Staff.objects.select_for_update().get_or_create(user=user)
    current = user_roles(user)
    if current and (
        (current & SERVICE_POINT_ROLES and role in DEPARTMENT_ROLES)
        or (current & DEPARTMENT_ROLES and role in SERVICE_POINT_ROLES)
    ):
        raise InvalidInput(
            _("该用户已在其他类型的单位任职，不能同时隶属网点和部门。"), code="staff_conflicting_workplace"
        )
    if service_point is not None:
        staff.service_point = service_point
    if department is not None:
        staff.department = department
    staff.save()
    user.groups.add(Group.objects.get(name=role.group_name))
    if role in {Role.HALL_ADMIN, Role.CATALOG_ADMIN, Role.SUPERVISOR} and not user.is_staff:
        user.is_staff = True  # these roles work in the admin site
        user.save(update_fields=["is_staff"])
    return staff


def managed_region(user) -> Region | None:
    """The region whose service points a hall admin manages (their own service point's region)."""
    staff = getattr(user, "staff", None)
    if staff is None or staff.service_point_id is None or Role.HALL_ADMIN not in user_roles(user):
        return None
    return staff.service_point.region


def manageable_service_points(user) -> QuerySet[ServicePoint]:
    """Service points ``user`` may edit: all for superusers, their region's for hall admins, none otherwise."""
    if user.is_superuser:
        return ServicePoint.objects.all()
    region = managed_region(user)
    if region is None:
        return ServicePoint.objects.none()
    return ServicePoint.objects.filter(region__code__startswith=region.prefix)


def manageable_regions(user) -> QuerySet[Region]:
    if user.is_superuser:
        return Region.objects.all()
    region = managed_region(user)
    if region is None:
        return Region.objects.none()
    return Region.objects.filter(code__startswith=region.prefix)


def can_manage_service_point(user, service_point: ServicePoint) -> bool:
    if user.is_superuser:
        return True
    region = managed_region(user)
    return region is not None and region.contains(service_point.region)
