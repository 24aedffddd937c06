"""The queue at the windows: take a ticket, open a window, call, recall, start, finish, no-show, transfer.

Each operation runs in one transaction, checks that the clerk sits at a window of that hall, and
writes a ``TicketEvent``. Calls take a ticket with a conditional update, so two windows calling at
once never get the same ticket.
"""

import datetime
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.appointments.choices import BookingAction, BookingStatus
from tongban.appointments.eligibility import eligible_points, owning_department
from tongban.appointments.models import Booking, BookingEvent
from tongban.appointments.services import CHECK_IN_EARLY, CHECK_IN_LATE, Visit, opening_periods, visit_of
from tongban.cases.models import Applicant, IdentityAccess
from tongban.cases.permissions import actor_of
from tongban.catalog.models import Item
from tongban.catalog.services import item_in_force, service_points_for_item
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.core.identifiers import normalize, validate_credit_code, validate_resident_id
from tongban.directory.models import ServicePoint, Window
from tongban.directory.roles import Role
from tongban.queueing import policy
from tongban.queueing.access import works_at
from tongban.queueing.choices import TicketAction, TicketKind, TicketStatus
from tongban.queueing.models import Referral, Ticket, TicketEvent, TicketSequence, WindowSession, start_of_day
from tongban.queueing.service_times import service_group_of

