"""授权信任: a department's catalog admin grants and revokes service points' rights."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.cases.choices import Right
from tongban.cases.models import Grant
from tongban.cases.permissions import actor_of, is_other_jurisdiction
from tongban.catalog.models import ItemImplementation
from tongban.core.errors import Conflict, Forbidden, InvalidInput
from tongban.directory.models import Department, ServicePoint
from tongban.directory.roles import Role


def _check_granter(by, department: Department) -> None:
    if by.is_superuser:
        return
    actor = actor_of(by)
    if Role.CATALOG_ADMIN not in actor.roles or actor.department != department:
        raise Forbidden(_("只有%s的部门管理员可以管理其授权。") % department.name, code="not_grantor")


def check_grant(
    *,
    by,
    department: Department,
    service_point: ServicePoint,
    rights: list[str],
    item_code: str = "",
    valid_from: datetime.datetime | None = None,
    valid_until: datetime.datetime | None = None,
) -> None:
    """Refuse a grant ``by`` may not give or that makes no sense (wrong rights, own region, unknown item)."""
    _check_granter(by, department)
    if not rights or any(r not in Right.values for r in rights):
        raise InvalidInput(
            _("请选择授权权限：%s。") % "、".join(str(label) for label in Right.labels),
            code="invalid_rights",
            details={"rights": Right.values},
        )
    if not is_other_jurisdiction(department, service_point):
        raise InvalidInput(_("该网点位于本部门辖区内，无需授权。"), code="grant_not_needed")
    if (
        item_code
        and not ItemImplementation.objects.filter(item_code=item_code, department=department, is_active=True).exists()
    ):
        raise InvalidInput(_("本部门不实施事项 %s。") % item_code, code="item_not_implemented")
    if valid_until and valid_until <= (valid_from or timezone.now()):
        raise InvalidInput(_("失效时间须晚于生效时间。"), code="invalid_validity")


@transaction.atomic
def create_grant(*, by, rights: list[str], valid_from: datetime.datetime | None = None, **grant) -> Grant:
    rights = list(dict.fromkeys(rights or []))
    valid_from = valid_from or timezone.now()
    check_grant(by=by, rights=rights, valid_from=valid_from, **grant)
    return Grant.objects.create(rights=rights, valid_from=valid_from, created_by=by, **grant)


@transaction.atomic
def revoke_grant(grant: Grant, *, by, reason: str) -> Grant:
    """Revocation takes effect at once: the next check no longer finds the grant."""
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    _check_granter(by, grant.department)
    if grant.revoked_at is not None:
        raise Conflict(_("该授权已撤销。"), code="grant_already_revoked")
    if not reason.strip():
        raise InvalidInput(_("撤销授权须说明原因。"), code="reason_required")
    grant.revoked_at, grant.revoked_by, grant.revoke_reason = timezone.now(), by, reason.strip()
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return grant
