"""Rate a completed case or a finished visit once; a bad rating opens a follow-up with a deadline.

Who rates is the applicant themself (their own login). A bad rating (不满意 / 非常不满意) must say
why, and it is assigned at once to the hall it names, or to the owning department when the case
never passed a hall (online), due in ``RATING_FOLLOW_UP_WORKING_DAYS`` working days (DESIGN §7).
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.cases.choices import Channel, State
from tongban.cases.models import Case
from tongban.cases.permissions import actor_of
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.directory.roles import Role
from tongban.directory.services import manageable_service_points
from tongban.queueing.choices import TicketStatus
from tongban.queueing.models import Ticket
from tongban.ratings.choices import BAD_LEVELS, FollowUpStatus, Level
from tongban.ratings.models import FollowUp, Rating
from tongban.workdays.services import add_working_days

MAX_COMMENT = 500
# Cases that ended without a service to rate: the applicant withdrew, or a prerequisite failed.
UNRATED_STATES = {State.WITHDRAWN, State.CANCELLED}
TICKET_CHANNEL = "window"


def clean_rating(level, comment: str) -> tuple[Level, str]:
    """The level as a ``Level`` and the comment trimmed; a bad level needs a comment."""
    try:
        level = Level(int(level))
    except (TypeError, ValueError):
        raise InvalidInput(
            _("请选择评价等级：非常满意、满意、基本满意、不满意或非常不满意。"),
            code="invalid_level",
            details={"level": [_("请选择评价等级")]},
        ) from None
    comment = (comment or "").strip()
    if level in BAD_LEVELS and not comment:
        raise InvalidInput(
            _("选择“不满意”或“非常不满意”时请写明原因，我们将回访并限期整改。"),
            code="comment_required",
            details={"comment": [_("请写明不满意的原因")]},
        )
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(
            _("评价内容不能超过 %d 个字。") % MAX_COMMENT,
            code="comment_too_long",
            details={"comment": [_("内容过长")]},
        )
    return level, comment


def _rate(*, by, level, comment: str, **rated) -> Rating:
    """Save a rating of what ``rated`` names; a bad one opens its follow-up in the same transaction."""
    level, comment = clean_rating(level, comment)
    rating = Rating(level=level, comment=comment, rated_at=timezone.now(), rated_by=by, **rated)
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:  # rated a moment ago in another request
        raise Conflict(_("已经评价过了，每次服务只能评价一次。"), code="already_rated") from None
    if rating.is_bad:
        _open_follow_up(rating)
    return rating


def _open_follow_up(rating: Rating) -> FollowUp:
    due = add_working_days(timezone.localdate(rating.rated_at), settings.RATING_FOLLOW_UP_WORKING_DAYS)
    at_hall = rating.service_point_id is not None
    return FollowUp.objects.create(
        rating=rating,
        service_point=rating.service_point if at_hall else None,
        department=None if at_hall else rating.department,
        due_on=due.date,
        due_unscheduled=due.unscheduled,
    )


@transaction.atomic
def rate_case(case: Case | str, *, by, level, comment: str = "") -> Rating:
    """The applicant rates their case once it is completed (decided, refused or delivered)."""
    number = case if isinstance(case, str) else case.number
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("applicant", "item", "department", "service_point")
        .filter(number=number)
        .first()
    )
    if locked is None or locked.applicant.user_id is None or locked.applicant.user_id != by.pk:
        raise NotFound(_("未找到您的办件 %s。") % number, code="case_not_found")
    if locked.completed_at is None or locked.state in UNRATED_STATES:
        raise Conflict(_("办件办结后才能评价。"), code="case_not_completed")
    if Rating.objects.filter(case=locked).exists():
        raise Conflict(_("该办件已评价过，每个办件只能评价一次。"), code="already_rated")
    at_window = locked.channel == Channel.WINDOW
    return _rate(
        by=by,
        level=level,
        comment=comment,
        case=locked,
        applicant=locked.applicant,
        channel=locked.channel,
        item_code=locked.item.code,
        item_name=locked.item.name,
        department=locked.department,
        service_point=locked.service_point,
        staff_id=locked.created_by_id if at_window else None,
    )


@transaction.atomic
def rate_ticket(ticket: Ticket | int, *, by, level, comment: str = "") -> Rating:
    """The visitor rates a finished visit at a window (their own ticket)."""
    pk = ticket if isinstance(ticket, int) else ticket.pk
    locked = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("applicant", "booking__department", "service_point", "window")
        .filter(pk=pk)
        .first()
    )
    if locked is None or locked.applicant is None or locked.applicant.user_id != by.pk:
        raise NotFound(_("未找到您的取号记录。"), code="ticket_not_found")
    if locked.status != TicketStatus.FINISHED:
        raise Conflict(_("窗口办结后才能评价。"), code="ticket_not_finished")
    if Rating.objects.filter(ticket=locked).exists():
        raise Conflict(_("本次取号已评价过，每次服务只能评价一次。"), code="already_rated")
    return _rate(
        by=by,
        level=level,
        comment=comment,
        ticket=locked,
        applicant=locked.applicant,
        channel=TICKET_CHANNEL,
        item_code=locked.item_code,
        item_name=locked.item_name,
        department=locked.booking.department if locked.booking_id else None,
        service_point=locked.service_point,
        window=locked.window,
        staff_id=locked.staff_id,
    )


# --- follow-up of bad ratings -------------------------------------------------------------------


def _visible(user) -> Q | None:
    """What a user oversees (None: everything): supervisors all, hall admins their halls, department admins theirs."""
    if user.is_superuser:
        return None
    actor = actor_of(user)
    if Role.SUPERVISOR in actor.roles:
        return None
    mine = Q(pk__in=[])
    if Role.HALL_ADMIN in actor.roles:
        mine |= Q(service_point__in=manageable_service_points(user))
    if Role.CATALOG_ADMIN in actor.roles and actor.department is not None:
        mine |= Q(department=actor.department)
    return mine


def ratings_for(user) -> QuerySet[Rating]:
    ratings = Rating.objects.select_related("service_point", "department", "window")
    scope = _visible(user)
    return ratings if scope is None else ratings.filter(scope)


def follow_ups_for(user) -> QuerySet[FollowUp]:
    follow_ups = FollowUp.objects.select_related("rating", "service_point", "department")
    scope = _visible(user)
    return follow_ups if scope is None else follow_ups.filter(scope)


def may_close(user, follow_up: FollowUp) -> bool:
    """The hall or department it is assigned to (supervisors watch, they do not fix)."""
    if user.is_superuser:
        return True
    actor = actor_of(user)
    if follow_up.service_point_id is not None:
        return (
            Role.HALL_ADMIN in actor.roles
            and manageable_service_points(user).filter(pk=follow_up.service_point_id).exists()
        )
    return Role.CATALOG_ADMIN in actor.roles and actor.department == follow_up.department


def check_close(follow_up: FollowUp, *, by, callback_note: str, fix_note: str) -> tuple[str, str]:
    """Whether ``by`` may close it now with these notes; the notes trimmed."""
    if not may_close(by, follow_up):
        raise Forbidden(_("只有被评价的大厅或承办部门可以办理该差评的回访整改。"), code="not_responsible")
    if follow_up.status == FollowUpStatus.DONE:
        raise Conflict(_("该差评已整改完毕。"), code="follow_up_closed")
    callback_note, fix_note = (callback_note or "").strip(), (fix_note or "").strip()
    missing = {
        name: [_("必填")] for name, value in (("callback_note", callback_note), ("fix_note", fix_note)) if not value
    }
    if missing:
        raise InvalidInput(_("请填写回访情况和整改措施。"), code="follow_up_notes_required", details=missing)
    return callback_note, fix_note


@transaction.atomic
def close_follow_up(follow_up: FollowUp | int, *, by, callback_note: str, fix_note: str) -> FollowUp:
    """Record the call-back to the applicant and the fix; the follow-up is then done."""
    pk = follow_up if isinstance(follow_up, int) else follow_up.pk
    locked = FollowUp.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound(_("差评回访记录不存在。"), code="follow_up_not_found")
    callback_note, fix_note = check_close(locked, by=by, callback_note=callback_note, fix_note=fix_note)
    locked.callback_note, locked.fix_note = callback_note, fix_note
    locked.status, locked.closed_at, locked.closed_by = FollowUpStatus.DONE, timezone.now(), by
    locked.save(update_fields=["callback_note", "fix_note", "status", "closed_at", "closed_by"])
    return locked


def is_overdue(follow_up: FollowUp, today: datetime.date | None = None) -> bool:
    closed_on = timezone.localdate(follow_up.closed_at) if follow_up.closed_at else None
    return (closed_on or today or timezone.localdate()) > follow_up.due_on
