from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tongban.core.qr import qr_svg
from tongban.portal.doorplates import doorplate_url
from tongban.portal.models import Doorplate


@admin.register(Doorplate)
class DoorplateAdmin(admin.ModelAdmin):
    """Community centres with their doorplate QR codes, printable in bulk; nothing is edited here."""

    list_display = ["name", "region", "address", "page_link"]
    search_fields = ["name", "code", "address"]
    actions = ["print_doorplates"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region")

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and request.user.has_perm("directory.view_servicepoint")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("门牌页面"))
    def page_link(self, obj):
        url = reverse("portal:doorplate", args=[obj.code])
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("打开"))

    @admin.action(description=_("打印所选门牌二维码"), permissions=["view"])
    def print_doorplates(self, request, queryset):
        plates = []
        for point in queryset.order_by("region__code", "name"):
            url = doorplate_url(request, point.code)
            plates.append({"point": point, "url": url, "svg": qr_svg(url)})
        return TemplateResponse(request, "portal/doorplates_print.html", {"plates": plates})
