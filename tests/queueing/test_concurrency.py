"""Two windows calling at the same moment never take the same ticket (real threads, both databases)."""

import pytest

from tests.conftest import run_at_once
from tongban.queueing.models import Ticket
from tongban.queueing.services import call_next, issue_ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_windows_calling_at_once_each_get_a_different_ticket(clerk_at, food_item):
    clerks = [clerk_at(number) for number in ("01", "02", "03")]
    tickets = [issue_ticket(by=clerks[0], point_code="fz-gulou", item_code=food_item.code) for _ in range(2)]

    outcomes = run_at_once(*[lambda c=c: call_next(by=c) for c in clerks])

    called = [o for o in outcomes if isinstance(o, Ticket)]
    assert sorted(t.pk for t in called) == sorted(t.pk for t in tickets), outcomes
    assert outcomes.count(None) == 1
    assert len({t.window_id for t in called}) == 2
