from django.contrib import admin

from tongban.workdays.models import CalendarYear, SpecialDay


class SpecialDayInline(admin.TabularInline):
    model = SpecialDay
    extra = 3


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "published", "source"]
    list_filter = ["published"]
    inlines = [SpecialDayInline]


@admin.register(SpecialDay)
class SpecialDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "year"]
    list_filter = ["kind", "year"]
    date_hierarchy = "date"
    search_fields = ["name"]
