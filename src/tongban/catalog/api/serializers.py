import functools

from django.db.models import Choices
from django.utils import translation
from rest_framework import serializers

from tongban.catalog.bundles import BundleRequirements
from tongban.catalog.choices import HandlingKind, ItemType, Scope, ServiceObject
from tongban.catalog.models import Bundle, BundleItem, Item, ItemImplementation, Material, ReviewPoint, SubItem
from tongban.catalog.search import ItemRow
from tongban.directory.choices import AuthorityKind


@functools.cache
def _labels(enum: type[Choices], language: str | None) -> dict:
    return {value: str(label) for value, label in enum.choices}


def choice_label(enum: type[Choices], value) -> str:
    """The label of ``value`` in the active language, without Django's per-call lazy translation."""
    return _labels(enum, translation.get_language()).get(value, "")


class ItemSummarySerializer(serializers.ModelSerializer):
    item_type_display = serializers.CharField(source="get_item_type_display", read_only=True)
    scope_display = serializers.CharField(source="get_scope_display", read_only=True)
    handling_kind_display = serializers.CharField(source="get_handling_kind_display", read_only=True)
    on_negative_list = serializers.BooleanField(read_only=True)

    class Meta:
        model = Item
        fields = [
            "code",
            "version",
            "name",
            "item_type",
            "item_type_display",
            "service_object",
            "authority_kind",
            "handling_kind",
            "handling_kind_display",
            "promised_limit",
            "scope",
            "scope_display",
            "on_negative_list",
        ]


class ItemListSerializer(ItemSummarySerializer):
    """Rows of the item list, built directly from the search index's rows (``search.ItemRow``):
    the list is the busiest endpoint of the portal."""

    def to_representation(self, item: ItemRow) -> dict:
        return {
            "code": item.code,
            "version": item.version,
            "name": item.name,
            "item_type": item.item_type,
            "item_type_display": choice_label(ItemType, item.item_type),
            "service_object": item.service_object,
            "authority_kind": item.authority_kind,
            "handling_kind": item.handling_kind,
            "handling_kind_display": choice_label(HandlingKind, item.handling_kind),
            "promised_limit": item.promised_limit,
            "scope": item.scope,
            "scope_display": choice_label(Scope, item.scope),
            "on_negative_list": item.on_negative_list,
        }


class SubItemSerializer(serializers.ModelSerializer):
    legal_limit = serializers.IntegerField(source="effective_legal_limit", read_only=True)
    promised_limit = serializers.IntegerField(source="effective_promised_limit", read_only=True)

    class Meta:
        model = SubItem
        fields = ["id", "name", "kind", "legal_limit", "promised_limit"]


class MaterialSerializer(serializers.ModelSerializer):
    material_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sub_item = serializers.SlugRelatedField(slug_field="name", read_only=True)
    replaceable_by = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    form_display = serializers.CharField(source="get_form_display", read_only=True)
    necessity_display = serializers.CharField(source="get_necessity_display", read_only=True)

    class Meta:
        model = Material
        fields = [
            "id",
            "name",
            "material_type",
            "sub_item",
            "form",
            "form_display",
            "source",
            "necessity",
            "necessity_display",
            "copies",
            "original_checked",
            "acceptance_standard",
            "replaceable_by",
            "blank_form",
            "sample",
        ]


class ReviewPointSerializer(serializers.ModelSerializer):
    sub_item = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = ReviewPoint
        fields = ["order", "question", "required", "guidance", "sub_item"]


class ImplementationSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name", read_only=True)
    region = serializers.CharField(source="department.region.code", read_only=True)

    class Meta:
        model = ItemImplementation
        fields = ["code", "department", "region"]


class ItemDetailSerializer(ItemSummarySerializer):
    service_object_display = serializers.CharField(source="get_service_object_display", read_only=True)
    negative_reason_display = serializers.CharField(source="get_negative_reason_display", read_only=True)
    result_license_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    online_depth_stars = serializers.IntegerField(read_only=True)
    promised_exceeds_norm = serializers.BooleanField(read_only=True)
    sub_items = SubItemSerializer(many=True, read_only=True)
    materials = MaterialSerializer(many=True, read_only=True)
    review_points = ReviewPointSerializer(many=True, read_only=True)
    implementations = serializers.SerializerMethodField()

    class Meta(ItemListSerializer.Meta):
        fields = [
            *ItemSummarySerializer.Meta.fields,
            "service_object_display",
            "legal_basis",
            "conditions",
            "legal_limit",
            "online_stages",
            "online_depth_stars",
            "required_visits",
            "fee",
            "fee_note",
            "result_name",
            "result_license_type",
            "negative_reason",
            "negative_reason_display",
            "negative_note",
            "allows_commitment",
            "promised_exceeds_norm",
            "form_fields",
            "status",
            "valid_from",
            "valid_until",
            "sub_items",
            "materials",
            "review_points",
            "implementations",
        ]

    def get_implementations(self, item) -> list[dict]:
        implementations = self.context["implementations"]
        return ImplementationSerializer(implementations, many=True).data


class BundleMemberSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = BundleItem
        fields = ["item_code", "name", "order", "waits_for"]

    def get_name(self, member) -> str | None:
        return self.context["item_names"].get(member.item_code)


class BundleSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()

    class Meta:
        model = Bundle
        fields = ["code", "name", "description", "members"]

    def get_members(self, bundle) -> list[dict]:
        return BundleMemberSerializer(bundle.members.all(), many=True, context=self.context).data


def requirements_data(requirements: BundleRequirements) -> dict:
    return {
        "sub_items": {
            m.item.code: {"chosen": m.sub_item.name, "options": [s.name for s in m.item.sub_items.all()]}
            for m in requirements.members
            if m.sub_item
        },
        "fields": requirements.fields,
        "materials": requirements.materials,
        "given_inside": [
            {"item": member.item.code, "material": material.pk, "name": material.name, "issued_by": issuer.code}
            for member in requirements.members
            for material, issuer in member.from_prerequisites.items()
        ],
        "counts": {
            "fields": {"separate": requirements.separate_field_count, "bundle": len(requirements.fields)},
            "materials": {"separate": requirements.separate_material_count, "bundle": len(requirements.materials)},
        },
        "savings": requirements.savings_text,
    }


class ItemSearchParams(serializers.Serializer):
    """Query parameters of the item list (validated once, then searched in the in-process index)."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="关键词：编码、名称、拼音或拼音首字母"
    )
    item_type = serializers.ChoiceField(choices=ItemType.choices, required=False, help_text="事项类型")
    scope = serializers.ChoiceField(choices=Scope.choices, required=False, help_text="通办范围")
    service_object = serializers.ChoiceField(choices=ServiceObject.choices, required=False, help_text="服务对象")
    handling_kind = serializers.ChoiceField(choices=HandlingKind.choices, required=False, help_text="办件类型")
    authority_kind = serializers.ChoiceField(choices=AuthorityKind.choices, required=False, help_text="实施部门类别")
    negative = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="是否列入负面清单")
