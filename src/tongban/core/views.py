from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tongban.core.api.errors import api_not_found, error_body


def healthz(request):
    """Liveness and readiness: answers 200 only when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not ready"
        return JsonResponse({"status": "error", "database": "unavailable", "detail": str(exc)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return render(request, "core/404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", _("服务器内部错误，请稍后重试；问题已记录。")), status=500)
    return render(request, "core/500.html", status=500)


def permission_denied(request, exception=None):
    """Pages get the Chinese 403 page with the reason; the API keeps its JSON errors."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("permission_denied", _("您没有执行该操作的权限。")), status=403)
    message = str(exception) if exception and str(exception) else ""
    return render(request, "core/403.html", {"exception_message": message}, status=403)
