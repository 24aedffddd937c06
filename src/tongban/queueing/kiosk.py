"""取号机: a hall's self-service kiosk, a touch screen signed in as one of the hall's staff.

Visitors pick their item (the hall's most frequent ones, or found by name, pinyin or code) or a 一件事 the hall
takes in (one ticket for the items it starts at once), or give a code:
the 取号码 of a trip set off on the portal (a scanner reads its QR code), a booking number, or the ID number
of someone booked (a card reader types it). The slip shows the number, the people ahead
and a QR code of the ticket's page, to follow the queue on a phone; the kiosk then returns to its start.
"""

import datetime
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tongban.catalog.choices import BundleStatus
from tongban.catalog.models import Bundle
from tongban.catalog.search import item_index, normalize_query
from tongban.catalog.services import items_handled_at
from tongban.core.errors import ServiceError
from tongban.core.qr import qr_svg
from tongban.directory.models import ServicePoint
from tongban.queueing import services
from tongban.queueing.access import works_at
from tongban.queueing.models import Ticket
from tongban.queueing.ticket_status import ticket_status
from tongban.queueing.views import hall_or_404

SHOWN_ITEMS = 12
FREQUENT_DAYS = 28  # the items of the hall's tickets over these days come first
SLIP_SECONDS = 30  # the slip stays this long, then the kiosk is ready for the next visitor
KIOSK_RENEWED = "tongban-kiosk-renewed"  # session key: the day the kiosk's session was last renewed


class Choice(NamedTuple):
    code: str
    name: str


def _kiosk_hall(request, code: str) -> ServicePoint:
    point = hall_or_404(code)
    if not works_at(request.user, point):
        raise PermissionDenied
    _keep_signed_in(request)
    return point


def _keep_signed_in(request) -> None:
    """A kiosk in use stays signed in: once a day its session's lifetime starts again (Django's is two weeks
    from the last save), so only a kiosk left unused that long needs staff to sign it in."""
    today = timezone.localdate().isoformat()
    if request.session.get(KIOSK_RENEWED) != today:
        request.session[KIOSK_RENEWED] = today


def _frequent(point: ServicePoint, windows: list) -> list[Choice]:
    since = timezone.now() - datetime.timedelta(days=FREQUENT_DAYS)
    counts = (
        Ticket.objects.filter(service_point=point, issued_at__gte=since)
        .values("item_code")
        .annotate(n=Count("id"))
        .order_by("-n", "item_code")
    )
    items = list(filter(None, (item_index.version_in_force(row["item_code"]) for row in counts[: SHOWN_ITEMS * 2])))
    return [Choice(item.code, item.name) for item in items_handled_at(point, items, windows)][:SHOWN_ITEMS]


def _found(point: ServicePoint, windows: list, query: str, limit: int) -> list[Choice]:
    """Search hits the hall may take, checked a page of hits at a time until ``limit`` are found."""
    rows, found = item_index.search(query), []
    for start in range(0, len(rows), limit * 2):
        found += [Choice(r.code, r.name) for r in items_handled_at(point, rows[start : start + limit * 2], windows)]
        if len(found) >= limit:
            break
    return found[:limit]


def _bundles(point: ServicePoint, windows: list, query: str) -> list[Choice]:
    """Published 一件事 matching ``query`` (all without one) the hall may take: it handles every member (as
    ``recommendation.ranked_halls`` asks) and one of its windows takes in the members that start at once."""
    wanted = normalize_query(query)
    bundles = [
        bundle
        for bundle in Bundle.objects.filter(status=BundleStatus.PUBLISHED).prefetch_related("members").order_by("code")
        if wanted in bundle.search_text  # "" is in every one
    ]
    members = {m.item_code: item_index.version_in_force(m.item_code) for b in bundles for m in b.members.all()}
    handled = {item.code for item in items_handled_at(point, list(filter(None, members.values())), windows)}
    choices = []
    for bundle in bundles:
        starting = [members[m.item_code] for m in bundle.members.all() if not m.waits_for]
        if (
            starting
            and all(m.item_code in handled for m in bundle.members.all())
            and any(w.serves_all(starting) for w in windows)
        ):
            choices.append(Choice(bundle.code, bundle.name))
    return choices[:SHOWN_ITEMS]


def _start(request, point: ServicePoint, *, error: str = "", status: int = 200):
    query = request.GET.get("q", "").strip()
    windows = list(point.windows.filter(is_active=True))
    if query:
        choices = _found(point, windows, query, SHOWN_ITEMS * 2)
    else:  # the hall's frequent items; a hall with no tickets yet shows the first it takes
        choices = _frequent(point, windows) or _found(point, windows, "", SHOWN_ITEMS)
    context = {
        "point": point,
        "query": query,
        "choices": choices,
        "bundles": _bundles(point, windows, query),
        "error": error,
        "slip_seconds": SLIP_SECONDS,
        "check_in": services.CHECK_IN_HOURS,
    }
    return render(request, "queueing/kiosk.html", context, status=status)


@login_required
def kiosk(request, code):
    return _start(request, _kiosk_hall(request, code))


@login_required
@require_POST
def take(request, code):
    """A walk-in ticket for the item or 一件事 chosen, or the booked or referred visitor's ticket."""
    point = _kiosk_hall(request, code)
    try:
        if "booking" in request.POST:
            ticket = services.arrive_at(point, request.POST["booking"], by=request.user)
        else:
            ticket = services.issue_ticket(
                by=request.user,
                point_code=point.code,
                item_code=request.POST.get("item", ""),
                bundle_code=request.POST.get("bundle", ""),
            )
    except ServiceError as exc:
        return _start(request, point, error=exc.message, status=exc.status)
    return redirect("queueing:kiosk-slip", code=point.code, number=ticket.number)


@login_required
def slip(request, code, number):
    point = _kiosk_hall(request, code)
    ticket = Ticket.objects.filter(service_point=point, day=timezone.localdate(), number=number.upper()).first()
    if ticket is None:
        return redirect("queueing:kiosk", code=point.code)
    follow = request.build_absolute_uri(reverse("queueing:ticket", args=[point.code, ticket.number]))
    context = {
        "point": point,
        "ticket": ticket,
        "status": ticket_status(ticket),
        "qr": qr_svg(follow),
        "follow": follow,
        "slip_seconds": SLIP_SECONDS,
    }
    return render(request, "queueing/kiosk_slip.html", context)
