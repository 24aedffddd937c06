"""Applicants, trust grants and cases with their audit trail.

A case changes only through ``cases.services.transition`` (and intake through
``cases.services.submit_case``): those lock the row, check role, jurisdiction and grant, and
write the ``CaseEvent`` in the same transaction.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.cases.choices import (
    Action,
    ApplicantKind,
    BundleCaseState,
    Channel,
    HandlingMode,
    IdType,
    MaterialStatus,
    PostCheckStatus,
    Right,
    State,
)
from tongban.catalog.models import Bundle, Item, ItemImplementation, Material, SubItem
from tongban.core.identifiers import mask_id_number
from tongban.directory.models import Department, ServicePoint
from tongban.licences.models import ELicense

# A decision was made for the applicant: the case counts as granted (for bundles and dependants).
GRANTED_STATES = frozenset({State.APPROVED, State.RESULT_READY, State.DELIVERED, State.CLOSED})
# The case ended without a grant.
FAILED_STATES = frozenset({State.REFUSED, State.DENIED, State.WITHDRAWN, State.CANCELLED, State.REVOKED})


class Applicant(models.Model):
    kind = models.CharField(_("申请人类别"), max_length=16, choices=ApplicantKind.choices)
    id_type = models.CharField(_("证件类型"), max_length=3, choices=IdType.choices)
    id_number = models.CharField(_("证件号码"), max_length=18)
    name = models.CharField(_("姓名或名称"), max_length=200)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="applicant"
    )

    class Meta:
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")
        constraints = [models.UniqueConstraint(fields=["id_type", "id_number"], name="applicant_identity_unique")]

    def __str__(self):
        return f"{self.name}（{self.masked_id}）"

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)


class IdentityAccess(models.Model):
    """Every view of a full identity number: who, whose, why, when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="accesses")
    case = models.ForeignKey("Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("用途"), max_length=200)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("证件号码查看记录")
        verbose_name_plural = _("证件号码查看记录")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} {self.applicant} {self.at:%Y-%m-%d %H:%M}"


class GrantQuerySet(models.QuerySet):
    def effective(self, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, valid_from__lte=at).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=at)
        )


