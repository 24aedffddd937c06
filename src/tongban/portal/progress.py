"""Progress by case number and identity number, without logging in (the QR code on every slip).

A wrong pair gets one neutral message whichever part was wrong, and failed tries are limited per
address and per case number so neither can be guessed by trying.
"""

from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.cases.models import Case
from tongban.core.identifiers import normalize
from tongban.portal.application import HIDDEN_ACTIONS
from tongban.portal.forms import ProgressForm

MAX_FAILURES = 10
FAILURE_WINDOW_SECONDS = 600


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _failure_keys(request, number: str) -> list[str]:
    return [f"tongban:progress-fail:ip:{_client_address(request)}", f"tongban:progress-fail:case:{number}"]


def _blocked(keys: list[str]) -> bool:
    return any((cache.get(key) or 0) >= MAX_FAILURES for key in keys)


def _count_failure(keys: list[str]) -> None:
    for key in keys:
        cache.add(key, 0, FAILURE_WINDOW_SECONDS)
        cache.incr(key)


@require_http_methods(["GET", "POST"])
def progress(request, number=""):
    form = ProgressForm(request.POST or None, initial={"number": number})
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"].strip().upper()
        keys = _failure_keys(request, number)
        if _blocked(keys):
            form.add_error(None, _("查询失败次数过多，请 10 分钟后再试。"))
        else:
            case = (
                Case.objects.select_related("item", "sub_item", "department", "service_point")
                .filter(number=number, applicant__id_number=normalize(form.cleaned_data["id_number"]))
                .first()
            )
            if case is not None:
                return render(request, "portal/progress_result.html", _result(case))
            _count_failure(keys)
            form.add_error(None, _("未找到与该办件编号和证件号码相符的办件，请核对后重试。"))
    return render(request, "portal/progress.html", {"nav": "progress", "form": form})


def _result(case: Case) -> dict:
    return {
        "nav": "progress",
        "case": case,
        "events": case.events.exclude(action__in=HIDDEN_ACTIONS).select_related("service_point"),
        "notice": case.notices.order_by("-issued_at", "-id").first(),
    }
