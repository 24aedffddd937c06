"""Enumerations of cases, applicants and grants (DESIGN §2–3), with Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人和其他组织")


class IdType(models.TextChoices):
    RESIDENT_ID = "111", _("公民身份号码")
    RESIDENCE_PERMIT = "154", _("港澳台居民居住证")
    CREDIT_CODE = "001", _("统一社会信用代码")


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口受理")
    ONLINE = "online", _("网上申请")
    PROXY = "proxy", _("村（社区）代办")


class HandlingMode(models.TextChoices):
    LOCAL = "local", _("属地办理")
    FULL_ONLINE = "full_online", _("全程网办")
    ACCEPT_REVIEW_SEPARATED = "accept_review_separated", _("受审分离（异地受理、远程办理）")
    RECEIVE_ACCEPT_SEPARATED = "receive_accept_separated", _("收受分离（异地收件、远程受理）")
    MULTI_PLACE = "multi_place", _("多地联办")


class State(models.TextChoices):
    SUBMITTED = "submitted", _("已提交，待预审")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("已一次性告知，待补正")
    SUPPLEMENTED = "supplemented", _("已补正，待受理")
    ACCEPTED = "accepted", _("已受理")
    REFUSED = "refused", _("不予受理")
    IN_REVIEW = "in_review", _("审查中")
    SUSPENDED = "suspended", _("中止（特别程序）")
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")
    RESULT_READY = "result_ready", _("结果已出具")
    DELIVERED = "delivered", _("已送达")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("申请人撤回")
    WAITING = "waiting", _("等待前置事项办结")
    CANCELLED = "cancelled", _("前置事项未获准予，终止办理")
    REVOKED = "revoked", _("核查不实，已撤销许可")


class Action(models.TextChoices):
    SUBMIT = "submit", _("提交申请")
    ACCEPT = "accept", _("受理")
    REQUEST_SUPPLEMENT = "request_supplement", _("一次性告知补正")
    SUPPLEMENT = "supplement", _("补正材料")
    REFUSE = "refuse", _("不予受理")
    START_REVIEW = "start_review", _("开始审查")
    REVIEW = "review", _("完成审查环节")
    APPROVE = "approve", _("准予许可")
    DENY = "deny", _("不予许可")
    APPROVE_IMMEDIATELY = "approve_immediately", _("即办件当场受理并办结")
    SUSPEND = "suspend", _("中止")
    RESUME = "resume", _("恢复")
    EXTEND = "extend", _("延长办理期限")
    MAKE_RESULT = "make_result", _("出具办理结果")
    DELIVER = "deliver", _("送达结果")
    CLOSE = "close", _("办结归档")
    WITHDRAW = "withdraw", _("撤回申请")
    SUPPLY_DEFERRED = "supply_deferred", _("补交容缺材料")
    ATTACH = "attach", _("上传材料附件")
    AUTO_APPROVE = "auto_approve", _("系统秒批：受理并准予")
    APPROVE_BY_COMMITMENT = "approve_by_commitment", _("告知承诺：当场受理并准予")
    POST_CHECK = "post_check", _("告知承诺事后核查")
    START = "start", _("前置事项已准予，开始办理")
    CANCEL = "cancel", _("前置事项未获准予，终止办理")
    # system and bookkeeping events that do not change the state
    DEEMED_ACCEPTED = "deemed_accepted", _("逾期未告知，视为受理（行政许可法第三十二条）")
    DEEMED_ACCEPTANCE_WARNING = "deemed_acceptance_warning", _("明日将视为受理的预警")
    AUTO_CHECK = "auto_check", _("秒批规则未全部通过，转人工办理")
    LICENCE_REVOKED = "licence_revoked", _("签发的电子证照被撤销")


class SuspensionReason(models.TextChoices):
    """行政许可法 art. 45: time that does not count towards the limit."""

    HEARING = "hearing", _("听证")
    INSPECTION = "inspection", _("检验")
    TESTING = "testing", _("检测")
    QUARANTINE = "quarantine", _("检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    TENDER_AUCTION = "tender_auction", _("招标、拍卖")
    ON_SITE_CHECK = "on_site_check", _("现场核查")


class MaterialStatus(models.TextChoices):
    PROVIDED = "provided", _("已提交")
    MISSING = "missing", _("缺少")
    FAULTY = "faulty", _("不符合要求")
    DEFERRED = "deferred", _("容缺后补")
    COMMITTED = "committed", _("以告知承诺替代，事后核查")


class Right(models.TextChoices):
    """授权信任 rights a department grants a service point (DESIGN §3)."""

    RECEIVE_ACCEPT = "receive_accept", _("异地收件受理权")
    ONE_TIME_NOTICE = "one_time_notice", _("一次性告知权")
    VERIFY_ORIGINALS = "verify_originals", _("原件核验权")
    DELIVER_RESULT = "deliver_result", _("审批结果送达权")


class BundleCaseState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("办理中")
    COMPLETED = "completed", _("全部办结")
    PARTLY_FAILED = "partly_failed", _("已办结，部分事项未获准予")


class PostCheckStatus(models.TextChoices):
    PENDING = "pending", _("待核查")
    PASSED = "passed", _("核查属实")
    FAILED = "failed", _("核查不实")
