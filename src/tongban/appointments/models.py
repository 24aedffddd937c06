"""Bookable capacity and bookings (全城预约).

Capacity is counted per window and slot: a booking holds ``slots_per_visit`` consecutive slots of
one bookable window that serves its item (``SlotHold``, unique per window and slot start), so the
database itself refuses a second holder and concurrent bookings never exceed capacity. A
cancelled booking's holds stay taken until ``reopens_at`` (against slot trading).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.appointments.choices import BookingAction, BookingStatus
from tongban.cases.models import Applicant
from tongban.catalog.models import ITEM_CODE_VALIDATOR
from tongban.directory.choices import AuthorityKind
from tongban.directory.models import Department, ServicePoint, Window

DEFAULT_SERVICE_MINUTES = 10
MAX_SLOTS_PER_VISIT = 8


class VisitProfile(models.Model):
    """Per item (by its stable code): slots a visit takes, its service-time group, its entered service time."""

    item_code = models.CharField(_("事项编码"), max_length=12, unique=True, validators=[ITEM_CODE_VALIDATOR])
    slots_per_visit = models.PositiveSmallIntegerField(
        _("每次办理占用时段数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_SLOTS_PER_VISIT)]
    )
    service_group = models.CharField(
        _("服务时长分组"),
        max_length=32,
        choices=AuthorityKind.choices,
        blank=True,
        help_text=_("为空则按事项的实施部门类别分组"),
    )
    service_minutes = models.PositiveSmallIntegerField(
        _("录入的办理时长（分钟）"),
        default=DEFAULT_SERVICE_MINUTES,
        validators=[MinValueValidator(1)],
        help_text=_("尚无足够已办结取号记录时用于预测等候和排班"),
    )

    class Meta:
        verbose_name = _("事项预约与办理时长设置")
        verbose_name_plural = _("事项预约与办理时长设置")
        ordering = ["item_code"]

    def __str__(self):
        return self.item_code


class BookingSettings(models.Model):
    """A hall admin's booking settings for one service point (defaults when absent)."""

    service_point = models.OneToOneField(
        ServicePoint, verbose_name=_("服务网点"), on_delete=models.CASCADE, related_name="booking_settings"
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("时段长度（分钟）"), default=15, validators=[MinValueValidator(5), MaxValueValidator(120)]
    )
    days_ahead = models.PositiveSmallIntegerField(
        _("可提前预约天数"), default=14, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    reopen_minutes = models.PositiveSmallIntegerField(
        _("取消后时段重新开放的延迟（分钟）"), default=30, help_text=_("防止号源倒卖：取消的时段不会立即被他人抢到")
    )
    is_open = models.BooleanField(_("开放预约"), default=True)

    class Meta:
        verbose_name = _("网点预约设置")
        verbose_name_plural = _("网点预约设置")

    def __str__(self):
        return str(self.service_point)


class Booking(models.Model):
    number = models.CharField(_("预约号"), max_length=24, unique=True)
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("预约人"), on_delete=models.PROTECT, related_name="bookings"
    )
    item_code = models.CharField(_("事项编码"), max_length=12)
    item_name = models.CharField(_("事项名称"), max_length=200)  # a bundle's name for a bundle's visit
    bundle_code = models.CharField(_("一件事编码"), max_length=32, blank=True, default="")
    region_code = models.CharField(_("申请人所属区划"), max_length=12)
    department = models.ForeignKey(
        Department, verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="bookings"
    )
    service_point = models.ForeignKey(
        ServicePoint, verbose_name=_("办理网点"), on_delete=models.PROTECT, related_name="bookings"
    )
    window = models.ForeignKey(Window, verbose_name=_("占用窗口号源"), on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED, db_index=True
    )
    rescheduled_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescheduled_from"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["service_point", "status", "starts_at"]),
            models.Index(fields=["applicant", "status"]),
        ]

    def __str__(self):
        return self.number


class SlotHold(models.Model):
    """One slot of one window taken by a booking; the unique key is the capacity."""

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="holds")
    reopens_at = models.DateTimeField(null=True, blank=True, help_text=_("取消后到此时刻才重新开放"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["window", "starts_at"], name="slot_hold_unique")]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self):
        return f"{self.window_id}@{self.starts_at:%Y-%m-%d %H:%M}"


class BookingEvent(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=16, choices=BookingAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("预约日志")
        verbose_name_plural = _("预约日志")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.booking_id} {self.action}"
