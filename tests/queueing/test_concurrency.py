"""Windows and clerks acting at the same moment (real threads, both databases)."""

import pytest
from django.contrib.auth import get_user_model

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
