"""An item's guide (办事指南): everything an applicant needs before going, for the page and the PDF."""

from dataclasses import dataclass, field

from tongban.cases.permissions import places_for
from tongban.catalog.models import Item, ItemImplementation, Material, ReviewPoint
from tongban.catalog.services import item_in_force, service_points_for_item
from tongban.directory.models import ServicePoint
from tongban.portal.places import HALL_LEVELS


@dataclass
class Stage:
    """One group of the guide map: the review points of the whole item or of one sub-item."""

    title: str
    points: list[ReviewPoint]


@dataclass
class Guide:
    item: Item
    materials: list[Material]
    stages: list[Stage]
    implementations: list[ItemImplementation]
    chosen: ItemImplementation | None = None
    halls: list[ServicePoint] = field(default_factory=list)
    centres: list[ServicePoint] = field(default_factory=list)

    @property
    def online(self) -> bool:
        return 2 in (self.item.online_stages or [])

    @property
    def stars(self) -> range:
        return range(self.item.online_depth_stars)


def item_guide(code: str, region_code: str = "") -> Guide:
    """``NotFound`` when the item is not in force. ``region_code`` narrows "where" to that jurisdiction's places."""
    in_force = item_in_force(code)
    item = (
        Item.objects.select_related("result_license_type")
        .prefetch_related(
            "sub_items",
            "materials__material_type",
            "materials__sub_item",
            "materials__replaceable_by",
            "review_points__sub_item",
        )
        .get(pk=in_force.pk)
    )
    implementations = list(
        ItemImplementation.objects.filter(item_code=item.code, is_active=True)
        .select_related("department__region")
        .order_by("department__region__code")
    )
    chosen = next((i for i in implementations if i.department.region.code == region_code), None)
    places = places_for(item, chosen.department) if chosen else service_points_for_item(item)
    return Guide(
        item=item,
        materials=list(item.materials.all()),
        stages=_stages(item),
        implementations=implementations,
        chosen=chosen,
        halls=[p for p in places if p.level in HALL_LEVELS],
        centres=[p for p in places if p.level not in HALL_LEVELS],
    )


def _stages(item: Item) -> list[Stage]:
    points = list(item.review_points.all())
    common = [p for p in points if p.sub_item_id is None]
    stages = [Stage("", common)] if common else []
    for sub in item.sub_items.all():
        own = [p for p in points if p.sub_item_id == sub.pk]
        if own:
            stages.append(Stage(sub.name, own))
    return stages
