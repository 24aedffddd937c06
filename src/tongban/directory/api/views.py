from rest_framework import viewsets

from tongban.directory.api.serializers import (
    DepartmentSerializer,
    RegionSerializer,
    ServicePointDetailSerializer,
    ServicePointSerializer,
)
from tongban.directory.filtersets import RegionFilterSet, ServicePointFilterSet
from tongban.directory.models import Department, Region, ServicePoint


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """行政区划（GB/T 2260）。"""

    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    lookup_field = "code"


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """部门。"""

    queryset = Department.objects.select_related("region").filter(is_active=True)
    serializer_class = DepartmentSerializer
    filterset_fields = ["kind", "region__code"]


class ServicePointViewSet(viewsets.ReadOnlyModelViewSet):
    """服务网点：可按区划（含下级）和层级筛选。"""

    queryset = (
        ServicePoint.objects.filter(is_active=True).select_related("region").order_by("region__code", "level", "name")
    )
    filterset_class = ServicePointFilterSet
    lookup_field = "code"

    def get_serializer_class(self):
        return ServicePointDetailSerializer if self.action == "retrieve" else ServicePointSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("opening_periods", "windows")
        return queryset
