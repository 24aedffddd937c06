from django.contrib import admin

from tongban.core.admin import ReadOnlyAdmin
from tongban.licences.models import ELicense, LicenceLookup


@admin.register(ELicense)
class ELicenseAdmin(ReadOnlyAdmin):
    list_display = ["number", "license_type", "holder_name", "masked_holder_code", "issuer", "valid_until", "status"]
    list_filter = ["status", "trust_level", "license_type"]
    search_fields = ["number", "identifier", "holder_name", "holder_code"]
    list_select_related = ["license_type", "issuer"]
    exclude = ["holder_code"]
    readonly_fields = ["identifier", "masked_holder_code"]


@admin.register(LicenceLookup)
class LicenceLookupAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "__str__", "found"]
    list_select_related = ["user"]
