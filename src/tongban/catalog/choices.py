"""Enumerations of the item catalog (GB/T 39554.1 elements, DESIGN §2 and §7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    LICENSING = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    ENFORCEMENT = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    BENEFIT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    REWARD = "08", _("行政奖励")
    ADJUDICATION = "09", _("行政裁决")
    OTHER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")


class ServiceObject(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人")
    BOTH = "both", _("自然人、法人")


class HandlingKind(models.TextChoices):
    IMMEDIATE = "immediate", _("即办件")
    PROMISED = "promised", _("承诺件")


class OnlineStage(models.IntegerChoices):
    CONSULT = 1, _("咨询")
    RECEIVE = 2, _("收件")
    PRE_REVIEW = 3, _("预审")
    ACCEPT = 4, _("受理")
    PROCESS = 5, _("办理")
    RESULT_FEEDBACK = 6, _("结果反馈")
    LICENSE_FEEDBACK = 7, _("电子证照反馈")


class Scope(models.TextChoices):
    LOCAL = "local", _("属地办理")
    CITY = "city", _("全市通办")
    PROVINCE = "province", _("全省通办")
    NATIONAL = "national", _("跨省通办")


class NegativeReason(models.IntegerChoices):
    ON_SITE_REQUIRED = 1, _("法律法规规定须到属地现场办理")
    CLASSIFIED = 2, _("涉密或敏感事项")
    NOT_DELEGABLE = 3, _("不宜下放或委托")
    REPORT_UPWARD = 4, _("须上报转报")
    CONSTRUCTION_LOCAL = 5, _("工程建设项目审批宜属地办理")
    REGION_SPECIFIC = 6, _("本地区特有事项")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已废止")


class SubItemKind(models.TextChoices):
    NEW = "new", _("新办")
    CHANGE = "change", _("变更")
    RENEW = "renew", _("延续")
    CANCEL = "cancel", _("注销")
    REISSUE = "reissue", _("补证")
    OTHER = "other", _("其他")


class MaterialForm(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    BOTH = "both", _("纸质、电子")


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("申请人自备")
    GOVERNMENT = "government", _("政府部门核发")
    INTERMEDIARY = "intermediary", _("中介机构出具")
    OTHER = "other", _("其他")


class Necessity(models.TextChoices):
    REQUIRED = "required", _("必要")
    OPTIONAL = "optional", _("非必要")
    DEFERRABLE = "deferrable", _("容缺")


class HolderKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人和其他组织")


class BundleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已废止")
