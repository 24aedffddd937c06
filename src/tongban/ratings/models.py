"""好差评: one rating per completed case or finished visit at a window, and the follow-up of a bad one.

A rating keeps what it rates as the standard names it (DESIGN §7): the item, the hall and window,
the channel and the staff member, copied at the time of rating so later changes do not move it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Applicant, Case
from tongban.directory.models import Department, ServicePoint, Window
from tongban.queueing.models import Ticket
from tongban.ratings.choices import BAD_LEVELS, FollowUpStatus, Level


class Rating(models.Model):
    case = models.OneToOneField(
        Case, verbose_name=_("办件"), null=True, blank=True, on_delete=models.PROTECT, related_name="rating"
    )
    ticket = models.OneToOneField(
        Ticket, verbose_name=_("取号"), null=True, blank=True, on_delete=models.PROTECT, related_name="rating"
    )
    applicant = models.ForeignKey(Applicant, verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="ratings")
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    comment = models.TextField(_("评价内容"), blank=True)
    channel = models.CharField(_("评价渠道"), max_length=16)
    item_code = models.CharField(_("事项编码"), max_length=12)
    item_name = models.CharField(_("事项名称"), max_length=200)
    department = models.ForeignKey(
        Department, verbose_name=_("承办部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_point = models.ForeignKey(
        ServicePoint, verbose_name=_("办理网点"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        Window, verbose_name=_("窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("评价时间"))
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False, ticket__isnull=True) | Q(case__isnull=True, ticket__isnull=False),
                name="rating_of_one_case_or_ticket",
            )
        ]
        indexes = [models.Index(fields=["level", "rated_at"])]

    def __str__(self):
        return f"{self.item_name} · {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class FollowUp(models.Model):
    """A bad rating's call-back and fix (回访整改), due within a number of working days."""

    rating = models.OneToOneField(Rating, verbose_name=_("差评"), on_delete=models.PROTECT, related_name="follow_up")
    department = models.ForeignKey(
        Department, verbose_name=_("责任部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_point = models.ForeignKey(
        ServicePoint, verbose_name=_("责任网点"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("整改期限"), db_index=True)
    due_unscheduled = models.BooleanField(_("期限跨未公布放假安排的年份"), default=False)
    status = models.CharField(
        _("状态"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN, db_index=True
    )
    callback_note = models.TextField(_("回访情况"), blank=True)
    fix_note = models.TextField(_("整改措施"), blank=True)
    closed_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("整改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("差评回访整改")
        verbose_name_plural = _("差评回访整改")
        ordering = ["status", "due_on", "id"]

    def __str__(self):
        return str(self.rating)