TICKET_PREFIX = {TicketKind.WALK_IN: "A", TicketKind.BOOKED: "Y"}
TICKETS_BEFORE_OPENING = datetime.timedelta(hours=1)
REFERRAL_CODE = re.compile(r"[0-9A-F]{16}")  # a Referral token as typed or scanned
CARD_MISSES, CARD_MISS_SECONDS = 10, 600  # card lookups finding nothing, per kiosk account and window
CARD_LOOKUP = "取号机凭证件号码到场取号"  # the audit row's purpose: data, in Chinese whatever the page's language
# For messages: check-in opens this many hours before a slot and closes this many minutes after it begins.
CHECK_IN_HOURS = {
    "early": int(CHECK_IN_EARLY.total_seconds() // 3600),
    "late": int(CHECK_IN_LATE.total_seconds() // 60),
}
BOOKING_NUMBER = re.compile(r"YY\d{6}[0-9A-F]{8}")  # appointments.services._new_number


def service_point(code: str) -> ServicePoint:
    point = ServicePoint.objects.filter(code=code, is_active=True).first()
    if point is None:
        raise NotFound(_("服务网点 %s 不存在或已关闭。") % code, code="service_point_not_found")
    return point


def _log(ticket: Ticket, action: TicketAction, by, at: datetime.datetime, window: Window | None = None, **data):
    TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        window=window,
        actor=by if by is not None and by.is_authenticated else None,
        at=at,
        data=data,
    )


def _next_sequence(point: ServicePoint, day: datetime.date) -> int:
    sequence, _created = TicketSequence.objects.select_for_update().get_or_create(service_point=point, day=day)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def _new_ticket(
    *, point, visit: Visit, kind, by, now, applicant=None, booking=None, referral=None, due_at=None
) -> Ticket:
    day = timezone.localdate(now)
    sequence = _next_sequence(point, day)
    ticket = Ticket.objects.create(
        service_point=point,
        day=day,
        sequence=sequence,
        number=f"{TICKET_PREFIX[kind]}{sequence:03d}",
        kind=kind,
        item_code=visit.item.code,
        item_name=visit.item.name,
        authority_kind=visit.item.authority_kind,
        service_group=service_group_of(visit.item),
        applicant=applicant,
        booking=booking,
        referral=referral,
        due_at=due_at or now,
        issued_at=now,
        along_with=[[other.code, other.authority_kind] for other in visit.along_with],
        bundle_code=visit.bundle.code if visit.bundle else "",
    )
    _log(ticket, TicketAction.ISSUE, by, now, kind=kind)
    return ticket


def issue_ticket(
    *, by, point_code: str, item_code: str = "", bundle_code: str = "", region_code: str = "", referral_token: str = ""
) -> Ticket:
    """取号 at a hall for an item, or for a 一件事's items that start at once, that it can handle (for the
    applicant's jurisdiction, when given)."""
    if bool(item_code) == bool(bundle_code):
        raise InvalidInput(_("请指定一个事项或一件事。"), code="item_or_bundle_required")
    point = service_point(point_code)
    visit = visit_of(item_code=item_code, bundle_code=bundle_code)
    return _walk_in(point, visit, by=by, region_code=region_code, referral_token=referral_token)


@transaction.atomic
def _walk_in(point: ServicePoint, visit: Visit, *, by, region_code: str = "", referral_token: str = "") -> Ticket:
    for item in case_items(visit):
        if region_code:
            allowed = eligible_points(item, owning_department(item, region_code))
        else:
            allowed = service_points_for_item(item)
        if point not in allowed:
            raise Forbidden(
                _("%(point)s不能办理“%(item)s”，请到可办理的网点取号。") % {"point": point.name, "item": item.name},
                code="point_not_eligible",
                details={"service_points": [{"code": p.code, "name": p.name} for p in allowed[:10]]},
            )
    now = timezone.now()
    if settings.TICKETS_IN_OPENING_HOURS:
        _check_taking_tickets(point, now)
    at_the_hall = works_at(by, point)
    if referral_token:
        referral = _arriving(referral_token, point, by, now, at_the_hall)
    elif by.is_authenticated and not at_the_hall:  # their own ticket, e.g. in an app, without the trip's code
        referral = _trip_ending_here(by, point, now)
    else:
        referral = None
    # A ticket the hall's staff or kiosk takes is a visitor's, never their own.
    applicant = None if at_the_hall or not by.is_authenticated else getattr(by, "applicant", None)
    if referral is not None and referral.created_by_id:  # set off from the portal: the ticket is theirs
        applicant = Applicant.objects.filter(user_id=referral.created_by_id).first()
    return _new_ticket(
        point=point,
        visit=_taken_in_whole(point, visit),
        kind=TicketKind.WALK_IN,
        by=by,
        now=now,
        applicant=applicant,
        referral=referral,
    )


def _arriving(token: str, point: ServicePoint, by, now: datetime.datetime, at_the_hall: bool) -> Referral | None:
    """The referral a ticket ends, marked arrived; None (an ordinary walk-in) when it is another hall's, used,
    expired, or a portal trip of someone else presented by anyone but the hall's staff."""
    referral = Referral.objects.select_for_update().filter(token=token, service_point=point).first()
    if referral is None or referral.arrived_at is not None or referral.expires_at <= now:
        return None
    if referral.created_by_id not in (None, by.pk) and not at_the_hall:
        return None
    referral.arrived_at = now
    referral.save(update_fields=["arrived_at"])
    return referral


def _open_trips_of(user, now: datetime.datetime):
    """The user's 现在去办 trips still counted on the way, their user row locked: one trip at a time, even when
    two requests come at once."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    return Referral.objects.filter(created_by=user, arrived_at__isnull=True, expires_at__gt=now)


def end_trips_of(user, now: datetime.datetime) -> None:
    _open_trips_of(user, now).update(expires_at=now)


def _trip_ending_here(user, point: ServicePoint, now: datetime.datetime) -> Referral | None:
    """Someone on a trip takes their own ticket without its code: the trip here ends with the ticket, one to
    another hall is given up, so neither counts them on the way any more."""
    trips = _open_trips_of(user, now)
    here = trips.filter(service_point=point).order_by("-created_at").first()
    if here is not None:
        here.arrived_at = now
        here.save(update_fields=["arrived_at"])
    trips.update(expires_at=now)  # the others: ``here`` has arrived
    return here


def _check_taking_tickets(point: ServicePoint, now: datetime.datetime) -> None:
    """Tickets are taken on a day the point opens, from ``TICKETS_BEFORE_OPENING`` before it opens until it closes."""
    today = timezone.localdate(now)
    periods = opening_periods(point, today)
    if not periods:
        raise Conflict(_("%s今天不办公，请在办公日取号或预约。") % point.name, code="hall_closed")
    first = timezone.make_aware(datetime.datetime.combine(today, min(opens for opens, _ in periods)))
    start = first - TICKETS_BEFORE_OPENING
    last = timezone.make_aware(datetime.datetime.combine(today, max(closes for _, closes in periods)))
    if not start <= now < last:
        hours = {"point": point.name, "from": f"{timezone.localtime(start):%H:%M}", "to": f"{last:%H:%M}"}
        raise Conflict(_("%(point)s今天的取号时间为 %(from)s 至 %(to)s。") % hours, code="hall_closed")


@transaction.atomic
def check_in(booking_number: str, *, by, at_point: str = "") -> Ticket:
    """A booked visitor arrives (at the hall ``at_point``, when a kiosk there asks): their ticket is called at the
    slot, before walk-ins."""
    booking = (
        Booking.objects.select_for_update()
        .select_related("service_point", "applicant")
        .filter(number=booking_number.strip().upper())
        .first()
    )
    if booking is None:
        raise NotFound(_("预约 %s 不存在。") % booking_number, code="booking_not_found")
    if at_point and booking.service_point.code != at_point:
        raise Conflict(
            _("预约 %(number)s 的办理网点是%(point)s，请到该网点取号。")
            % {"number": booking.number, "point": booking.service_point.name},
            code="booking_at_other_point",
        )
    if not (booking.applicant.user_id == by.pk or works_at(by, booking.service_point)):
        raise Forbidden(_("只能由预约人本人或本网点工作人员办理到场取号。"), code="not_the_applicant")
    if booking.status != BookingStatus.BOOKED:
        raise Conflict(_("预约当前状态为“%s”，不能取号。") % booking.get_status_display(), code="booking_not_open")
    now = timezone.now()
    if not booking.starts_at - CHECK_IN_EARLY <= now <= booking.starts_at + CHECK_IN_LATE:
        raise Conflict(
            _("请在预约时段开始前 %(early)s 小时至开始后 %(late)s 分钟内到场取号。") % CHECK_IN_HOURS,
            code="check_in_out_of_time",
            details={"starts_at": booking.starts_at.isoformat()},
        )
    booking.status = BookingStatus.CHECKED_IN
    booking.save(update_fields=["status"])
    BookingEvent.objects.create(booking=booking, action=BookingAction.CHECK_IN, actor=by)
    visit = planned_visit(booking.item_code, booking.bundle_code)
    return _new_ticket(
        point=booking.service_point,
        visit=_taken_in_whole(booking.service_point, visit),
        kind=TicketKind.BOOKED,
        by=by,
        now=now,
        applicant=booking.applicant,
        booking=booking,
        due_at=booking.starts_at,
    )


def case_items(visit: Visit) -> list[Item]:
    """The items a visit's case takes in, which the hall must be able to handle: the item, or every member of
    the 一件事 (those started after another's result too, as ``eligible_points_for`` asks)."""
    if visit.bundle is None:
        return [visit.item]
    return [item_in_force(member.item_code) for member in visit.bundle.members.all()]


def planned_visit(item_code: str, bundle_code: str) -> Visit:
    """What a booking or a trip was for: the 一件事's starting items while it is published, else (withdrawn
    since) the item planned first, which the clerk takes in with the rest."""
    if bundle_code:
        try:
            return visit_of(bundle_code=bundle_code)
        except NotFound:
            pass
    return Visit(item_in_force(item_code))


def _taken_in_whole(point: ServicePoint, visit: Visit) -> Visit:
    """The visit, if a window of the hall serves all its items; else (the windows' zones changed since it was
    planned) its first item, so some window can call the visitor and the clerk takes in the rest of the 一件事."""
    windows = point.windows.filter(is_active=True)
    if not visit.along_with or any(w.serves_all((visit.item, *visit.along_with)) for w in windows):
        return visit
    return Visit(visit.item, bundle=visit.bundle)


def arrive_at(point: ServicePoint, code: str, *, by) -> Ticket:
    """Someone arrives at the hall's kiosk with a code: the 取号码 of a trip set off on the portal (现在去办),
    a booking number, or the ID number (typed, or read from the card) of someone whose booking here is due.
    Only the hall's own staff and kiosks may: an ID number must not tell others who booked. Arriving again
    with a booking already checked in gives its ticket again. Messages never repeat what was typed: the next
    visitor at the kiosk may read them."""
    if not works_at(by, point):
        raise Forbidden(_("只有%s的工作人员可以在本厅凭码取号。") % point.name, code="not_hall_staff")
    value = normalize("".join((code or "").split()))
    if not value:
        raise InvalidInput(_("请输入预约号、身份证号码或取号码。"), code="code_required")
    if REFERRAL_CODE.fullmatch(value):
        return _arrive_referred(point, value.lower(), by=by)
    if len(value) == 18:  # a resident ID, residence permit or unified social credit code
        booking = _booking_due_for(point, value, by=by)
    elif BOOKING_NUMBER.fullmatch(value):
        booking = Booking.objects.filter(number=value).first()
        if booking is None:
            raise NotFound(_("没有这个预约号，请核对后重新输入。"), code="booking_not_found")
    else:
        raise InvalidInput(_("无法识别该号码，请核对预约号、身份证号码或取号码。"), code="code_not_recognized")
    if booking.status == BookingStatus.CHECKED_IN:
        taken = Ticket.objects.filter(booking=booking, day=timezone.localdate()).first()
        if taken is not None and booking.service_point_id == point.pk:
            return taken
    return check_in(booking.number, by=by, at_point=point.code)


def _booking_due_for(point: ServicePoint, id_number: str, *, by) -> Booking:
    """The booking here, due now, of the person with this ID number (the lookup is recorded, as a view of it).
    After CARD_MISSES lookups that found nothing within CARD_MISS_SECONDS, the account may not look up by card
    for a while: someone trying ID numbers at a kiosk learns little."""
    misses = f"tongban:kiosk-card-misses:{by.pk}"
    if (cache.get(misses) or 0) >= CARD_MISSES:
        raise Conflict(_("证件号码查询失败次数过多，请稍后再试，或输入预约号取号。"), code="too_many_card_lookups")
    _check_identity(id_number)
    now = timezone.now()
    booking = (
        Booking.objects.filter(
            applicant__id_number=id_number,
            service_point=point,
            status__in=[BookingStatus.BOOKED, BookingStatus.CHECKED_IN],
            starts_at__gte=now - CHECK_IN_LATE,
            starts_at__lte=now + CHECK_IN_EARLY,
        )
        .select_related("applicant")
        .order_by("status", "starts_at")  # "booked" before "checked_in": the next one not yet taken
        .first()
    )
    if booking is None:
        cache.add(misses, 0, CARD_MISS_SECONDS)
        cache.incr(misses)
        raise NotFound(
            _("%(point)s现在没有您可取号的预约（预约时段开始前 %(early)s 小时至开始后 %(late)s 分钟内可取号）。")
            % {"point": point.name, **CHECK_IN_HOURS},
            code="no_booking_due",
        )
    IdentityAccess.objects.create(user=by, applicant=booking.applicant, purpose=CARD_LOOKUP)
    return booking


@transaction.atomic
def _arrive_referred(point: ServicePoint, token: str, *, by) -> Ticket:
    # Locked while checked: a code scanned twice at once takes one ticket, the other scan is told so.
    referral = Referral.objects.select_for_update().select_related("service_point").filter(token=token).first()
    if referral is None:
        raise NotFound(_("没有这个取号码，请核对后重新输入。"), code="referral_not_found")
    if referral.service_point_id != point.pk:
        raise Conflict(
            _("该取号码是去%s的；在本厅请直接选择事项取号。") % referral.service_point.name,
            code="referral_at_other_point",
        )
    if referral.arrived_at is not None:
        taken = Ticket.objects.filter(referral=referral).first()
        raise Conflict(_("该取号码已取过号（%s）。") % (taken.number if taken else "—"), code="referral_used")
    if referral.expires_at <= timezone.now():
        raise Conflict(_("该取号码已过期，请直接选择事项取号。"), code="referral_expired")
    visit = planned_visit(referral.item_code, referral.bundle_code)
    return _walk_in(point, visit, by=by, referral_token=token)


def _check_identity(number: str) -> None:
    """A resident ID, residence permit or credit code (the validators' own messages name parts of it)."""
    for validate in (validate_resident_id, validate_credit_code):
        try:
            validate(number)
            return
        except ValidationError:
            pass
    raise InvalidInput(_("证件号码无效，请核对后重新输入。"), code="invalid_id_number")


# --- windows --------------------------------------------------------------------------------


def _clerk_at(by, point: ServicePoint) -> None:
    actor = actor_of(by)
    if Role.CLERK not in actor.roles or actor.service_point != point:
        raise Forbidden(_("只有本网点的综窗受理员可以在此窗口叫号。"), code="not_clerk_here")


@transaction.atomic
def open_window(*, by, window_id: int) -> WindowSession:
    """The clerk sits down at a window (leaving any other one)."""
    window = Window.objects.select_related("service_point").filter(pk=window_id, is_active=True).first()
    if window is None:
        raise NotFound(_("窗口不存在或未启用。"), code="window_not_found")
    _clerk_at(by, window.service_point)
    now = timezone.now()
    _close_sessions(WindowSession.objects.filter(staff=by), now)
    _close_sessions(WindowSession.objects.filter(window=window).left_open(now), now)  # someone forgot to close it
    try:
        with transaction.atomic():  # the partial unique index decides between two clerks sitting down at once
            return WindowSession.objects.create(window=window, staff=by, opened_at=now)
    except IntegrityError:
        raise Conflict(_("%s已有工作人员在岗。") % window, code="window_taken") from None


@transaction.atomic
def close_window(*, by) -> None:
    _close_sessions(WindowSession.objects.filter(staff=by), timezone.now())


def _close_sessions(sessions, now: datetime.datetime) -> None:
    """Close the open ones: now if opened today, else at the midnight after the day they were opened."""
    sessions.open_today(now).update(closed_at=now)
    for stale in sessions.left_open(now):
        stale.closed_at = start_of_day(stale.opened_at + datetime.timedelta(days=1))
        stale.save(update_fields=["closed_at"])


def current_session(by) -> WindowSession:
    session = WindowSession.objects.select_related("window__service_point").filter(staff=by).open_today().first()
    if session is None:
        raise Conflict(_("请先选择您所在的窗口（开窗）。"), code="no_open_window")
    return session


# --- calling --------------------------------------------------------------------------------


def call_key(ticket: Ticket, window: Window | None, now: datetime.datetime) -> tuple:
    """Where the ticket stands in ``window``'s calling order; without a window, in the hall's (the order of a
    window serving every ticket: one transferred goes first, as at the window it was sent to)."""
    transferred = ticket.transferred_to_id is not None if window is None else ticket.transferred_to_id == window.pk
    return (
        *policy.call_order(
            booked=ticket.kind == TicketKind.BOOKED,
            due=ticket.due_at,
            issued=ticket.issued_at,
            now=now,
            transferred_here=transferred,
        ),
        ticket.sequence,
    )


def callable_tickets(window: Window, now: datetime.datetime) -> list[Ticket]:
    """Waiting tickets this window may serve, in the order it calls them."""
    waiting = Ticket.objects.filter(
        service_point_id=window.service_point_id, day=timezone.localdate(now), status=TicketStatus.WAITING
    )
    mine = [t for t in waiting if t.transferred_to_id in (None, window.pk) and t.served_by(window)]
    return sorted(mine, key=lambda t: call_key(t, window, now))


@transaction.atomic
def call_next(*, by) -> Ticket | None:
    """The clerk's window calls the next ticket it may serve; None when nobody waits for it."""
    session = current_session(by)
    window = session.window
    _clerk_at(by, window.service_point)
    if Ticket.objects.filter(window=window, status__in=[TicketStatus.CALLED, TicketStatus.SERVING]).exists():
        raise Conflict(_("本窗口还有未办结的号，请先办结、过号或转窗口。"), code="window_busy")
    now = timezone.now()
    for ticket in callable_tickets(window, now):
        first_call = ticket.called_at is None
        taken = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.WAITING).update(
            status=TicketStatus.CALLED,
            called_at=now,
            window=window,
            staff=by,
            transferred_to=None,
            **({"wait_seconds": int((now - ticket.issued_at).total_seconds())} if first_call else {}),
        )
        if taken:  # another window may have called it a moment ago: then try the next
            ticket.refresh_from_db()
            _log(ticket, TicketAction.CALL, by, now, window)
            return ticket
    return None


def _at_my_window(ticket: Ticket | int, by, statuses) -> tuple[Ticket, WindowSession]:
    session = current_session(by)
    pk = ticket if isinstance(ticket, int) else ticket.pk
    locked = Ticket.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound(_("号码不存在。"), code="ticket_not_found")
    if locked.window_id != session.window_id:
        raise Forbidden(_("该号不在您的窗口。"), code="not_my_ticket")
    if locked.status not in statuses:
        raise Conflict(
            _("该号当前状态为“%s”，不能执行此操作。") % locked.get_status_display(), code="invalid_ticket_state"
        )
    return locked, session


@transaction.atomic
def recall(ticket: Ticket | int, *, by) -> Ticket:
    locked, session = _at_my_window(ticket, by, {TicketStatus.CALLED})
    locked.recalls += 1
    locked.save(update_fields=["recalls"])
    _log(locked, TicketAction.RECALL, by, timezone.now(), session.window, recalls=locked.recalls)
    return locked


@transaction.atomic
def start(ticket: Ticket | int, *, by) -> Ticket:
    locked, session = _at_my_window(ticket, by, {TicketStatus.CALLED})
    now = timezone.now()
    locked.status, locked.started_at = TicketStatus.SERVING, now
    locked.save(update_fields=["status", "started_at"])
    _log(locked, TicketAction.START, by, now, session.window)
    return locked


@transaction.atomic
def finish(ticket: Ticket | int, *, by) -> Ticket:
    """Done; a ticket finished straight from the call counts its service from the call."""
    locked, session = _at_my_window(ticket, by, {TicketStatus.CALLED, TicketStatus.SERVING})
    now = timezone.now()
    locked.started_at = locked.started_at or locked.called_at
    locked.status, locked.finished_at = TicketStatus.FINISHED, now
    locked.service_seconds = int((now - locked.started_at).total_seconds())
    locked.save(update_fields=["status", "started_at", "finished_at", "service_seconds"])
    _log(locked, TicketAction.FINISH, by, now, session.window, service_seconds=locked.service_seconds)
    return locked


@transaction.atomic
def no_show(ticket: Ticket | int, *, by) -> Ticket:
    locked, session = _at_my_window(ticket, by, {TicketStatus.CALLED})
    locked.status = TicketStatus.NO_SHOW
    locked.save(update_fields=["status"])
    _log(locked, TicketAction.NO_SHOW, by, timezone.now(), session.window, recalls=locked.recalls)
    return locked


@transaction.atomic
def transfer(ticket: Ticket | int, *, by, to_window_id: int) -> Ticket:
    """Send the visitor to another window of the hall that serves the item; it calls them next."""
    locked, session = _at_my_window(ticket, by, {TicketStatus.CALLED, TicketStatus.SERVING})
    target = Window.objects.filter(pk=to_window_id, service_point_id=locked.service_point_id, is_active=True).first()
    if target is None or target.pk == session.window_id:
        raise InvalidInput(_("请选择本大厅的另一个窗口。"), code="invalid_window")
    if not locked.served_by(target):
        raise InvalidInput(_("%s不受理该号的事项。") % target, code="window_cannot_serve")
    locked.status, locked.transferred_to, locked.window = TicketStatus.WAITING, target, None
    locked.started_at = None
    locked.save(update_fields=["status", "transferred_to", "window", "started_at"])
    _log(locked, TicketAction.TRANSFER, by, timezone.now(), session.window, to_window=target.number)
    return locked
