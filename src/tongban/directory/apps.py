from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "tongban.directory"
    verbose_name = _("机构与网点")

    def ready(self):
        from tongban.directory.roles import ensure_role_groups

        # After every migrate (and test-database flush) the role groups and their permissions exist.
        post_migrate.connect(ensure_role_groups, dispatch_uid="tongban.directory.ensure_role_groups")
