"""预约办理: where the applicant is → the halls recommended for the item or bundle → a free slot → booked.

The halls come from ``queueing.recommendation.ranked_halls`` (the ranking the recommendation API
runs), the slots from ``appointments.services.availability``; booking, cancelling, rescheduling and
checking in go through ``appointments.services`` and ``queueing.services``, which check whose
booking it is, the limit of open bookings and the slot. The pages only ask and show.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.appointments import services as appointments
from tongban.appointments.choices import BookingStatus
from tongban.appointments.models import Booking
from tongban.catalog.models import Bundle, Item
from tongban.catalog.services import item_in_force
from tongban.core.errors import InvalidInput, NotFound, ServiceError
from tongban.directory.models import ServicePoint
from tongban.portal.places import located_regions, whereabouts
from tongban.queueing import services as queueing
from tongban.queueing.models import Referral, Ticket
from tongban.queueing.recommendation import ranked_halls

SHOWN_HALLS = 5
SHOWN_DAYS = 7


def in_force_or_404(code: str) -> Item:
    try:
        return item_in_force(code.upper())
    except NotFound as exc:
        raise Http404(exc.message) from None


def book_item(request, code):
    item = in_force_or_404(code)
    return _booking(request, subject=item.name, back=reverse("portal:item", args=[item.code]), lead=item, item=item)


def book_bundle(request, code):
    """One visit for the bundle's items that start at once: a window takes them in together (一窗受理)."""
    try:
        visit = appointments.visit_of(bundle_code=code)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return _booking(
        request,
        subject=visit.bundle.name,
        back=reverse("portal:bundle", args=[visit.bundle.code]),
        lead=visit.item,
        along_with=list(visit.along_with),
        bundle=visit.bundle,
    )


def _booking(
    request,
    *,
    subject: str,
    back: str,
    lead: Item,
    item: Item | None = None,
    bundle: Bundle | None = None,
    along_with: list[Item] | None = None,
):
    """One page, three steps in its address: ``place`` (or ``lat``/``lng``), then ``hall``, then ``day``."""
    params = request.GET
    context = {"nav": "search", "subject": subject, "back": back, "lead": lead, "bundle": bundle, "error": ""}
    context["visit_items"] = [i.name for i in [lead, *(along_with or [])]]
    here = whereabouts(params.get("place", ""), params.get("lat", ""), params.get("lng", ""))
    context.update(places=located_regions(), here=here)
    if here is None:
        return render(request, "portal/book.html", context)
    try:
        _visit, points, _snapshots, options = ranked_halls(
            region_code=here.region.code,
            lat=here.lat,
            lng=here.lng,
            item_code=item.code if item else "",
            bundle_code=bundle.code if bundle else "",
        )
    except ServiceError as exc:
        context["error"] = exc.message
        return render(request, "portal/book.html", context)
    hall = next((p for p in points if p.code == params.get("hall")), None)
    shown = options[:SHOWN_HALLS]
    if hall is not None and all(o.hall.code != hall.code for o in shown):
        shown += [o for o in options if o.hall.code == hall.code]  # chosen from further down: still shown
    by_code = {p.code: p for p in points}
    context.update(halls=[(option, by_code[option.hall.code]) for option in shown], where=here.query)
    if not options:
        context["error"] = _("附近暂无可办理该事项的开放大厅，请查看办事指南中的办理地点。")
    if hall is None:
        return render(request, "portal/book.html", context)
    context["hall"] = hall
    if request.method == "POST":
        booked = _book(request, lead, here.region.code, hall, context, bundle)
        if booked is not None:
            return redirect("portal:my_booking", number=booked.number)
    context.update(_slots(hall, lead, params.get("day", ""), along_with or []))
    return render(request, "portal/book.html", context)


def _open_days(point: ServicePoint) -> list[datetime.date]:
    settings = appointments.booking_settings(point)
    today = timezone.localdate()
    days = (today + datetime.timedelta(days=n) for n in range(settings.days_ahead + 1))
    return [day for day in days if appointments.slot_starts(point, day, settings.slot_minutes)][:SHOWN_DAYS]


def _slots(hall: ServicePoint, item: Item, chosen: str, along_with: list[Item]) -> dict:
    """The hall's next open days and the chosen day's slots (the first day with a free one by default),
    for a visit for ``item`` and ``along_with`` it (a bundle's other items)."""
    point = appointments.service_point(hall.code)  # with its windows and opening hours
    days = _open_days(point)
    wanted = next((d for d in days if d.isoformat() == chosen), None)
    try:
        for day in [wanted] if wanted else days:
            slots = appointments.availability(point, item, day, along_with=along_with)
            if wanted or any(s.free for s in slots):
                return {"days": days, "day": day, "slots": slots}
    except ServiceError as exc:
        return {"days": [], "slots_error": exc.message}
    return {"days": days, "day": days[0] if days else None, "slots": []}


