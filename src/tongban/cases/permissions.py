"""Who is acting, and whether a front desk may act for another jurisdiction (DESIGN §3)."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.cases.access import access_cache
from tongban.cases.choices import Right
from tongban.cases.models import Grant
from tongban.catalog.choices import NegativeReason, Scope
from tongban.catalog.models import Item
from tongban.catalog.services import service_points_for_item
from tongban.core.errors import Forbidden
from tongban.directory.models import Department, ServicePoint, Staff
from tongban.directory.roles import Role, user_roles

PLACES_IN_MESSAGE = 5


@dataclass
class Actor:
    user: object
    roles: set[Role] = field(default_factory=set)
    staff: Staff | None = None

    @property
    def service_point(self) -> ServicePoint | None:
        return self.staff.service_point if self.staff and self.staff.service_point_id else None

    @property
    def department(self) -> Department | None:
        return self.staff.department if self.staff and self.staff.department_id else None


def actor_of(user) -> Actor:
    if not user or not user.is_authenticated:
        raise Forbidden(_("请先登录。"), code="not_authenticated")
    staff, roles = access_cache.get(("actor", user.pk), lambda: _post_and_roles(user))
    return Actor(user=user, roles=set(roles), staff=staff)


def _post_and_roles(user) -> tuple[Staff | None, frozenset[Role]]:
    staff = Staff.objects.select_related("service_point__region", "department__region").filter(user=user).first()
    return staff, frozenset(user_roles(user))


def is_other_jurisdiction(department: Department, service_point: ServicePoint) -> bool:
    """Front desk outside the owning department's region: 异地受理, needs scope and a grant."""
    return not department.region.contains(service_point.region)


def scope_covers(item: Item, department: Department, service_point: ServicePoint) -> bool:
    region = department.region
    reach = {Scope.LOCAL: region.prefix, Scope.CITY: region.city_code, Scope.PROVINCE: region.province_code}.get(
        item.scope, ""
    )
    return service_point.region.code.startswith(reach)


def effective_grant(department: Department, service_point: ServicePoint, item_code: str, right: Right) -> Grant | None:
    """The grant in force now for ``right`` on the item: one for the item itself before one for all items."""
    held = access_cache.get(("grants", department.pk, service_point.pk), lambda: _unrevoked(department, service_point))
    now = timezone.now()
    return next(
        (
            g
            for g in held
            if g.item_code in ("", item_code)
            and right in g.rights
            and g.valid_from <= now
            and (g.valid_until is None or g.valid_until > now)
        ),
        None,
    )


def _unrevoked(department: Department, service_point: ServicePoint) -> tuple[Grant, ...]:
    """Validity is checked at each use: a grant starts and ends with the clock, not with a change."""
    grants = Grant.objects.filter(department=department, service_point=service_point, revoked_at__isnull=True)
    return tuple(grants.order_by("-item_code", "-valid_from"))


def places_for(item: Item, department: Department) -> list[ServicePoint]:
    """Where the applicant can go instead: the owner's own region, and points it has granted."""
    grants = Grant.objects.effective().filter(department=department).filter(Q(item_code="") | Q(item_code=item.code))
    granted_ids = {
        point for point, rights in grants.values_list("service_point_id", "rights") if Right.RECEIVE_ACCEPT in rights
    }
    return [
        point
        for point in service_points_for_item(item)
        if department.region.contains(point.region) or point.pk in granted_ids
    ]


def _places_text(places: list[ServicePoint]) -> str:
    names = "、".join(p.name for p in places[:PLACES_IN_MESSAGE])
    more = _("等 %d 处") % len(places) if len(places) > PLACES_IN_MESSAGE else ""
    return (names + more) or _("暂无")


def _places_details(places: list[ServicePoint]) -> dict:
    return {"service_points": [{"code": p.code, "name": p.name} for p in places]}


def front_desk_grant(item: Item, department: Department, service_point: ServicePoint, right: Right) -> Grant | None:
    """None when the service point is in the owner's jurisdiction; the grant used otherwise.

    Refuses, with the reason and where the applicant can go, when the item is on the negative
    list, outside its 通办 scope, or when the owner has not granted this right.
    """
    if not is_other_jurisdiction(department, service_point):
        return None
    if item.on_negative_list:
        places = places_for(item, department)
        raise Forbidden(
            _("“%(item)s”列入通办负面清单（%(reason)s），须在%(region)s办理。可前往：%(places)s。")
            % {
                "item": item.name,
                "reason": NegativeReason(item.negative_reason).label,
                "region": department.region.name,
                "places": _places_text(places),
            },
            code="negative_list_item",
            details=_places_details(places),
        )
    if not scope_covers(item, department, service_point):
        places = places_for(item, department)
        raise Forbidden(
            _("“%(item)s”的通办范围为“%(scope)s”，%(point)s不在范围内。可前往：%(places)s。")
            % {
                "item": item.name,
                "scope": item.get_scope_display(),
                "point": service_point.name,
                "places": _places_text(places),
            },
            code="outside_scope",
            details=_places_details(places),
        )
    grant = effective_grant(department, service_point, item.code, right)
    if grant is None:
        places = places_for(item, department)
        raise Forbidden(
            _("%(department)s尚未授予%(point)s“%(right)s”，本窗口不能代为办理“%(item)s”。可前往：%(places)s。")
            % {
                "department": department.name,
                "point": service_point.name,
                "right": right.label,
                "item": item.name,
                "places": _places_text(places),
            },
            code="grant_missing",
            details={**_places_details(places), "missing_right": right.value},
        )
    return grant
