"""Who may see a hall's queue details and staffing plan."""

from django.utils.translation import gettext as _

from tongban.cases.permissions import actor_of
from tongban.core.errors import Forbidden
from tongban.directory.models import ServicePoint
from tongban.directory.roles import Role
from tongban.directory.services import can_manage_service_point


def check_hall_oversight(user, point: ServicePoint) -> None:
    """Supervisors everywhere, hall admins for the points they manage, clerks for their own point."""
    if user.is_superuser:
        return
    actor = actor_of(user)
    if Role.SUPERVISOR in actor.roles:
        return
    if Role.HALL_ADMIN in actor.roles and can_manage_service_point(user, point):
        return
    raise Forbidden(
        _("只有本大厅的管理员和监管人员可以查看%s的排班与叫号数据。") % point.name, code="not_hall_overseer"
    )


def works_at(user, point: ServicePoint) -> bool:
    """The hall's own staff and devices: its clerks and kiosk accounts, and the admins who manage it. They check
    visitors in and run its kiosk (a kiosk account can do nothing else)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    actor = actor_of(user)
    if actor.roles & {Role.CLERK, Role.KIOSK} and actor.service_point == point:
        return True
    return Role.HALL_ADMIN in actor.roles and can_manage_service_point(user, point)


def may_see_tickets(user, point: ServicePoint) -> bool:
    try:
        check_hall_oversight(user, point)
    except Forbidden:
        actor = actor_of(user)
        return Role.CLERK in actor.roles and actor.service_point == point
    return True
