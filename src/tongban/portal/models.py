from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.directory.choices import ServicePointLevel
from tongban.directory.models import ServicePoint


class DoorplateManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(level=ServicePointLevel.COMMUNITY_CENTRE)


class Doorplate(ServicePoint):
    """数字门牌: a community centre seen as the QR code on its door (no table of its own)."""

    objects = DoorplateManager()

    class Meta:
        proxy = True
        verbose_name = _("数字门牌")
        verbose_name_plural = _("数字门牌")
