"""Walk-in and booked tickets, the clerks at the windows, and recommendations in flight.

A ticket keeps the times of its life (issued, called, started, finished), its window and staff
member; every step is a ``TicketEvent``. Service times learned from finished tickets feed the wait
prediction and the staffing planner.
"""

import datetime
import functools

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.appointments.models import Booking
from tongban.cases.models import Applicant
from tongban.catalog.models import Bundle
from tongban.directory.choices import AuthorityKind
from tongban.directory.models import ServicePoint, Window
from tongban.queueing.choices import TicketAction, TicketKind, TicketStatus


def start_of_day(now: datetime.datetime | None = None) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(now), datetime.time()))


class WindowSessionQuerySet(models.QuerySet):
    def open_today(self, now: datetime.datetime | None = None):
        """Sessions not closed, opened today: one left open overnight does not staff today's window."""
        return self.filter(closed_at__isnull=True, opened_at__gte=start_of_day(now))

    def left_open(self, now: datetime.datetime | None = None):
        """Sessions nobody closed on an earlier day."""
        return self.filter(closed_at__isnull=True, opened_at__lt=start_of_day(now))


class WindowSession(models.Model):
    """A clerk signed in at a window: the window is open and calls tickets while the session lasts
    (on the day it was opened: a clerk opens their window again each day)."""

    window = models.ForeignKey(Window, verbose_name=_("窗口"), on_delete=models.CASCADE, related_name="sessions")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), on_delete=models.PROTECT)
    opened_at = models.DateTimeField(_("开窗时间"))
    closed_at = models.DateTimeField(_("关窗时间"), null=True, blank=True)

    objects = WindowSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("窗口值守")
        verbose_name_plural = _("窗口值守")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["window"], condition=Q(closed_at__isnull=True), name="one_clerk_per_window"
            ),
            models.UniqueConstraint(fields=["staff"], condition=Q(closed_at__isnull=True), name="one_window_per_clerk"),
        ]

    def __str__(self):
        return f"{self.window} {self.staff}"


class TicketSequence(models.Model):
    """Per service point and day: tickets are numbered without scanning the day's tickets."""

    service_point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service_point", "day"], name="ticket_sequence_unique")]

    def __str__(self):
        return f"{self.service_point_id} {self.day} {self.last}"


class Referral(models.Model):
    """A recommendation the applicant took: counted at the hall until they arrive or it expires (anti-herding)."""

    token = models.CharField(max_length=32, unique=True)
    service_point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="referrals")
    item_code = models.CharField(_("事项编码"), max_length=12)
    service_group = models.CharField(max_length=32, choices=AuthorityKind.choices)
    # Which zone windows serve the person (with ``item_code``); blank: general windows only.
    authority_kind = models.CharField(max_length=32, choices=AuthorityKind.choices, blank=True, default="")
    created_at = models.DateTimeField()
    expected_at = models.DateTimeField(_("预计到达"))
    expires_at = models.DateTimeField(db_index=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    # A 一件事 going as one visit: its code, and its other starting items as ``Ticket.along_with``.
    bundle_code = models.CharField(_("一件事编码"), max_length=32, blank=True, default="")
    along_with = models.JSONField(_("同时办理的事项"), default=list, blank=True)
    # Who took it on the portal (现在去办): one trip at a time, and their ticket is theirs on arrival.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )

    class Meta:
        verbose_name = _("推荐在途")
        verbose_name_plural = _("推荐在途")
        indexes = [models.Index(fields=["service_point", "expires_at"])]

    def __str__(self):
        return self.token


class Ticket(models.Model):
    service_point = models.ForeignKey(
        ServicePoint, verbose_name=_("服务网点"), on_delete=models.PROTECT, related_name="tickets"
    )
    day = models.DateField(_("日期"))
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("号码"), max_length=16)
    kind = models.CharField(_("类型"), max_length=16, choices=TicketKind.choices, default=TicketKind.WALK_IN)
    item_code = models.CharField(_("事项编码"), max_length=12)
    item_name = models.CharField(_("事项名称"), max_length=200)
    authority_kind = models.CharField(_("实施部门类别"), max_length=32, choices=AuthorityKind.choices)
    service_group = models.CharField(_("服务时长分组"), max_length=32, choices=AuthorityKind.choices)
    applicant = models.ForeignKey(Applicant, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    booking = models.OneToOneField(Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="ticket")
    referral = models.OneToOneField(Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="ticket")
    status = models.CharField(_("状态"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    due_at = models.DateTimeField(_("应叫时间"), help_text=_("预约号为预约时段开始，现场号为取号时间"))
    issued_at = models.DateTimeField(_("取号时间"))
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    window = models.ForeignKey(
        Window, verbose_name=_("窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), null=True, blank=True, on_delete=models.PROTECT
    )
    transferred_to = models.ForeignKey(
        Window, verbose_name=_("转至窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recalls = models.PositiveSmallIntegerField(_("重呼次数"), default=0)
    wait_seconds = models.PositiveIntegerField(_("等候秒数"), null=True, blank=True)
    service_seconds = models.PositiveIntegerField(_("办理秒数"), null=True, blank=True)
    # A 一件事 takes in several items at once: [item code, authority kind] of each besides ``item_code``.
    along_with = models.JSONField(_("同时办理的事项"), default=list, blank=True)
    bundle_code = models.CharField(_("一件事编码"), max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("取号")
        verbose_name_plural = _("取号")
        ordering = ["day", "sequence"]
        constraints = [models.UniqueConstraint(fields=["service_point", "day", "sequence"], name="ticket_unique")]
        indexes = [
            models.Index(fields=["service_point", "status", "due_at"]),
            models.Index(fields=["service_group", "finished_at"]),
        ]

    def __str__(self):
        return self.number

    @property
    def items_taken_in(self) -> int:
        return 1 + len(self.along_with)

    @functools.cached_property
    def subject(self) -> str:
        """What the visitor came for: the 一件事's name, or the item's."""
        if self.bundle_code:
            name = Bundle.objects.filter(code=self.bundle_code).values_list("name", flat=True).first()
            if name:
                return name
        return self.item_name

    def served_by(self, window: Window) -> bool:
        """Whether ``window`` may call this ticket: it serves the item and every item taken in along with it."""
        items = [(self.item_code, self.authority_kind), *self.along_with]
        return all(window.serves(item_code=code, authority_kind=kind) for code, kind in items)


class TicketEvent(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=16, choices=TicketAction.choices)
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    at = models.DateTimeField(_("时间"))
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("叫号日志")
        verbose_name_plural = _("叫号日志")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.ticket_id} {self.action}"
