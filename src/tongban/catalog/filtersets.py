import django_filters
from django.utils.translation import gettext_lazy as _

from tongban.catalog.choices import HandlingKind, ItemType, Scope, ServiceObject
from tongban.catalog.models import Item
from tongban.catalog.search import normalize_query
from tongban.directory.choices import AuthorityKind


class ItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_query", label=_("关键词：编码、名称、拼音或拼音首字母"))
    item_type = django_filters.ChoiceFilter(choices=ItemType.choices, label=_("事项类型"))
    scope = django_filters.ChoiceFilter(choices=Scope.choices, label=_("通办范围"))
    service_object = django_filters.ChoiceFilter(choices=ServiceObject.choices, label=_("服务对象"))
    handling_kind = django_filters.ChoiceFilter(choices=HandlingKind.choices, label=_("办件类型"))
    authority_kind = django_filters.ChoiceFilter(choices=AuthorityKind.choices, label=_("实施部门类别"))
    negative = django_filters.BooleanFilter(
        field_name="negative_reason", lookup_expr="isnull", exclude=True, label=_("负面清单")
    )

    class Meta:
        model = Item
        fields = ["q", "item_type", "scope", "service_object", "handling_kind", "authority_kind", "negative"]

    def filter_query(self, queryset, name, value):
        query = normalize_query(value)
        return queryset.filter(search_text__contains=query) if query else queryset
