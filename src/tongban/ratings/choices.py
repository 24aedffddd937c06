"""The five levels of 好差评 (国办发〔2019〕51号, GB/T 39734-2020) and the follow-up of a bad one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


# 差评: each one is called back and fixed within a deadline.
BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待回访整改")
    DONE = "done", _("已整改")
