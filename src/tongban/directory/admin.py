from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tongban.directory.models import Department, OpeningPeriod, Region, ServicePoint, Staff, Window
from tongban.directory.roles import Role, user_roles
from tongban.directory.services import (
    can_manage_service_point,
    manageable_regions,
    manageable_service_points,
    managed_region,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "kind", "credit_code", "is_active"]
    list_filter = ["kind", "region__level", "is_active"]
    search_fields = ["name", "credit_code", "region__name"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]


class OpeningPeriodInline(admin.TabularInline):
    model = OpeningPeriod
    extra = 0


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0
    fields = ["number", "kind", "zone_name", "zone_authorities", "zone_item_codes", "is_active", "bookable"]


class ScopedToHallAdmin:
    """A hall admin sees and edits only the service points of their own region."""

    def _point(self, obj):
        return obj

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        point = self._point(obj) if obj is not None else None
        return allowed and (point is None or can_manage_service_point(request.user, point))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        point = self._point(obj) if obj is not None else None
        return allowed and (point is None or can_manage_service_point(request.user, point))


@admin.register(ServicePoint)
class ServicePointAdmin(ScopedToHallAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "level", "region", "phone", "is_active"]
    list_filter = ["level", "is_active", "region__level"]
    search_fields = ["name", "code", "address", "region__name"]
    list_select_related = ["region"]
    inlines = [OpeningPeriodInline, WindowInline]

    def get_queryset(self, request):
        # Hall admins list their own region's points; read-only roles (supervisors) see the whole city.
        queryset = super().get_queryset(request)
        if managed_region(request.user) is not None and not request.user.is_superuser:
            return queryset.filter(pk__in=manageable_service_points(request.user))
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = manageable_regions(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Staff)
class StaffAdmin(ScopedToHallAdmin, admin.ModelAdmin):
    """Hall admins place staff at their own region's service points; nothing else about a person."""

    list_display = ["__str__", "service_point", "department", "phone"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "service_point", "department"]
    autocomplete_fields = ["user", "service_point", "department"]
    list_filter = [
        ("service_point", admin.RelatedOnlyFieldListFilter),
        ("department", admin.RelatedOnlyFieldListFilter),
    ]

    def _point(self, obj):
        return obj.service_point

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        if obj is not None and (obj.service_point is None or obj.user_id == request.user.pk):
            return False  # department staff, supervisors and one's own record are not a hall admin's to change
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["user", "department"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "service_point" and not request.user.is_superuser:
            kwargs["queryset"] = manageable_service_points(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser or Role.SUPERVISOR in user_roles(request.user):
            return queryset
        return queryset.filter(service_point__in=manageable_service_points(request.user))


admin.site.site_header = _("通办 · 城市政务服务平台")
admin.site.site_title = _("通办管理后台")
admin.site.index_title = _("管理后台")
