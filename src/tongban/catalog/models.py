"""The one standard item list (基本目录) and its implementations (实施清单).

An ``Item`` row is one *version* of a standard item. Published versions are never edited in
place: ``services.draft_new_version`` copies one into a new draft, ``services.publish_item``
puts it in force, and cases keep pointing at the version they were made under. Things that
must outlive versions (implementations, bundles, window zones, grants) refer to the stable
12-character ``code``.
"""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.catalog.choices import (
    BundleStatus,
    HandlingKind,
    HolderKind,
    ItemStatus,
    ItemType,
    MaterialForm,
    MaterialSource,
    Necessity,
    NegativeReason,
    OnlineStage,
    Scope,
    ServiceObject,
    SubItemKind,
)
from tongban.catalog.search import build_search_text
from tongban.directory.choices import AuthorityKind
from tongban.directory.models import Department

ITEM_CODE_VALIDATOR = RegexValidator(r"^[0-9A-Z]{12}$", _("事项编码应为 12 位数字或大写字母。"))
# Fuzhou norm: the promised limit is at most 30 % of the legal one.
PROMISED_LIMIT_NORM = Decimal("0.3")
# Stars of online depth = the unbroken run of stages from 1 (咨询), capped at 5; 全程网办 needs ≥ 4.
MAX_DEPTH_STARS = 5


class LicenseType(models.Model):
    code = models.CharField(_("证照类型代码"), max_length=32, unique=True)
    name = models.CharField(_("证照类型名称"), max_length=100)
    holder_kind = models.CharField(_("持证主体类别"), max_length=16, choices=HolderKind.choices)
    issuer_kind = models.CharField(_("颁发机构类别"), max_length=32, choices=AuthorityKind.choices)
    validity_years = models.PositiveSmallIntegerField(
        _("有效期（年）"), null=True, blank=True, help_text=_("为空表示长期有效")
    )
    face_fields = models.JSONField(
        _("照面信息字段"),
        default=list,
        blank=True,
        help_text=_("签发时从申请表抄录到证照上的字段名；其余字段（电话、地址、他人信息）不上证照"),
    )

    class Meta:
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")
        ordering = ["code"]

    def __str__(self):
        return self.name


class MaterialType(models.Model):
    """Canonical material kind, so a bundle asks a shared material once."""

    code = models.CharField(_("材料类型编码"), max_length=32, unique=True)
    name = models.CharField(_("材料类型名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    filled_online = models.BooleanField(
        _("网上填报即提交"), default=False, help_text=_("如申请表：网上申请时填写的表单就是这份材料，无需另行上传")
    )

    class Meta:
        verbose_name = _("材料类型")
        verbose_name_plural = _("材料类型")
        ordering = ["code"]

    def __str__(self):
        return self.name


class ItemQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None):
        """Published versions whose validity covers ``on`` (today by default): one per code."""
        on = on or datetime.date.today()
        return self.filter(status=ItemStatus.PUBLISHED, valid_from__lte=on).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        )

    def over_norm(self):
        """Promised limit above 30 % of the legal one (PROMISED_LIMIT_NORM), in SQL."""
        return self.filter(promised_limit__gt=models.F("legal_limit") * PROMISED_LIMIT_NORM)


class CatalogRevision(models.Model):
    """One row whose token changes with every change to the in-force catalog, in the same transaction.

    A random token, not a counter: a rolled-back change must never let a later one reuse its value.
    """

    token = models.UUIDField(default=uuid.uuid4)

    def __str__(self):
        return str(self.token)


