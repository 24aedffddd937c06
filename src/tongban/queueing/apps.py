from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    name = "tongban.queueing"
    verbose_name = _("排队叫号与大厅调度")
