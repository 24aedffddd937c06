from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tongban.cases"
    verbose_name = _("办件")

    def ready(self):
        from tongban.cases.access import watch_access_rows

        watch_access_rows()
