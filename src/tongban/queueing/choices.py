"""Enumerations of the queue at the windows, with Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketKind(models.TextChoices):
    WALK_IN = "walk_in", _("现场取号")
    BOOKED = "booked", _("预约取号")


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVING = "serving", _("办理中")
    FINISHED = "finished", _("已办结")
    NO_SHOW = "no_show", _("过号未到")


class TicketAction(models.TextChoices):
    ISSUE = "issue", _("取号")
    CALL = "call", _("叫号")
    RECALL = "recall", _("重呼")
    START = "start", _("开始办理")
    FINISH = "finish", _("办结")
    NO_SHOW = "no_show", _("过号")
    TRANSFER = "transfer", _("转窗口")


# Statuses in which a ticket still occupies the queue or a window.
OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)
