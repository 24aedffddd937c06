import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import draft_item, published_item
from tongban.catalog.choices import HandlingKind, ItemStatus, NegativeReason, Scope
from tongban.catalog.models import Item
from tongban.catalog.search import build_search_text, item_index
from tongban.catalog.services import (
    draft_new_version,
    item_in_force,
    publish_item,
    retire_item,
    save_item_edit,
    write_bundle,
)
from tongban.core.errors import Conflict, InvalidInput, NotFound

pytestmark = pytest.mark.django_db


def found(query: str) -> list[int]:
    """Primary keys the in-force search index finds for ``query``."""
    return [row.pk for row in item_index.search(query)]


class TestValidation:
    def test_promised_limit_cannot_exceed_legal(self):
        with pytest.raises(ValidationError) as exc:
            draft_item(legal_limit=10, promised_limit=11)
        assert "promised_limit" in exc.value.message_dict

    def test_database_also_refuses_promised_above_legal(self):
        item = draft_item()
        with pytest.raises(IntegrityError), transaction.atomic():
            Item.objects.filter(pk=item.pk).update(promised_limit=99)

    def test_promised_above_30_percent_is_flagged_not_refused(self):
        assert draft_item(legal_limit=20, promised_limit=7).promised_exceeds_norm
        assert not draft_item(legal_limit=20, promised_limit=6).promised_exceeds_norm

    def test_promised_item_needs_at_least_one_day(self):
        with pytest.raises(ValidationError):
            draft_item(handling_kind=HandlingKind.PROMISED, promised_limit=0)
        assert draft_item(handling_kind=HandlingKind.IMMEDIATE, promised_limit=0).promised_limit == 0

    def test_negative_list_item_must_be_local(self):
        with pytest.raises(ValidationError) as exc:
            draft_item(negative_reason=NegativeReason.CLASSIFIED, negative_note="涉密", scope=Scope.CITY)
        assert "scope" in exc.value.message_dict
        item = draft_item(negative_reason=NegativeReason.CLASSIFIED, negative_note="涉密", scope=Scope.LOCAL)
        assert item.on_negative_list

    def test_negative_reason_needs_a_note(self):
        with pytest.raises(ValidationError) as exc:
            draft_item(negative_reason=NegativeReason.REPORT_UPWARD, scope=Scope.LOCAL)
        assert "negative_note" in exc.value.message_dict

    def test_item_code_format(self):
        with pytest.raises(ValidationError) as exc:
            draft_item(code="12345")
        assert "code" in exc.value.message_dict

    def test_online_depth_stars_count_unbroken_stages(self):
        assert draft_item(online_stages=[1, 2, 3, 4, 5, 6, 7]).online_depth_stars == 5
        assert draft_item(online_stages=[1, 2, 4]).online_depth_stars == 2
        with pytest.raises(ValidationError):
            draft_item(online_stages=[1, 9])

    def test_sub_item_limits_checked_against_effective_legal_limit(self):
        with pytest.raises(ValidationError):
            draft_item(legal_limit=20, sub_items=[{"name": "新办", "kind": "new", "promised_limit": 25}])

    def test_material_for_unknown_sub_item_is_refused(self):
        with pytest.raises(ValidationError):
            draft_item(materials=[{"material_type": "M001", "name": "x", "sub_item": "不存在"}])


