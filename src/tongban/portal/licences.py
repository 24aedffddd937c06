"""我的电子证照: the logged-in holder's own licences, whatever their status, each as a PDF."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.licences.documents import render_licence
from tongban.licences.services import own_licences


@login_required
def my_licences(request):
    today = timezone.localdate()
    licences = list(own_licences(request.user).order_by("-issue_date", "-id"))
    for licence in licences:
        licence.usable_today = licence.is_usable(today)
    return render(request, "portal/my_licences.html", {"nav": "licences", "licences": licences, "today": today})


@login_required
def licence_pdf(request, identifier):
    """Only the holder's own (someone else's licence is not found, like one that does not exist)."""
    licence = own_licences(request.user).filter(identifier=identifier).first()
    if licence is None:
        raise Http404(_("电子证照不存在。"))
    response = HttpResponse(render_licence(licence), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{licence.license_type.code}-{licence.number}.pdf"'
    return response
