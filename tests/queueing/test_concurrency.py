"""Windows and clerks acting at the same moment (real threads, both databases)."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.conftest import run_at_once
from tongban.core.errors import Conflict
from tongban.directory.roles import Role
from tongban.directory.services import assign_staff
from tongban.queueing.models import Ticket, WindowSession
from tongban.queueing.services import call_next, issue_ticket, open_window

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_windows_calling_at_once_each_get_a_different_ticket(clerk_at, food_item):
    clerks = [clerk_at(number) for number in ("01", "02", "03")]
    tickets = [issue_ticket(by=clerks[0], point_code="fz-gulou", item_code=food_item.code) for _ in range(2)]

    outcomes = run_at_once(*[lambda c=c: call_next(by=c) for c in clerks])

    called = [o for o in outcomes if isinstance(o, Ticket)]
    assert sorted(t.pk for t in called) == sorted(t.pk for t in tickets), outcomes
    assert outcomes.count(None) == 1
    assert len({t.window_id for t in called}) == 2


def test_two_clerks_sitting_down_at_one_window_at_once_get_one_session(user_of, gulou_window):
    second = get_user_model().objects.create(username="clerk_gulou_2")
    assign_staff(second, role=Role.CLERK, service_point=gulou_window("01").service_point)
    window = gulou_window("01").pk

    outcomes = run_at_once(*[lambda u=u: open_window(by=u, window_id=window) for u in (user_of("clerk_gulou"), second)])

    assert sum(isinstance(o, WindowSession) for o in outcomes) == 1, outcomes
    assert [o.code for o in outcomes if isinstance(o, Conflict)] == ["window_taken"]
    assert WindowSession.objects.filter(window_id=window, closed_at__isnull=True).count() == 1


@pytest.mark.usefixtures("office_hours")
def test_a_trip_set_off_twice_at_once_keeps_one_and_its_code_scanned_twice_takes_one_ticket(user_of):
    from tongban.queueing.models import Referral
    from tongban.queueing.recommendation import set_off
    from tongban.queueing.services import arrive_at, service_point

    zhang = user_of("citizen_zhang")
    trip = {"by": zhang, "region_code": "350102", "lat": 26.085, "lng": 119.279, "item_code": "000101008000"}
    trips = run_at_once(*[lambda: set_off(**trip, point_code="fz-gulou") for _ in range(2)])
    assert all(isinstance(t, Referral) for t in trips), trips
    on_the_way = Referral.objects.filter(created_by=zhang, arrived_at__isnull=True, expires_at__gt=timezone.now())
    assert on_the_way.count() == 1

    code, gulou = on_the_way.get().token, service_point("fz-gulou")
    outcomes = run_at_once(*[lambda: arrive_at(gulou, code, by=user_of("clerk_gulou")) for _ in range(2)])
    assert sum(isinstance(o, Ticket) for o in outcomes) == 1, outcomes
    assert [o.code for o in outcomes if isinstance(o, Conflict)] == ["referral_used"]
    assert Ticket.objects.filter(referral__token=code).count() == 1
