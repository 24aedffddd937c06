"""Enumerations of bookings (预约), with Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已到场取号")
    CANCELLED = "cancelled", _("已取消")
    MISSED = "missed", _("爽约")


class BookingAction(models.TextChoices):
    BOOK = "book", _("预约")
    CANCEL = "cancel", _("取消")
    RESCHEDULE = "reschedule", _("改约")
    CHECK_IN = "check_in", _("到场取号")
    MISS = "miss", _("爽约")
