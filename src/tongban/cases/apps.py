from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tongban.cases"
    verbose_name = _("办件")

    def ready(self):
        from tongban.cases.access import watch_access_rows
        from tongban.cases.services import note_revoked_licence
        from tongban.licences.services import licence_revoked

        watch_access_rows()
        licence_revoked.connect(note_revoked_licence, dispatch_uid="cases-note-revoked-licence")
