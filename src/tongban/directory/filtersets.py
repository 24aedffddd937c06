import django_filters
from django.utils.translation import gettext_lazy as _

from tongban.directory.choices import RegionLevel, ServicePointLevel
from tongban.directory.models import Region, ServicePoint, region_prefix


class RegionFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label=_("层级"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级区划代码"))

    class Meta:
        model = Region
        fields = ["level", "parent"]


class ServicePointFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(method="filter_region", label=_("区划代码（含下级）"))
    level = django_filters.ChoiceFilter(choices=ServicePointLevel.choices, label=_("网点层级"))

    class Meta:
        model = ServicePoint
        fields = ["region", "level"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(region__code__startswith=region_prefix(value))
