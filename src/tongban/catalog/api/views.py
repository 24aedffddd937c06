from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from tongban.catalog.api.serializers import (
    BundleSerializer,
    ItemDetailSerializer,
    ItemListSerializer,
    ItemSearchParams,
    requirements_data,
)
from tongban.catalog.bundles import bundle_requirements
from tongban.catalog.choices import BundleStatus
from tongban.catalog.models import Bundle, BundleItem, Item, ItemImplementation
from tongban.catalog.search import item_index
from tongban.catalog.services import item_in_force, service_points_for_item
from tongban.core.errors import NotFound
from tongban.directory.api.views import ServicePointViewSet


class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    """事项（基本目录）：现行有效版本，支持按编码、名称、拼音及拼音首字母检索。"""

    filter_backends = []
    lookup_field = "code"
    lookup_value_regex = "[0-9A-Za-z]{12}"

    def get_queryset(self):
        return Item.objects.in_force().order_by("code")

    @extend_schema(parameters=[ItemSearchParams])
    def list(self, request, *args, **kwargs):
        # Served from the in-process search index; only the page's rows are read from the database.
        params = ItemSearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        criteria = dict(params.validated_data)
        rows = item_index.search(criteria.pop("q", ""), **criteria)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_serializer_class(self):
        return ItemDetailSerializer if self.action == "retrieve" else ItemListSerializer

    @extend_schema(
        parameters=[OpenApiParameter("version", OpenApiTypes.INT, description=_("指定版本（默认现行版本）"))]
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    def get_object(self):
        code = self.kwargs["code"].upper()
        version = self.request.query_params.get("version")
        if version:
            queryset = Item.objects.exclude(status="draft").filter(
                code=code, version=int(version) if version.isascii() and version.isdigit() else -1
            )
            item = queryset.first()
            if item is None:
                raise NotFound(
                    _("事项 %(code)s 没有版本 %(v)s。") % {"code": code, "v": version}, code="item_version_not_found"
                )
        else:
            item = item_in_force(code)
        return (
            Item.objects.select_related("result_license_type")
            .prefetch_related(
                "sub_items__item",
                "materials__material_type",
                "materials__sub_item",
                "materials__replaceable_by",
                "review_points__sub_item",
            )
            .get(pk=item.pk)
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "retrieve":
            context["implementations"] = ItemImplementation.objects.filter(
                item_code=self.kwargs["code"].upper(), is_active=True
            ).select_related("department__region")
        return context


class BundleViewSet(viewsets.ReadOnlyModelViewSet):
    """一件事。"""

    serializer_class = BundleSerializer
    lookup_field = "code"
    queryset = Bundle.objects.filter(status=BundleStatus.PUBLISHED).prefetch_related("members")

    def retrieve(self, request, *args, **kwargs):
        """The bundle with its merged form and materials, and what merging saves (e.g. 材料 17 → 6)."""
        bundle = self.get_object()
        return Response({**self.get_serializer(bundle).data, **requirements_data(bundle_requirements(bundle))})

    def get_serializer_context(self):
        context = super().get_serializer_context()
        codes = BundleItem.objects.filter(bundle__status=BundleStatus.PUBLISHED).values("item_code")
        context["item_names"] = dict(Item.objects.in_force().filter(code__in=codes).values_list("code", "name"))
        return context


@extend_schema(
    parameters=[OpenApiParameter("item", OpenApiTypes.STR, description=_("事项编码：只列出可以办理该事项的网点"))]
)
class ServicePointByItemViewSet(ServicePointViewSet):
    """服务网点：可按区划（含下级）、层级和事项（在哪里能办）筛选。"""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        item_code = self.request.query_params.get("item")
        if item_code and self.action == "list":
            item = item_in_force(item_code.strip().upper())
            queryset = queryset.filter(pk__in=[point.pk for point in service_points_for_item(item)])
        return queryset
