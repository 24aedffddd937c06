"""Every API error is JSON ``{"code", "message", "details"}`` with a Chinese message."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tongban.core.errors import ServiceError

# DRF exception class → (stable code, Chinese message). Field-level details come from DRF.
_DRF_ERRORS = {
    exceptions.ValidationError: ("invalid", gettext_noop("提交的数据有误，请按提示修改。")),
    exceptions.ParseError: ("malformed_request", gettext_noop("请求内容无法解析，请检查 JSON 格式。")),
    exceptions.NotAuthenticated: ("not_authenticated", gettext_noop("请先登录或提供有效的访问令牌。")),
    exceptions.AuthenticationFailed: ("authentication_failed", gettext_noop("身份认证失败，令牌无效或已过期。")),
    exceptions.PermissionDenied: ("permission_denied", gettext_noop("您没有执行此操作的权限。")),
    exceptions.NotFound: ("not_found", gettext_noop("未找到请求的资源。")),
    exceptions.MethodNotAllowed: ("method_not_allowed", gettext_noop("不支持该请求方法。")),
    exceptions.NotAcceptable: ("not_acceptable", gettext_noop("无法提供所请求的响应格式。")),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", gettext_noop("不支持该请求内容类型。")),
    exceptions.Throttled: ("throttled", gettext_noop("请求过于频繁，请稍后再试。")),
}


def error_body(code: str, message: str, details=None) -> dict:
    return {"code": code, "message": message, "details": details or {}}


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(error_body("invalid", _("提交的数据有误，请按提示修改。"), details), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    for exc_class in type(exc).__mro__:
        if exc_class in _DRF_ERRORS:
            code, message = _DRF_ERRORS[exc_class]
            break
    else:
        code, message = "error", str(getattr(exc, "detail", exc))
    details = response.data if isinstance(exc, exceptions.ValidationError) else {}
    if isinstance(details, list):
        details = {"non_field_errors": details}
    response.data = error_body(code, _(message), details)
    return response


def api_not_found(request, exception=None):
    """JSON 404 for unknown paths under /api/ (pages get Django's HTML one)."""
    return JsonResponse(error_body("not_found", _("未找到请求的资源。")), status=status.HTTP_404_NOT_FOUND)
