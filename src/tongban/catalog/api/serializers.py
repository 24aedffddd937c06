from rest_framework import serializers

from tongban.catalog.models import Bundle, BundleItem, Item, ItemImplementation, Material, ReviewPoint, SubItem


class ItemListSerializer(serializers.ModelSerializer):
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


class ItemDetailSerializer(ItemListSerializer):
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
            *ItemListSerializer.Meta.fields,
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
