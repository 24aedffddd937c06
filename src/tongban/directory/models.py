"""Who and where: regions, departments, service points, windows and staff."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.identifiers import validate_credit_code
from tongban.directory.choices import (
    LEVEL_DIGIT,
    AuthorityKind,
    RegionLevel,
    ServicePointLevel,
    Weekday,
    WindowKind,
)

REGION_CODE_LENGTH = {
    RegionLevel.CITY: 6,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWN: 9,
    RegionLevel.COMMUNITY: 12,
}


def region_prefix(code: str) -> str:
    """The code prefix every descendant shares: 350100 → 3501, 350000 → 35, 350102001 → 350102001."""
    if len(code) == 6:
        while code.endswith("00") and len(code) > 2:
            code = code[:-2]
    return code


class Region(models.Model):
    code = models.CharField(
        _("区划代码"),
        max_length=12,
        unique=True,
        validators=[
            RegexValidator(r"^\d{6}(\d{3}){0,2}$", _("区划代码应为 6、9 或 12 位数字（GB/T 2260 及统计用区划代码）。"))
        ],
    )
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    prefix = models.CharField(_("代码前缀"), max_length=12, editable=False, db_index=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def clean(self):
        expected = REGION_CODE_LENGTH.get(self.level)
        if expected and self.code and len(self.code) != expected:
            raise ValidationError(
                {"code": _("%(level)s的区划代码应为 %(n)d 位。") % {"level": self.get_level_display(), "n": expected}}
            )
        if self.parent_id and self.code and not self.code.startswith(self.parent.prefix):
            raise ValidationError({"parent": _("区划代码与上级区划不一致。")})
        if self.level != RegionLevel.CITY and not self.parent_id:
            raise ValidationError({"parent": _("除市级外，区划必须有上级区划。")})

    def save(self, *args, **kwargs):
        self.prefix = region_prefix(self.code)
        super().save(*args, **kwargs)

    @property
    def province_code(self) -> str:
        return self.code[:2]

    @property
    def city_code(self) -> str:
        return self.code[:4]

    def contains(self, other: "Region") -> bool:
        return other.code.startswith(self.prefix)


class Department(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="departments")
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    kind = models.CharField(_("部门类别"), max_length=32, choices=AuthorityKind.choices)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["region__code", "kind", "name"]
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self):
        return self.name

    @property
    def level_digit(self) -> str:
        return LEVEL_DIGIT[self.region.level]


class ServicePoint(models.Model):
    code = models.SlugField(_("网点编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("网点层级"), max_length=20, choices=ServicePointLevel.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="service_points"
    )
    address = models.CharField(_("地址"), max_length=200)
    latitude = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    is_active = models.BooleanField(_("开放"), default=True)

    class Meta:
        verbose_name = _("服务网点")
        verbose_name_plural = _("服务网点")
        ordering = ["region__code", "level", "name"]

    def __str__(self):
        return self.name


class OpeningPeriod(models.Model):
    service_point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="opening_periods")
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    opens = models.TimeField(_("开始"))
    closes = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("办公时间")
        verbose_name_plural = _("办公时间")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=models.Q(opens__lt=models.F("closes")), name="opening_period_order"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        if self.opens and self.closes and self.opens >= self.closes:
            raise ValidationError({"closes": _("结束时间必须晚于开始时间。")})


class Window(models.Model):
    service_point = models.ForeignKey(
        ServicePoint, verbose_name=_("服务网点"), on_delete=models.CASCADE, related_name="windows"
    )
    number = models.CharField(_("窗口号"), max_length=16)
    kind = models.CharField(_("窗口类型"), max_length=16, choices=WindowKind.choices, default=WindowKind.GENERAL)
    zone_name = models.CharField(
        _("专区名称"), max_length=50, blank=True, help_text=_("如：公安专区、税务专区、婚姻登记专区")
    )
    zone_authorities = models.JSONField(
        _("专区服务的部门类别"), default=list, blank=True, help_text=_("专区窗口只受理这些类别部门的事项")
    )
    zone_item_codes = models.JSONField(_("专区服务的事项编码"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    bookable = models.BooleanField(_("开放预约"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["service_point", "number"]
        constraints = [models.UniqueConstraint(fields=["service_point", "number"], name="window_number_unique")]

    def __str__(self):
        return f"{self.service_point.name} {self.number}号窗口"

    def clean(self):
        invalid = set(self.zone_authorities or []) - set(AuthorityKind.values)
        if invalid:
            raise ValidationError({"zone_authorities": _("未知的部门类别：%s") % "、".join(sorted(invalid))})
        if self.kind == WindowKind.GENERAL and (self.zone_authorities or self.zone_item_codes):
            raise ValidationError({"kind": _("综合窗口受理全部事项，不能限定专区范围。")})

    def serves(self, *, item_code: str, authority_kind: str) -> bool:
        """Whether this window may take the item: general windows take everything, zones their share."""
        if not self.is_active:
            return False
        if self.kind == WindowKind.GENERAL:
            return True
        return item_code in (self.zone_item_codes or []) or authority_kind in (self.zone_authorities or [])

    def serves_all(self, items) -> bool:
        """Whether this window takes in all of ``items`` (Items or catalog index rows) at one visit."""
        return all(self.serves(item_code=i.code, authority_kind=i.authority_kind) for i in items)


class Staff(models.Model):
    """Where a user works. Roles are Django groups (``directory.roles``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    service_point = models.ForeignKey(
        ServicePoint, verbose_name=_("所在网点"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("所在部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    phone = models.CharField(_("电话"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(service_point__isnull=False) & models.Q(department__isnull=False)),
                name="staff_single_workplace",
            )
        ]

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.get_username()}"

    def clean(self):
        if self.service_point_id and self.department_id:
            raise ValidationError(_("工作人员只能属于一个服务网点或一个部门。"))
