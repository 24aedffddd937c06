from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tongban.core"
    verbose_name = _("平台基础")

    def ready(self):
        from tongban.core.api.authentication import watch_auth_rows

        watch_auth_rows()