class Item(models.Model):
    code = models.CharField(_("事项编码"), max_length=12, validators=[ITEM_CODE_VALIDATOR], db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.CharField(_("事项类型"), max_length=2, choices=ItemType.choices)
    authority_kind = models.CharField(_("实施部门类别"), max_length=32, choices=AuthorityKind.choices)
    legal_basis = models.TextField(_("设定依据"))
    conditions = models.TextField(_("受理条件"), blank=True)
    service_object = models.CharField(_("服务对象"), max_length=16, choices=ServiceObject.choices)
    legal_limit = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"))
    promised_limit = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"))
    handling_kind = models.CharField(_("办件类型"), max_length=16, choices=HandlingKind.choices)
    online_stages = models.JSONField(
        _("网上办理深度"), default=list, blank=True, help_text=_("开通的网办环节：1 咨询 … 7 电子证照反馈")
    )
    required_visits = models.PositiveSmallIntegerField(_("到办事现场次数"), default=0)
    fee = models.DecimalField(
        _("收费标准（元）"), max_digits=10, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    fee_note = models.CharField(_("收费说明"), max_length=200, blank=True)
    result_name = models.CharField(_("办理结果名称"), max_length=100, blank=True)
    result_license_type = models.ForeignKey(
        LicenseType, verbose_name=_("结果证照类型"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope = models.CharField(_("通办范围"), max_length=16, choices=Scope.choices, default=Scope.CITY)
    negative_reason = models.PositiveSmallIntegerField(
        _("负面清单原因"), choices=NegativeReason.choices, null=True, blank=True
    )
    negative_note = models.CharField(_("负面清单说明"), max_length=300, blank=True)
    allows_commitment = models.BooleanField(_("实行告知承诺制"), default=False)
    commitment_text = models.TextField(
        _("告知承诺书内容"), blank=True, help_text=_("申请人签署的承诺内容：条件、标准、违诺后果")
    )
    post_check_days = models.PositiveSmallIntegerField(
        _("承诺后核查时限（工作日）"), default=20, help_text=_("告知承诺办结后，部门完成核查的期限")
    )
    form_fields = models.JSONField(_("申请表字段"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.DRAFT, db_index=True
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项（基本目录）")
        ordering = ["code", "-version"]
        permissions = [("publish_item", _("可以发布或废止事项"))]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="item_code_version_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(status="draft"), name="item_one_draft_per_code"),
            models.CheckConstraint(
                condition=Q(promised_limit__lte=models.F("legal_limit")), name="item_promised_within_legal"
            ),
            models.CheckConstraint(
                condition=Q(negative_reason__isnull=True) | Q(scope="local"), name="item_negative_is_local"
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_from"]), models.Index(fields=["updated_at"])]

    def __str__(self):
        return f"{self.name}（{self.code} v{self.version}）"

    def clean(self):
        errors: dict[str, list] = {}
        if self.legal_limit is not None and self.promised_limit is not None and self.promised_limit > self.legal_limit:
            errors.setdefault("promised_limit", []).append(_("承诺时限不能超过法定时限。"))
        if self.handling_kind == HandlingKind.PROMISED and self.promised_limit == 0:
            errors.setdefault("promised_limit", []).append(_("承诺件的承诺时限至少为 1 个工作日。"))
        if self.negative_reason and self.scope != Scope.LOCAL:
            errors.setdefault("scope", []).append(_("列入负面清单的事项只能属地办理，通办范围须为“属地办理”。"))
        if self.negative_reason and not self.negative_note.strip():
            errors.setdefault("negative_note", []).append(_("列入负面清单须填写说明。"))
        if not self.negative_reason and self.negative_note.strip():
            errors.setdefault("negative_reason", []).append(_("填写了负面清单说明，但未选择原因。"))
        stages = self.online_stages or []
        if not isinstance(stages, list) or any(s not in OnlineStage.values for s in stages):
            errors.setdefault("online_stages", []).append(_("网上办理深度只能包含 1–7 的环节编号。"))
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors.setdefault("valid_until", []).append(_("失效日期不能早于生效日期。"))
        if self.allows_commitment and not self.commitment_text.strip():
            errors.setdefault("commitment_text", []).append(_("实行告知承诺制的事项须填写告知承诺书内容。"))
        if errors:
            raise ValidationError(errors)

    @property
    def promised_exceeds_norm(self) -> bool:
        """Promised limit above 30 % of the legal one: allowed, but flagged to the catalog admin."""
        return bool(self.legal_limit) and Decimal(self.promised_limit) > PROMISED_LIMIT_NORM * self.legal_limit

    @property
    def online_depth_stars(self) -> int:
        stages = set(self.online_stages or [])
        stars = 0
        while stars < MAX_DEPTH_STARS and stars + 1 in stages:
            stars += 1
        return stars

    @property
    def on_negative_list(self) -> bool:
        return self.negative_reason is not None


class SubItem(models.Model):
    """业务办理项: 新办 / 变更 / 延续 / 注销 …, each with its own limits, materials and review points."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="sub_items", verbose_name=_("事项"))
    name = models.CharField(_("办理项名称"), max_length=100)
    kind = models.CharField(_("办理类型"), max_length=16, choices=SubItemKind.choices, default=SubItemKind.OTHER)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    legal_limit = models.PositiveSmallIntegerField(
        _("法定时限（工作日）"), null=True, blank=True, help_text=_("为空则沿用事项的时限")
    )
    promised_limit = models.PositiveSmallIntegerField(_("承诺时限（工作日）"), null=True, blank=True)

    class Meta:
        verbose_name = _("业务办理项")
        verbose_name_plural = _("业务办理项")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "name"], name="subitem_name_unique")]

    def __str__(self):
        return f"{self.item.name}（{self.name}）"

    @property
    def effective_legal_limit(self) -> int:
        return self.item.legal_limit if self.legal_limit is None else self.legal_limit

    @property
    def effective_promised_limit(self) -> int:
        return self.item.promised_limit if self.promised_limit is None else self.promised_limit

    def clean(self):
        if self.item_id and self.effective_promised_limit > self.effective_legal_limit:
            raise ValidationError({"promised_limit": _("承诺时限不能超过法定时限。")})


class ItemImplementation(models.Model):
    """实施清单 entry: the item carried out by one department of one region."""

    item_code = models.CharField(_("事项编码"), max_length=12, validators=[ITEM_CODE_VALIDATOR], db_index=True)
    department = models.ForeignKey(
        Department, verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="implementations"
    )
    code = models.CharField(_("实施编码"), max_length=31, unique=True, editable=False)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("实施清单")
        verbose_name_plural = _("实施清单")
        ordering = ["item_code", "department__region__code"]
        constraints = [models.UniqueConstraint(fields=["item_code", "department"], name="implementation_unique")]

    def __str__(self):
        return self.code

    @staticmethod
    def implementation_code(department: Department, item_code: str) -> str:
        """统一社会信用代码 (18) + 行使层级 (1) + 基本编码 (12)."""
        return f"{department.credit_code}{department.level_digit}{item_code}"

    def save(self, *args, **kwargs):
        self.code = self.implementation_code(self.department, self.item_code)
        super().save(*args, **kwargs)


def attachment_path(instance, filename):
    return f"catalog/materials/{instance.item.code}/v{instance.item.version}/{filename}"


class OfItemOrSubItem(models.Model):
    """Materials and review points belong to an item, or to one of its own sub-items."""

    class Meta:
        abstract = True

    def clean(self):
        if self.sub_item_id and self.item_id and self.sub_item.item_id != self.item_id:
            raise ValidationError({"sub_item": _("办理项不属于本事项。")})


class Material(OfItemOrSubItem):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="materials", verbose_name=_("事项"))
    sub_item = models.ForeignKey(
        SubItem,
        verbose_name=_("适用办理项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="materials",
        help_text=_("为空表示适用于本事项的所有办理项"),
    )
    material_type = models.ForeignKey(
        MaterialType, verbose_name=_("材料类型"), on_delete=models.PROTECT, related_name="materials"
    )
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(_("材料形式"), max_length=16, choices=MaterialForm.choices, default=MaterialForm.ELECTRONIC)
    source = models.CharField(
        _("来源渠道"), max_length=16, choices=MaterialSource.choices, default=MaterialSource.APPLICANT
    )
    necessity = models.CharField(_("必要性"), max_length=16, choices=Necessity.choices, default=Necessity.REQUIRED)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    original_checked = models.BooleanField(_("核验原件"), default=False)
    blank_form = models.FileField(_("空白表格"), upload_to=attachment_path, blank=True)
    sample = models.FileField(_("示例样表"), upload_to=attachment_path, blank=True)
    acceptance_standard = models.TextField(_("受理标准"), blank=True)
    replaceable_by = models.ManyToManyField(
        LicenseType, verbose_name=_("可替代的电子证照"), blank=True, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class ReviewPoint(OfItemOrSubItem):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="review_points", verbose_name=_("事项"))
    sub_item = models.ForeignKey(
        SubItem,
        verbose_name=_("适用办理项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="review_points",
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    question = models.CharField(_("审查要点"), max_length=300)
    required = models.BooleanField(_("必查"), default=True, help_text=_("必查项不通过不能受理；否则为提示项"))
    guidance = models.TextField(_("审查说明"), blank=True)

    class Meta:
        verbose_name = _("审查要点")
        verbose_name_plural = _("审查要点")
        ordering = ["order", "id"]

    def __str__(self):
        return self.question


class ApprovalRule(models.Model):
    """One condition of 秒批: a CEL expression over the applicant, the form and the applicant's licences.

    Rules belong to one item version, so a published rule never changes: (item version, code) is its
    identity in every explanation of an automatic decision.
    """

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="approval_rules", verbose_name=_("事项"))
    code = models.CharField(_("规则编号"), max_length=16, validators=[RegexValidator(r"^[A-Za-z0-9_-]+$")])
    description = models.CharField(_("规则说明"), max_length=200)
    expression = models.TextField(_("规则表达式（CEL）"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("秒批规则")
        verbose_name_plural = _("秒批规则")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="approval_rule_code_unique")]

    def __str__(self):
        return f"{self.code} {self.description}"


class Bundle(models.Model):
    """一件事: several items done as one."""

    code = models.CharField(_("一件事编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=BundleStatus.choices, default=BundleStatus.DRAFT)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = build_search_text(code=self.code, name=self.name)  # derived: never stale, whoever saves
        super().save(*args, **kwargs)


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="members")
    item_code = models.CharField(_("事项编码"), max_length=12, validators=[ITEM_CODE_VALIDATOR])
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    waits_for = models.JSONField(
        _("须等待的前置事项编码"),
        default=list,
        blank=True,
        help_text=_("这些事项办结后本事项才开始；为空则并联办理"),
    )

    class Meta:
        verbose_name = _("一件事成员事项")
        verbose_name_plural = _("一件事成员事项")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item_code"], name="bundle_item_unique")]

    def __str__(self):
        return self.item_code
