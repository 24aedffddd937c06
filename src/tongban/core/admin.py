from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through their domain service (cases, licences, audit trails)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
