"""电子证照 (GB/T 36901–36905): issued certificates kept in the shared library and reused as materials.

Licences change only through ``licences.services``: issued when a case is approved, revoked with a
reason, expired by date. Every look-up of a holder's licences is recorded with its purpose.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.catalog.models import LicenseType
from tongban.core.identifiers import mask_id_number
from tongban.directory.models import Department


class HolderCodeType(models.TextChoices):
    """持证主体代码类型 (GB/T 36904); the same codes as the applicant's identity document."""

    RESIDENT_ID = "111", _("公民身份号码")
    RESIDENCE_PERMIT = "154", _("港澳台居民居住证")
    CREDIT_CODE = "001", _("统一社会信用代码")


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")
    EXPIRED = "expired", _("已过期")


class TrustLevel(models.TextChoices):
    A = "A", _("A级：发证机关签发，可直接使用")
    B = "B", _("B级：窗口核验，可复用")
    C = "C", _("C级：用户上传，须核验原件")
    D = "D", _("D级：用户承诺自制")


class ELicense(models.Model):
    identifier = models.CharField(_("证照标识"), max_length=120, unique=True, editable=False)
    license_type = models.ForeignKey(
        LicenseType, verbose_name=_("证照类型"), on_delete=models.PROTECT, related_name="licences"
    )
    number = models.CharField(_("证照编号"), max_length=64)
    holder_name = models.CharField(_("持证主体"), max_length=200)
    holder_code = models.CharField(_("持证主体代码"), max_length=18, db_index=True)
    holder_code_type = models.CharField(_("持证主体代码类型"), max_length=3, choices=HolderCodeType.choices)
    issuer = models.ForeignKey(Department, verbose_name=_("颁发机构"), on_delete=models.PROTECT, related_name="+")
    issue_date = models.DateField(_("颁发日期"))
    valid_from = models.DateField(_("有效期起始"))
    valid_until = models.DateField(_("有效期截止"), null=True, blank=True, help_text=_("为空表示长期有效"))
    region_code = models.CharField(_("属地编码"), max_length=6)
    status = models.CharField(_("证照状态"), max_length=16, choices=LicenceStatus.choices, default=LicenceStatus.VALID)
    trust_level = models.CharField(_("可信等级"), max_length=1, choices=TrustLevel.choices, default=TrustLevel.A)
    data = models.JSONField(_("照面信息"), default=dict, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issue_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["license_type", "number"], name="licence_number_unique")]
        indexes = [models.Index(fields=["holder_code", "status"])]

    def __str__(self):
        return f"{self.license_type.name} {self.number}"

    @property
    def masked_holder_code(self) -> str:
        """Personal numbers masked; credit codes are public."""
        return (
            self.holder_code
            if self.holder_code_type == HolderCodeType.CREDIT_CODE
            else mask_id_number(self.holder_code)
        )

    def is_usable(self, on: datetime.date | None = None) -> bool:
        """Valid on ``on`` (today): not revoked, not expired by status or by date."""
        on = on or timezone.localdate()
        return (
            self.status == LicenceStatus.VALID
            and self.valid_from <= on
            and (self.valid_until is None or self.valid_until >= on)
        )


class LicenceLookup(models.Model):
    """Every look-up of a holder's licences: who, whose, why (the case number when there is one), when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    holder_code = models.CharField(_("持证主体代码"), max_length=18)
    purpose = models.CharField(_("用途"), max_length=200)
    found = models.PositiveSmallIntegerField(_("查得证照数"), default=0)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("证照查询记录")
        verbose_name_plural = _("证照查询记录")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} {mask_id_number(self.holder_code)} {self.purpose}"