class Grant(models.Model):
    """授权信任: a department lets a service point act for it on one item or all its items."""

    department = models.ForeignKey(
        Department, verbose_name=_("授权部门"), on_delete=models.PROTECT, related_name="grants"
    )
    service_point = models.ForeignKey(
        ServicePoint, verbose_name=_("被授权网点"), on_delete=models.PROTECT, related_name="grants"
    )
    item_code = models.CharField(_("事项编码"), max_length=12, blank=True, help_text=_("为空表示该部门的全部事项"))
    rights = models.JSONField(_("授权权限"), default=list)
    valid_from = models.DateTimeField(_("生效时间"), default=timezone.now)
    valid_until = models.DateTimeField(_("失效时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("授权信任")
        verbose_name_plural = _("授权信任")
        ordering = ["department", "service_point", "item_code"]
        indexes = [models.Index(fields=["service_point", "department"])]

    def __str__(self):
        scope = self.item_code or _("全部事项")
        return f"{self.department} → {self.service_point}（{scope}）"

    def rights_display(self) -> str:
        return "、".join(str(Right(r).label) for r in self.rights if r in Right.values)


class BundleCase(models.Model):
    """The parent case of a 一件事 intake: one form, one set of materials, a child case per item."""

    number = models.CharField(_("一件事办件编号"), max_length=48, unique=True)
    bundle = models.ForeignKey(Bundle, verbose_name=_("一件事"), on_delete=models.PROTECT, related_name="cases")
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="bundle_cases"
    )
    channel = models.CharField(_("申请渠道"), max_length=16, choices=Channel.choices)
    handling_mode = models.CharField(_("办理模式"), max_length=32, choices=HandlingMode.choices)
    service_point = models.ForeignKey(
        ServicePoint, verbose_name=_("受理网点"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    form_data = models.JSONField(_("合并申请表"), default=dict, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=BundleCaseState.choices, default=BundleCaseState.IN_PROGRESS
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, blank=True)
    body_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("一件事办件")
        verbose_name_plural = _("一件事办件")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="bundle_case_idempotency_key_unique",
            )
        ]

    def __str__(self):
        return self.number


class Case(models.Model):
    number = models.CharField(_("办件编号"), max_length=48, unique=True)
    item = models.ForeignKey(Item, verbose_name=_("事项（版本）"), on_delete=models.PROTECT, related_name="cases")
    sub_item = models.ForeignKey(
        SubItem, verbose_name=_("业务办理项"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    implementation = models.ForeignKey(ItemImplementation, on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey(
        Department, verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="cases"
    )
    applicant = models.ForeignKey(Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="cases")
    channel = models.CharField(_("申请渠道"), max_length=16, choices=Channel.choices)
    handling_mode = models.CharField(_("办理模式"), max_length=32, choices=HandlingMode.choices)
    state = models.CharField(_("状态"), max_length=24, choices=State.choices, db_index=True)
    service_point = models.ForeignKey(
        ServicePoint, verbose_name=_("受理网点"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    grant = models.ForeignKey(
        Grant, verbose_name=_("所用授权"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    form_data = models.JSONField(_("申请表"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    deadline = models.DateField(_("办结期限"), null=True, blank=True, db_index=True)
    deadline_unscheduled = models.BooleanField(
        _("期限跨未公布放假安排的年份"), default=False, help_text=_("按仅周末休息计算，需管理员核对")
    )
    suspended_on = models.DateField(_("中止日期"), null=True, blank=True)
    resume_state = models.CharField(max_length=24, choices=State.choices, blank=True)
    review_steps_done = models.PositiveSmallIntegerField(_("已完成审查环节"), default=0)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    visits = models.PositiveSmallIntegerField(_("跑动次数"), default=0)
    originals_to_send = models.BooleanField(_("纸质原件待寄递"), default=False)
    originals_receiver = models.ForeignKey(
        Department, verbose_name=_("原件接收部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deemed_accepted_at = models.DateTimeField(_("视为受理时间"), null=True, blank=True)
    deemed_acceptance_warned = models.BooleanField(default=False)
    bundle_case = models.ForeignKey(
        BundleCase,
        verbose_name=_("所属一件事"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    waits_for = models.JSONField(_("须等待的前置事项"), default=list, blank=True)
    result_licence = models.ForeignKey(
        ELicense,
        verbose_name=_("签发的电子证照"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    granted = models.BooleanField(
        _("结果"), null=True, blank=True, help_text=_("准予为是；不予受理、不予许可、撤回、终止、撤销为否；未决为空")
    )
    auto_decision = models.JSONField(_("秒批说明"), default=dict, blank=True)
    human_decision_requested = models.BooleanField(_("申请人要求人工决定"), default=False)
    commitment_signed_at = models.DateTimeField(_("签署告知承诺书时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["department", "state"]),
            models.Index(fields=["service_point", "state"]),
        ]

    def __str__(self):
        return self.number

    @property
    def promised_limit(self) -> int:
        return self.sub_item.effective_promised_limit if self.sub_item_id else self.item.promised_limit

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return (
            bool(self.deadline)
            and self.completed_at is None
            and self.state not in FAILED_STATES | {State.WAITING}
            and self.deadline < today
        )


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    licence = models.ForeignKey(
        ELicense, verbose_name=_("以电子证照提交"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=MaterialStatus.choices, default=MaterialStatus.PROVIDED)
    due_date = models.DateField(_("容缺补交期限"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        constraints = [models.UniqueConstraint(fields=["case", "material"], name="case_material_unique")]

    def __str__(self):
        return f"{self.case_id}:{self.material_id} {self.status}"


def attachment_path(instance, filename):
    return f"cases/{instance.case.number}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class CaseAttachment(models.Model):
    """An uploaded file for one of the case's materials; its type was sniffed from its bytes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    material = models.ForeignKey(CaseMaterial, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(_("原文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("材料附件")
        verbose_name_plural = _("材料附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class CaseNotice(models.Model):
    """一次性告知: everything missing or faulty, listed at once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    problems = models.JSONField(_("告知事项"))
    new_facts = models.CharField(_("新情况说明"), max_length=300, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("一次性告知")
        verbose_name_plural = _("一次性告知")
        ordering = ["issued_at"]

    def __str__(self):
        return f"{self.case_id} {self.issued_at:%Y-%m-%d}"


class CaseEvent(models.Model):
    """The audit trail: who, in which role, where, when, from which state to which, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=32, choices=Action.choices)
    from_state = models.CharField(_("原状态"), max_length=24, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=24, choices=State.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(_("角色"), max_length=32, blank=True)
    service_point = models.ForeignKey(ServicePoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    grant = models.ForeignKey(Grant, null=True, blank=True, on_delete=models.PROTECT, related_name="uses")
    reason = models.TextField(_("理由"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("办件日志")
        verbose_name_plural = _("办件日志")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.action} {self.from_state}→{self.to_state}"


class PostCheck(models.Model):
    """告知承诺制: the department checks the commitment after approving; a failed check revokes the result."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="post_check")
    department = models.ForeignKey(Department, verbose_name=_("核查部门"), on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(_("核查期限"), db_index=True)
    status = models.CharField(
        _("核查结果"), max_length=16, choices=PostCheckStatus.choices, default=PostCheckStatus.PENDING
    )
    finding = models.TextField(_("核查情况"), blank=True)
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("事后核查")
        verbose_name_plural = _("事后核查")
        ordering = ["due_date"]

    def __str__(self):
        return f"{self.case_id} {self.due_date}"


class ApplicantMessage(models.Model):
    """A notice to the applicant about their case (result revoked, …), shown in their case list."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="messages")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    text = models.TextField(_("内容"))
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("申请人通知")
        verbose_name_plural = _("申请人通知")
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.case_id} {self.sent_at:%Y-%m-%d}"


class CaseSequence(models.Model):
    """Per implementation-and-day counter: numbers cases without scanning the year's cases."""

    prefix = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.prefix}:{self.last}"


class IdempotencyRecord(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    body_hash = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")]

    def __str__(self):
        return self.key
