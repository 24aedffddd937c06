"""Roles are Django groups with permissions (DESIGN §1).

A role says what a user may do; ``Staff`` says where. Scoped checks (a hall admin manages only
the service points of their own region) live in ``directory.services``.
"""

import functools

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("综窗受理员")
    HALL_ADMIN = "hall_admin", _("大厅管理员")
    PROXY_AGENT = "proxy_agent", _("村（社区）代办员")
    APPROVER = "approver", _("审批人员")
    CATALOG_ADMIN = "catalog_admin", _("部门管理员")
    SUPERVISOR = "supervisor", _("监管人员")
    KIOSK = "kiosk", _("取号机")  # a device account: the hall's kiosk pages and nothing else

    @property
    def group_name(self) -> str:
        """Group names are data: always the Chinese label, whatever language the request uses."""
        return _group_names()[self]


@functools.cache
def _group_names() -> dict[Role, str]:
    with translation.override("zh-hans"):
        return {role: str(role.label) for role in Role}


SERVICE_POINT_ROLES = {Role.CLERK, Role.HALL_ADMIN, Role.PROXY_AGENT, Role.KIOSK}
DEPARTMENT_ROLES = {Role.APPROVER, Role.CATALOG_ADMIN}

_VIEW_DIRECTORY = [
    "directory.view_region",
    "directory.view_department",
    "directory.view_servicepoint",
    "directory.view_window",
]
_VIEW_CATALOG = [
    "catalog.view_item",
    "catalog.view_subitem",
    "catalog.view_itemimplementation",
    "catalog.view_material",
    "catalog.view_materialtype",
    "catalog.view_reviewpoint",
    "catalog.view_bundle",
    "catalog.view_licensetype",
    "catalog.view_approvalrule",
]
_EDIT_CATALOG = [
    f"catalog.{action}_{model}"
    for model in (
        "item",
        "subitem",
        "itemimplementation",
        "material",
        "materialtype",
        "reviewpoint",
        "bundle",
        "bundleitem",
        "approvalrule",
    )
    for action in ("add", "change", "delete")
]
_EDIT_HALLS = [
    f"directory.{action}_{model}"
    for model in ("servicepoint", "window", "openingperiod")
    for action in ("add", "change", "delete")
] + ["directory.view_staff", "directory.change_staff"]

_GRANTS = ["cases.view_grant", "cases.add_grant", "cases.change_grant"]
_CASE_OVERSIGHT = [
    "cases.view_case",
    "cases.view_caseevent",
    "cases.view_grant",
    "cases.view_identityaccess",
    "workdays.view_calendaryear",
    "workdays.view_specialday",
]
# 好差评: the rated hall or department closes a bad rating's follow-up; supervisors watch.
_RATINGS = ["ratings.view_rating", "ratings.view_followup"]
_FIXES = [*_RATINGS, "ratings.change_followup"]
_CALENDAR = [f"workdays.{a}_{m}" for m in ("calendaryear", "specialday") for a in ("view", "add", "change", "delete")]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.CLERK: _VIEW_DIRECTORY + _VIEW_CATALOG,
    Role.PROXY_AGENT: _VIEW_DIRECTORY + _VIEW_CATALOG,
    Role.APPROVER: _VIEW_DIRECTORY + _VIEW_CATALOG,
    Role.CATALOG_ADMIN: _VIEW_DIRECTORY + _VIEW_CATALOG + _EDIT_CATALOG + ["catalog.publish_item"] + _GRANTS + _FIXES,
    Role.HALL_ADMIN: _VIEW_DIRECTORY + _VIEW_CATALOG + _EDIT_HALLS + ["cases.view_grant"] + _CALENDAR + _FIXES,
    Role.SUPERVISOR: _VIEW_DIRECTORY + _VIEW_CATALOG + ["directory.view_staff"] + _CASE_OVERSIGHT + _RATINGS,
    Role.KIOSK: [],
}

# Roles whose members use the Django admin (the others work in the workbench pages).
ADMIN_SITE_ROLES = {Role.CATALOG_ADMIN, Role.HALL_ADMIN, Role.SUPERVISOR}


def ensure_role_groups(**kwargs) -> None:
    """Create or update one group per role with exactly its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={name.split(".")[0] for name in wanted}
        )
    }
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.group_name)
        present = [by_name[p] for p in perms if p in by_name]
        group.permissions.set(present)


def user_roles(user) -> set[Role]:
    if not user.is_authenticated:
        return set()
    names = set(user.groups.values_list("name", flat=True))
    return {role for role, name in _group_names().items() if name in names}