class TestVersioning:
    def test_publish_puts_item_in_force(self):
        item = published_item()
        assert item.status == ItemStatus.PUBLISHED
        assert item.valid_from == timezone.localdate()
        assert item_in_force(item.code) == item

    def test_published_item_cannot_be_edited_in_place(self):
        item = published_item()
        item.name = "改名"
        with pytest.raises(Conflict) as exc:
            save_item_edit(item)
        assert exc.value.code == "item_not_editable"

    def test_new_version_copies_content_and_old_version_stays_untouched(self):
        v1 = published_item(
            valid_from=datetime.date(2026, 1, 1),
            sub_items=[{"name": "新办", "kind": "new"}, {"name": "变更", "kind": "change", "promised_limit": 3}],
            materials=[
                {"material_type": "M001", "name": "身份证明", "replaceable_by": []},
                {"material_type": "M001", "name": "变更申请书", "sub_item": "变更"},
            ],
            review_points=[{"question": "是否本人？", "sub_item": "新办"}],
        )
        v2 = draft_new_version(v1)
        assert (v2.code, v2.version, v2.status) == (v1.code, 2, ItemStatus.DRAFT)
        assert [s.name for s in v2.sub_items.all()] == ["新办", "变更"]
        assert v2.materials.get(name="变更申请书").sub_item.item == v2
        assert v2.review_points.get().sub_item.name == "新办"

        v2.name = "新版名称"
        save_item_edit(v2)
        publish_item(v2)
        v1.refresh_from_db()
        assert v1.name != "新版名称" and v1.status == ItemStatus.RETIRED
        assert v1.valid_until == timezone.localdate() - datetime.timedelta(days=1)
        assert v1.materials.count() == 2  # what cases made under v1 point at is unchanged
        assert item_in_force(v1.code).version == 2

    def test_future_version_leaves_current_in_force_until_then(self):
        v1 = published_item()
        v2 = draft_new_version(v1)
        start = timezone.localdate() + datetime.timedelta(days=10)
        publish_item(v2, valid_from=start)
        assert item_in_force(v1.code).version == 1
        assert item_in_force(v1.code, on=start).version == 2
        v1.refresh_from_db()
        assert v1.valid_until == start - datetime.timedelta(days=1)

    def test_same_day_supersede_retires_the_old_version_at_once(self):
        v1 = published_item()
        publish_item(draft_new_version(v1))
        v1.refresh_from_db()
        assert v1.status == ItemStatus.RETIRED
        assert found(v1.code) == [item_in_force(v1.code).pk]

    def test_only_one_draft_per_code(self):
        v1 = published_item()
        draft_new_version(v1)
        with pytest.raises(Conflict) as exc:
            draft_new_version(v1)
        assert exc.value.code == "draft_exists"

    def test_only_drafts_can_be_published(self):
        item = published_item()
        with pytest.raises(Conflict):
            publish_item(item)

    def test_retired_item_is_out_of_force(self):
        item = published_item(valid_from=datetime.date(2026, 1, 1))
        retire_item(item)
        with pytest.raises(NotFound):
            item_in_force(item.code)


class TestSearch:
    def test_search_by_name_pinyin_initials_and_code(self):
        item = published_item(name="食品经营许可（测试）")
        for query in ["食品经营", "spjy", "shipinjingying", item.code, "SPJY"]:
            assert item.pk in found(query), query

    def test_drafts_and_retired_versions_are_not_found(self):
        item = draft_item(name="独一无二的草稿事项")
        assert found("独一无二") == []
        assert item.search_text == build_search_text(code=item.code, name=item.name, also=item.result_name)

    def test_search_by_result_name(self):
        item = published_item(name="企业设立登记（测试）", result_name="营业执照")
        assert item.pk in found("yyzz") and item.pk in found("营业执照")


class TestBundles:
    def test_cycles_are_refused(self):
        a, b = published_item(), published_item()
        with pytest.raises(InvalidInput) as exc:
            write_bundle(
                code="T-CYCLE",
                name="循环",
                description="",
                members=[{"item": a.code, "waits_for": [b.code]}, {"item": b.code, "waits_for": [a.code]}],
            )
        assert exc.value.code == "bundle_cycle"

    def test_unknown_items_and_dependencies_are_refused(self):
        a = published_item()
        with pytest.raises(InvalidInput) as exc:
            write_bundle(code="T-X", name="x", description="", members=[{"item": "899999999999"}])
        assert exc.value.code == "bundle_unknown_item"
        with pytest.raises(InvalidInput) as exc:
            write_bundle(
                code="T-X", name="x", description="", members=[{"item": a.code, "waits_for": ["899999999999"]}]
            )
        assert exc.value.code == "bundle_unknown_dependency"
