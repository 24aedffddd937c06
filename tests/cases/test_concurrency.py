import pytest
from django.contrib.auth import get_user_model

from tests.conftest import run_at_once
from tongban.cases.choices import Action, State
from tongban.cases.models import Case, CaseEvent
from tongban.cases.services import transition
from tongban.core.errors import Conflict
from tongban.directory.roles import Role
from tongban.directory.services import assign_staff

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_two_approvers_deciding_at_once_make_one_decision(window_case, user_of, cangshan_market):
    first = user_of("approver_cangshan")
    second = get_user_model().objects.create(username="approver_cangshan_2")
    assign_staff(second, role=Role.APPROVER, department=cangshan_market)
    case = transition(window_case(), Action.ACCEPT, by=user_of("clerk_gulou"))
    case = transition(case, Action.START_REVIEW, by=first)

    outcomes = run_at_once(
        lambda: transition(case.number, Action.APPROVE, by=first),
        lambda: transition(case.number, Action.DENY, by=second, reason="材料与现场不符"),
    )

    successes = [o for o in outcomes if not isinstance(o, Exception)]
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(successes) == 1 and len(conflicts) == 1, outcomes
    assert conflicts[0].code == "invalid_transition"
    decisions = CaseEvent.objects.filter(case__number=case.number, action__in=[Action.APPROVE, Action.DENY])
    assert decisions.count() == 1
    case.refresh_from_db()
    assert case.state == successes[0].state and case.state in {State.APPROVED, State.DENIED}


def test_intakes_at_once_are_numbered_one_after_another(window_case):
    outcomes = run_at_once(*[window_case] * 4)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    numbers = sorted(case.number for case in outcomes)
    assert len({n[:-5] for n in numbers}) == 1  # one implementation, one day
    assert [n[-5:] for n in numbers] == ["00001", "00002", "00003", "00004"]
    assert sorted(Case.objects.values_list("number", flat=True)) == numbers
    assert CaseEvent.objects.filter(action=Action.SUBMIT).count() == 4
