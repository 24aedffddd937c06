from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "tongban.workdays"
    verbose_name = _("工作日历")

    def ready(self):
        from tongban.workdays.services import watch_calendar_rows

        watch_calendar_rows()
