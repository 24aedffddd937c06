from django.contrib import admin

from tongban.queueing.models import Ticket, TicketEvent, WindowSession


class ReadOnly(admin.ModelAdmin):
    """Tickets and sessions change only through ``queueing.services`` (the panel and the API)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    readonly_fields = ["action", "window", "actor", "at", "data"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnly):
    list_display = ["number", "day", "service_point", "item_name", "kind", "status", "window", "staff"]
    list_filter = ["status", "kind", "service_group", "service_point"]
    date_hierarchy = "day"
    search_fields = ["number", "item_code", "item_name"]
    list_select_related = ["service_point", "window", "staff"]
    inlines = [TicketEventInline]


@admin.register(WindowSession)
class WindowSessionAdmin(ReadOnly):
    list_display = ["window", "staff", "opened_at", "closed_at"]
    list_select_related = ["window__service_point", "staff"]