def _book(
    request, item: Item, region_code: str, hall: ServicePoint, context: dict, bundle: Bundle | None
) -> Booking | None:
    if not request.user.is_authenticated:
        context["error"] = _("请先登录再预约。")
        return None
    applicant = getattr(request.user, "applicant", None)
    if applicant is None:
        context["error"] = _("请使用已实名认证的申请人账号预约，或到窗口由工作人员代为预约。")
        return None
    try:
        booking = appointments.book(
            by=request.user,
            applicant=applicant,
            item_code="" if bundle else item.code,
            bundle_code=bundle.code if bundle else "",
            region_code=region_code,
            point_code=hall.code,
            starts_at=_starts_at(request.POST.get("starts_at", "")),
        )
    except ServiceError as exc:
        context["error"] = exc.message
        return None
    messages.success(request, _("预约成功，预约号 %s。请按时到场取号。") % booking.number)
    return booking


def _starts_at(value: str) -> datetime.datetime:
    starts = parse_datetime(value)
    if starts is None or timezone.is_naive(starts):
        raise InvalidInput(_("所选时间不是可预约的时段。"), code="invalid_slot")
    return starts


# --- 我的预约 ------------------------------------------------------------------------------------

BOOKING_RELATED = ("service_point", "rescheduled_to", "department")


def _mine(request, number: str) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related(*BOOKING_RELATED), number=number, applicant__user=request.user
    )


@login_required
def my_bookings(request):
    bookings = list(Booking.objects.filter(applicant__user=request.user).select_related(*BOOKING_RELATED)[:200])
    now = timezone.now()
    upcoming = [b for b in bookings if b.status == BookingStatus.BOOKED and b.ends_at > now]
    past = sorted((b for b in bookings if b not in upcoming), key=lambda b: b.starts_at, reverse=True)
    trips = Referral.objects.filter(created_by=request.user, arrived_at__isnull=True, expires_at__gt=now)
    context = {
        "nav": "bookings",
        "trips": trips.select_related("service_point"),  # 现在去办 on the way
        "upcoming": upcoming,
        "past": past,
        "limit": appointments.MAX_OPEN_BOOKINGS,
    }
    return render(request, "portal/my_bookings.html", context)


def _check_in_open(booking: Booking, now: datetime.datetime) -> bool:
    starts = booking.starts_at
    return (
        booking.status == BookingStatus.BOOKED
        and starts - appointments.CHECK_IN_EARLY <= now <= starts + appointments.CHECK_IN_LATE
    )


@login_required
def my_booking(request, number):
    booking = _mine(request, number)
    ticket = Ticket.objects.filter(booking=booking).select_related("rating").first()
    now = timezone.now()
    return render(
        request,
        "portal/my_booking.html",
        {
            "nav": "bookings",
            "booking": booking,
            "ticket": ticket,
            "ticket_today": ticket is not None and ticket.day == timezone.localdate(now),
            "open": booking.status == BookingStatus.BOOKED and booking.ends_at > now,
            "check_in_open": _check_in_open(booking, now),
            "check_in_from": booking.starts_at - appointments.CHECK_IN_EARLY,
            "check_in": queueing.CHECK_IN_HOURS,
        },
    )


@login_required
@require_POST
def cancel_booking(request, number):
    booking = _mine(request, number)
    try:
        cancelled = appointments.cancel(booking, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        reopens = timezone.localtime(cancelled.holds.values_list("reopens_at", flat=True).first() or timezone.now())
        messages.success(
            request,
            _("预约 %(number)s 已取消。为防止号源倒卖，该时段将于 %(time)s 后重新开放预约。")
            % {"number": cancelled.number, "time": f"{reopens:%H:%M}"},
        )
    return redirect("portal:my_booking", number=booking.number)


@login_required
def reschedule_booking(request, number):
    booking = _mine(request, number)
    if booking.status != BookingStatus.BOOKED:
        messages.info(request, _("预约当前状态为“%s”，不能改约。") % booking.get_status_display())
        return redirect("portal:my_booking", number=booking.number)
    try:
        visit = appointments.visit_of(item_code=booking.item_code, bundle_code=booking.bundle_code)
    except NotFound as exc:  # the item or bundle is no longer offered: the booking stands, it cannot move
        messages.info(request, exc.message)
        return redirect("portal:my_booking", number=booking.number)
    context = {"nav": "bookings", "booking": booking, "hall": booking.service_point, "error": ""}
    if request.method == "POST":
        try:
            moved = appointments.reschedule(
                booking, by=request.user, starts_at=_starts_at(request.POST.get("starts_at", ""))
            )
        except ServiceError as exc:
            context["error"] = exc.message
        else:
            messages.success(
                request,
                _("已改约到 %(time)s，新预约号 %(number)s。")
                % {
                    "time": f"{timezone.localtime(moved.starts_at):%m-%d %H:%M}",
                    "number": moved.number,
                },
            )
            return redirect("portal:my_booking", number=moved.number)
    context.update(_slots(booking.service_point, visit.item, request.GET.get("day", ""), list(visit.along_with)))
    return render(request, "portal/reschedule.html", context)


@login_required
@require_POST
def check_in(request, number):
    """到场取号 from the applicant's phone at the hall: their ticket is called at the slot, before walk-ins."""
    booking = _mine(request, number)
    try:
        ticket = queueing.check_in(booking.number, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("portal:my_booking", number=booking.number)
    messages.success(request, _("取号成功，您的号码是 %s。请留意叫号。") % ticket.number)
    return redirect("queueing:ticket", code=ticket.service_point.code, number=ticket.number)
