"""好差评 after the service: the applicant rates a completed case or a finished visit at a window.

``ratings.services`` decides (whose it is, completed, once only, a reason for a bad rating); the
page keeps what was typed when it refuses.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.cases.models import Case
from tongban.core.errors import ServiceError
from tongban.core.forms import show_service_error
from tongban.queueing.models import Ticket
from tongban.ratings import services
from tongban.ratings.choices import Level
from tongban.ratings.models import Rating


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=gettext_lazy("您对本次服务的评价"), choices=Level.choices, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=gettext_lazy("评价内容"),
        required=False,
        max_length=services.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("选择“不满意”或“非常不满意”时必填；我们将在规定的工作日内回访并整改。"),
    )


def _rate(request, *, subject, rated: Rating | None, back: str, submit):
    form = RatingForm(request.POST or None)
    if rated is None and request.method == "POST" and form.is_valid():
        try:
            rating = submit(level=form.cleaned_data["level"], comment=form.cleaned_data["comment"])
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            if rating.is_bad:
                messages.success(
                    request,
                    _("感谢您的评价。我们将于 %s 前回访并告知整改情况。") % f"{rating.follow_up.due_on:%Y-%m-%d}",
                )
            else:
                messages.success(request, _("感谢您的评价！"))
            return redirect(back)
    return render(
        request, "portal/rate.html", {"nav": "my", "form": form, "subject": subject, "rated": rated, "back": back}
    )


@login_required
def rate_case(request, number):
    case = get_object_or_404(Case.objects.select_related("item"), number=number, applicant__user=request.user)
    return _rate(
        request,
        subject=case.item.name,
        rated=Rating.objects.filter(case=case).first(),
        back=reverse("portal:my_case", args=[case.number]),
        submit=lambda **answer: services.rate_case(case.number, by=request.user, **answer),
    )


@login_required
def rate_ticket(request, pk):
    ticket = get_object_or_404(Ticket.objects.select_related("service_point"), pk=pk, applicant__user=request.user)
    today = ticket.day == timezone.localdate()
    return _rate(
        request,
        subject=ticket.item_name,
        rated=Rating.objects.filter(ticket=ticket).first(),
        back=reverse("queueing:ticket", args=[ticket.service_point.code, ticket.number])
        if today
        else reverse("portal:my_bookings"),
        submit=lambda **answer: services.rate_ticket(ticket.pk, by=request.user, **answer),
    )
