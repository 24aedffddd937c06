"""The official working-day calendar (行政许可法 art. 82: limits count working days).

A year is *published* once the State Council's holiday schedule for it is entered; until then
deadlines in that year count weekends only and are flagged. Each November an admin adds next
year's holidays and make-up working days (调休) in the admin.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日（休息）")
    MAKEUP_WORKDAY = "makeup_workday", _("调休上班")


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    published = models.BooleanField(_("已公布放假安排"), default=False)
    source = models.CharField(_("来源"), max_length=100, blank=True, help_text=_("如：国务院办公厅通知文号"))

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("工作日历")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年"


class SpecialDay(models.Model):
    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name=_("年份"))
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日或调休日")
        verbose_name_plural = _("节假日与调休日")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"

    def clean(self):
        if self.date and self.year_id and self.date.year != self.year_id:
            raise ValidationError({"date": _("日期不在所属年份内。")})
        if self.date and self.kind == DayKind.MAKEUP_WORKDAY and self.date.weekday() < 5:
            raise ValidationError({"kind": _("调休上班日应为周六或周日。")})
