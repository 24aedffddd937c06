from django.contrib import admin

from tongban.appointments.models import Booking, BookingEvent, BookingSettings, VisitProfile


@admin.register(VisitProfile)
class VisitProfileAdmin(admin.ModelAdmin):
    list_display = ["item_code", "slots_per_visit", "service_group", "service_minutes"]
    search_fields = ["item_code"]


@admin.register(BookingSettings)
class BookingSettingsAdmin(admin.ModelAdmin):
    list_display = ["service_point", "slot_minutes", "days_ahead", "reopen_minutes", "is_open"]
    list_select_related = ["service_point"]


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "at", "data"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only: bookings change only through ``appointments.services``."""

    list_display = ["number", "item_name", "service_point", "starts_at", "status"]
    list_filter = ["status", "service_point"]
    search_fields = ["number", "item_code"]
    list_select_related = ["service_point"]
    inlines = [BookingEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
