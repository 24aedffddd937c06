from rest_framework import serializers

from tongban.directory.models import Department, OpeningPeriod, Region, ServicePoint, Window


class RegionSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "level_display", "parent", "latitude", "longitude"]


class DepartmentSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "region", "credit_code", "kind", "kind_display"]


class OpeningPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpeningPeriod
        fields = ["weekday", "opens", "closes"]


class WindowSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Window
        fields = [
            "number",
            "kind",
            "kind_display",
            "zone_name",
            "zone_authorities",
            "zone_item_codes",
            "is_active",
            "bookable",
        ]


class ServicePointSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = ServicePoint
        fields = [
            "code",
            "name",
            "level",
            "level_display",
            "region",
            "region_name",
            "address",
            "latitude",
            "longitude",
            "phone",
        ]


class ServicePointDetailSerializer(ServicePointSerializer):
    opening_periods = OpeningPeriodSerializer(many=True, read_only=True)
    windows = WindowSerializer(many=True, read_only=True)

    class Meta(ServicePointSerializer.Meta):
        fields = [*ServicePointSerializer.Meta.fields, "opening_periods", "windows"]
