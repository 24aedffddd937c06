import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone

from tests.conftest import run_at_once
from tongban.cases.choices import ApplicantKind
from tongban.cases.services import identify_applicant
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.queueing.choices import TicketStatus
from tongban.queueing.models import Ticket
from tongban.queueing.services import call_next, finish, issue_ticket, open_window
from tongban.ratings.choices import FollowUpStatus, Level
from tongban.ratings.models import FollowUp, Rating
from tongban.ratings.services import close_follow_up, follow_ups_for, is_overdue, rate_case, rate_ticket
from tongban.workdays.services import add_working_days

pytestmark = pytest.mark.django_db


def test_a_good_rating_of_a_completed_case_names_what_it_rates(zhang, window_case_of, user_of):
    case = window_case_of(zhang.applicant)
    rating = rate_case(case.number, by=zhang, level=Level.VERY_SATISFIED)
    assert rating.level == 5 and rating.comment == "" and not rating.is_bad
    assert rating.item_name == case.item.name and rating.department == case.department
    assert rating.service_point.code == "fz-gulou" and rating.staff == user_of("clerk_gulou")
    assert rating.channel == "window"
    assert not FollowUp.objects.exists()


def test_a_bad_rating_needs_a_reason_and_opens_a_follow_up_due_in_working_days(zhang, window_case_of):
    case = window_case_of(zhang.applicant)
    with pytest.raises(InvalidInput) as error:
        rate_case(case, by=zhang, level=Level.DISSATISFIED, comment="   ")
    assert error.value.code == "comment_required" and "comment" in error.value.details
    assert not Rating.objects.exists()
    rating = rate_case(case, by=zhang, level=Level.VERY_DISSATISFIED, comment="窗口让我跑了两趟")
    follow_up = rating.follow_up
    assert follow_up.status == FollowUpStatus.OPEN
    assert follow_up.service_point.code == "fz-gulou" and follow_up.department is None  # the hall that served
    assert follow_up.due_on == add_working_days(timezone.localdate(), 5).date


@override_settings(RATING_FOLLOW_UP_WORKING_DAYS=15)
def test_the_follow_up_deadline_is_a_setting(zhang, window_case_of):
    rating = rate_case(window_case_of(zhang.applicant), by=zhang, level=Level.DISSATISFIED, comment="等太久")
    assert rating.follow_up.due_on == add_working_days(timezone.localdate(), 15).date


def test_one_rating_per_case(zhang, window_case_of):
    case = window_case_of(zhang.applicant)
    rate_case(case, by=zhang, level=Level.SATISFIED)
    with pytest.raises(Conflict) as error:
        rate_case(case, by=zhang, level=Level.VERY_DISSATISFIED, comment="改主意了")
    assert error.value.code == "already_rated"
    assert Rating.objects.get().level == Level.SATISFIED


def test_only_the_applicant_rates_and_only_once_completed(zhang, window_case_of, user_of):
    stranger = identify_applicant(kind=ApplicantKind.PERSON, id_number="11010519491231002X", name="李四")
    stranger.user = get_user_model().objects.create(username="lisi")
    stranger.save()
    case = window_case_of(zhang.applicant)
    for someone in (stranger.user, user_of("clerk_gulou")):
        with pytest.raises(NotFound) as error:
            rate_case(case, by=someone, level=Level.VERY_SATISFIED)
        assert error.value.code == "case_not_found"
    open_case = window_case_of(zhang.applicant, done=False)
    with pytest.raises(Conflict) as error:
        rate_case(open_case, by=zhang, level=Level.VERY_SATISFIED)
    assert error.value.code == "case_not_completed"
    with pytest.raises(NotFound):
        rate_case("NO-SUCH-CASE", by=zhang, level=Level.VERY_SATISFIED)


@pytest.mark.parametrize("level", [0, 6, "好", None])
def test_a_level_outside_the_five_is_refused(zhang, window_case_of, level):
    with pytest.raises(InvalidInput) as error:
        rate_case(window_case_of(zhang.applicant), by=zhang, level=level)
    assert error.value.code == "invalid_level"


def test_a_finished_visit_at_a_window_can_be_rated(zhang, user_of, food_item):
    clerk = user_of("clerk_gulou")
    Ticket.objects.all().delete()
    ticket = issue_ticket(by=zhang, point_code="fz-gulou", item_code=food_item.code)
    assert ticket.applicant == zhang.applicant
    open_window(by=clerk, window_id=clerk.staff.service_point.windows.get(number="05").pk)
    called = call_next(by=clerk)
    with pytest.raises(Conflict) as error:
        rate_ticket(called, by=zhang, level=Level.VERY_SATISFIED)
    assert error.value.code == "ticket_not_finished"
    finish(called, by=clerk)
    rating = rate_ticket(called.pk, by=zhang, level=Level.DISSATISFIED, comment="叫号后等了很久")
    assert rating.window.number == "05" and rating.staff == clerk and rating.ticket.status == TicketStatus.FINISHED
    assert rating.follow_up.service_point.code == "fz-gulou"
    with pytest.raises(Conflict):
        rate_ticket(called, by=zhang, level=Level.SATISFIED)
    with pytest.raises(NotFound):
        rate_ticket(called, by=clerk, level=Level.SATISFIED)


def test_the_rated_hall_closes_the_follow_up_and_others_cannot(zhang, window_case_of, user_of):
    rating = rate_case(window_case_of(zhang.applicant), by=zhang, level=Level.DISSATISFIED, comment="态度不好")
    follow_up = rating.follow_up
    assert list(follow_ups_for(user_of("hall_gulou"))) == [follow_up]
    assert list(follow_ups_for(user_of("supervisor"))) == [follow_up]
    assert not follow_ups_for(user_of("clerk_gulou")).exists()
    for outsider in ("supervisor", "clerk_gulou", "approver_gulou"):
        with pytest.raises(Forbidden):
            close_follow_up(follow_up, by=user_of(outsider), callback_note="已回访", fix_note="已培训")
    with pytest.raises(InvalidInput) as error:
        close_follow_up(follow_up, by=user_of("hall_gulou"), callback_note="已回访", fix_note=" ")
    assert error.value.details == {"fix_note": ["必填"]}
    done = close_follow_up(follow_up, by=user_of("hall_gulou"), callback_note="电话回访，已致歉", fix_note="窗口培训")
    assert done.status == FollowUpStatus.DONE and done.closed_by == user_of("hall_gulou") and not is_overdue(done)
    with pytest.raises(Conflict):
        close_follow_up(follow_up, by=user_of("hall_gulou"), callback_note="再次", fix_note="再次")


def test_a_follow_up_past_its_deadline_is_overdue(zhang, window_case_of):
    rating = rate_case(window_case_of(zhang.applicant), by=zhang, level=Level.DISSATISFIED, comment="慢")
    follow_up = rating.follow_up
    assert not is_overdue(follow_up)
    assert is_overdue(follow_up, today=follow_up.due_on + datetime.timedelta(days=1))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_ratings_at_once_make_one(zhang, window_case_of):
    case = window_case_of(zhang.applicant)
    outcomes = run_at_once(
        lambda: rate_case(case.number, by=zhang, level=Level.VERY_SATISFIED),
        lambda: rate_case(case.number, by=zhang, level=Level.SATISFIED),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "Rating"]
    assert Rating.objects.filter(case=case).count() == 1
