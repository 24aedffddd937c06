"""现在去办 for an item or a 一件事: where the applicant is → the halls that can still take them today, by
travel + wait → set off.

The ranking is ``queueing.recommendation.ranked_halls`` for someone going now (the one the recommendation
API runs), with the hall the recommender would send them to marked; choosing a hall is
``recommendation.set_off``, which counts the person on their way there (so the next person's prediction
counts them) and gives them a 取号码: shown as a QR code, it takes their ticket at the hall's kiosk.
"""

import random

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.appointments.services import Visit, visit_of
from tongban.core.errors import NotFound, ServiceError
from tongban.core.qr import qr_svg
from tongban.portal.booking import SHOWN_HALLS, in_force_or_404
from tongban.portal.places import located_regions, whereabouts
from tongban.queueing import policy
from tongban.queueing.models import Referral, Ticket
from tongban.queueing.recommendation import ranked_halls, set_off
from tongban.queueing.services import planned_visit


def go_item(request, code):
    item = in_force_or_404(code)
    return _going(request, Visit(item))


def go_bundle(request, code):
    """The bundle's items that start at once, taken in together at one window (一窗受理) today."""
    try:
        visit = visit_of(bundle_code=code)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return _going(request, visit)


def _going(request, visit: Visit):
    params = request.GET
    context = {"nav": "search", "error": "", "places": located_regions(), **_about(visit)}
    here = whereabouts(params.get("place", ""), params.get("lat", ""), params.get("lng", ""))
    context["here"] = here
    if here is None:
        return render(request, "portal/go.html", context)
    asked = _asked(visit)
    if request.method == "POST":
        trip = _set_off(request, asked, here, context)
        if trip is not None:
            return redirect("portal:trip", token=trip.token)
    try:
        ranking = ranked_halls(region_code=here.region.code, lat=here.lat, lng=here.lng, going_now=True, **asked)
    except ServiceError as exc:
        context["error"] = exc.message
        return render(request, "portal/go.html", context)
    options = ranking.options[:SHOWN_HALLS]
    chosen = policy.choose(options, random.Random())
    by_code = {p.code: p for p in ranking.points}
    context.update(
        halls=[(option, by_code[option.hall.code]) for option in options],
        chosen=chosen,
        reason=policy.reason_for(chosen, ranking.options) if chosen else "",
        where=here.query,
        none_open=not options,
    )
    return render(request, "portal/go.html", context)


def _asked(visit: Visit) -> dict:
    return {"bundle_code": visit.bundle.code} if visit.bundle else {"item_code": visit.item.code}


def _about(visit: Visit) -> dict:
    """What the pages say the trip is for, and where they lead: the guide, going now, booking."""
    if visit.bundle:
        subject, code, views = visit.bundle.name, visit.bundle.code, ("bundle", "go_bundle", "book_bundle")
    else:
        subject, code, views = visit.item.name, visit.item.code, ("item", "go", "book")
    guide_url, go_url, book_url = (reverse(f"portal:{view}", args=[code]) for view in views)
    return {
        "subject": subject,
        "guide_url": guide_url,
        "go_url": go_url,
        "book_url": book_url,
        "visit_items": [item.name for item in (visit.item, *visit.along_with)],
    }


def _set_off(request, asked: dict, here, context: dict) -> Referral | None:
    if not request.user.is_authenticated:
        context["error"] = _("请先登录再出发取号。")
        return None
    try:
        trip = set_off(
            by=request.user,
            region_code=here.region.code,
            lat=here.lat,
            lng=here.lng,
            point_code=request.POST.get("hall", ""),
            **asked,
        )
    except ServiceError as exc:
        context["error"] = exc.message
        return None
    messages.success(request, _("已为您选定%s，请出发。到厅后在取号机扫描取号码取号。") % trip.service_point.name)
    return trip


@login_required
def trip(request, token):
    """The trip's 取号码 (QR code and text), until the person takes their ticket with it."""
    referral = get_object_or_404(Referral.objects.select_related("service_point"), token=token, created_by=request.user)
    ticket = Ticket.objects.filter(referral=referral).first()
    if ticket is not None:
        return redirect("queueing:ticket", code=ticket.service_point.code, number=ticket.number)
    code = referral.token.upper()
    try:
        about = _about(planned_visit(referral.item_code, referral.bundle_code))
    except NotFound:  # the item was withdrawn since
        about = {"subject": "", "go_url": reverse("portal:search")}
    context = {
        "nav": "bookings",
        "trip": referral,
        "code": " ".join(code[i : i + 4] for i in range(0, len(code), 4)),
        "qr": qr_svg(code),
        "expired": referral.expires_at <= timezone.now(),
        **about,
    }
    return render(request, "portal/trip.html", context)
