"""Small builders for catalog rows used by several test modules."""

import datetime
import itertools

from tongban.catalog.choices import HandlingKind, ItemType, Scope, ServiceObject
from tongban.catalog.models import Item
from tongban.catalog.services import ItemDraft, publish_item, write_item_draft
from tongban.directory.choices import AuthorityKind

_codes = itertools.count(1)


def next_code() -> str:
    return f"8{next(_codes):011d}"


def item_fields(**overrides) -> dict:
    fields = {
        "code": next_code(),
        "name": "测试食品经营许可",
        "item_type": ItemType.LICENSING,
        "authority_kind": AuthorityKind.MARKET,
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "conditions": "有与经营品种相适应的场所",
        "service_object": ServiceObject.ENTERPRISE,
        "legal_limit": 20,
        "promised_limit": 5,
        "handling_kind": HandlingKind.PROMISED,
        "online_stages": [1, 2, 3, 4, 5, 6],
        "required_visits": 0,
        "result_name": "食品经营许可证",
        "scope": Scope.CITY,
    }
    fields.update(overrides)
    return fields


def draft_item(*, sub_items=(), materials=None, review_points=None, **overrides) -> Item:
    materials = (
        materials
        if materials is not None
        else [{"material_type": "M001", "name": "申请人身份证明", "replaceable_by": []}]
    )
    review_points = review_points if review_points is not None else [{"question": "材料是否齐全？", "required": True}]
    return write_item_draft(
        ItemDraft(
            fields=item_fields(**overrides),
            sub_items=list(sub_items),
            materials=list(materials),
            review_points=list(review_points),
        )
    )


def published_item(valid_from: datetime.date | None = None, **overrides) -> Item:
    return publish_item(draft_item(**overrides), valid_from=valid_from)
