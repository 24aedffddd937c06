"""Which service points can handle an item for an applicant's jurisdiction (DESIGN §3).

No rule is restated here: the owning department comes from the implementation list, the places
from ``cases.permissions.places_for`` (windows serving the item within its 通办 scope, the owner's
region plus points it granted 异地收件受理权), and for another jurisdiction the negative list and
the scope are checked with the same predicates ``front_desk_grant`` uses. A test keeps this list
equal to the points where ``front_desk_grant`` lets a clerk accept.
"""

from django.utils.translation import gettext as _

from tongban.cases.permissions import is_other_jurisdiction, places_for, scope_covers
from tongban.cases.services import implementation_for
from tongban.catalog.choices import BundleStatus
from tongban.catalog.models import Bundle, Item, ItemImplementation
from tongban.catalog.services import item_in_force
from tongban.core.errors import InvalidInput, NotFound
from tongban.directory.models import Department, Region, ServicePoint


def applicant_region(region_code: str) -> Region:
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None:
        raise InvalidInput(
            _("区划代码 %s 不存在，请填写申请人所属的县（市、区）或乡镇（街道）代码。") % region_code,
            code="invalid_region",
            details={"region": [_("区划不存在")]},
        )
    return region


def owning_department(item: Item, region_code: str) -> Department:
    """The department whose jurisdiction contains the applicant's: the most local implementation."""
    region = applicant_region(region_code)
    implementations = ItemImplementation.objects.filter(item_code=item.code, is_active=True).select_related(
        "department__region"
    )
    owners = [i.department for i in implementations if i.department.region.contains(region)]
    if not owners:
        implementation_for(item.code, region.code)  # raises no_implementation, naming the regions that have one
    return max(owners, key=lambda d: len(d.region.code.rstrip("0")))


def can_handle(item: Item, department: Department, point: ServicePoint) -> bool:
    """Whether ``point`` (already one of ``places_for``) may accept the item for ``department``."""
    if not is_other_jurisdiction(department, point):
        return True
    return not item.on_negative_list and scope_covers(item, department, point)


def eligible_points(item: Item, department: Department) -> list[ServicePoint]:
    return [point for point in places_for(item, department) if can_handle(item, department, point)]


def published_bundle(code: str) -> Bundle:
    """A published bundle with its members, or ``bundle_not_found``."""
    bundle = Bundle.objects.filter(code=code.strip(), status=BundleStatus.PUBLISHED).prefetch_related("members").first()
    if bundle is None:
        raise NotFound(_("一件事 %s 不存在或未发布。") % code, code="bundle_not_found")
    return bundle


def eligible_points_for(*, region_code: str, item_code: str = "", bundle_code: str = "") -> tuple[list[Item], list]:
    """The items asked for (one item, or a bundle's members) and the points that can handle all of them."""
    if bool(item_code) == bool(bundle_code):
        raise InvalidInput(_("请指定一个事项或一件事。"), code="item_or_bundle_required")
    if item_code:
        items = [item_in_force(item_code.strip().upper())]
    else:
        items = [item_in_force(member.item_code) for member in published_bundle(bundle_code).members.all()]
    common: dict[int, ServicePoint] | None = None
    for item in items:
        points = {p.pk: p for p in eligible_points(item, owning_department(item, region_code))}
        common = points if common is None else {pk: p for pk, p in common.items() if pk in points}
    return items, list((common or {}).values())
