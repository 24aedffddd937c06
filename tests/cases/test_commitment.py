"""告知承诺制: approved at once on a signed commitment; a failed post-check revokes result and licence."""

import datetime

import pytest
from django.utils import timezone

from tests.cases.conftest import all_provided, required_form
from tongban.cases.choices import Action, MaterialStatus, PostCheckStatus, State
from tongban.cases.models import ApplicantMessage, Case, PostCheck
from tongban.cases.services import MaterialInput, transition
from tongban.catalog.models import Item
from tongban.core.errors import Conflict, Forbidden, InvalidInput
from tongban.licences.models import LicenceStatus
from tongban.workdays.services import add_working_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed_case(window_case, food_item):
    sub = food_item.sub_items.first()
    materials = all_provided(food_item, sub.name)
    owed = materials[-1].material_id  # one required material left to the commitment
    materials[-1] = MaterialInput(owed, MaterialStatus.MISSING)
    return window_case(commitment=True, materials=materials)


def test_a_signed_commitment_approves_at_once_with_a_post_check_for_the_department(committed_case, food_item):
    case = committed_case

    assert food_item.allows_commitment and food_item.commitment_text
    assert case.state == State.APPROVED and case.commitment_signed_at and case.decided_at
    event = case.events.get(action=Action.APPROVE_BY_COMMITMENT)
    assert event.actor is None and event.data["commitment"] == food_item.commitment_text
    check = PostCheck.objects.get(case=case)
    accepted_on = timezone.localdate(case.accepted_at)
    assert check.status == PostCheckStatus.PENDING and check.department == case.department
    assert check.due_date == add_working_days(accepted_on, food_item.post_check_days).date
    assert case.result_licence.license_type.code == "SPJY0001" and case.result_licence.status == LicenceStatus.VALID
    committed = case.materials.filter(status=MaterialStatus.COMMITTED)
    assert committed.count() == 1 and event.data["committed_materials"] == [committed.get().material.name]


def test_a_failed_post_check_revokes_the_result_and_licence_and_tells_the_applicant(committed_case, user_of):
    case = transition(
        committed_case,
        Action.POST_CHECK,
        by=user_of("approver_cangshan"),
        reason="现场核查：无食品贮存场所",
        data={"passed": False},
    )

    assert case.state == State.REVOKED
    case.result_licence.refresh_from_db()
    assert case.result_licence.status == LicenceStatus.REVOKED and "无食品贮存场所" in case.result_licence.revoke_reason
    assert PostCheck.objects.get(case=case).status == PostCheckStatus.FAILED
    message = ApplicantMessage.objects.get(case=case)
    assert message.applicant == case.applicant and "已撤销许可" in message.text
    event = case.events.get(action=Action.POST_CHECK)
    assert event.data == {"passed": False, "licence_revoked": case.result_licence.identifier}


def test_a_passed_post_check_keeps_the_result_and_cannot_be_repeated(committed_case, user_of):
    approver = user_of("approver_cangshan")
    case = transition(committed_case, Action.POST_CHECK, by=approver, data={"passed": True})
    assert case.state == State.APPROVED and PostCheck.objects.get(case=case).status == PostCheckStatus.PASSED

    with pytest.raises(Conflict) as again:
        transition(case, Action.POST_CHECK, by=approver, reason="再查", data={"passed": False})
    assert again.value.code == "no_pending_post_check"


def test_post_check_needs_the_owning_department_a_conclusion_and_a_reason_to_revoke(committed_case, user_of):
    with pytest.raises(Forbidden):
        transition(committed_case, Action.POST_CHECK, by=user_of("approver_gulou"), data={"passed": True})
    with pytest.raises(InvalidInput) as no_conclusion:
        transition(committed_case, Action.POST_CHECK, by=user_of("approver_cangshan"), data={})
    assert no_conclusion.value.code == "invalid_post_check"
    with pytest.raises(InvalidInput) as no_reason:
        transition(committed_case, Action.POST_CHECK, by=user_of("approver_cangshan"), data={"passed": False})
    assert no_reason.value.code == "reason_required"


def test_commitment_only_for_items_that_allow_it(window_case):
    registration = Item.objects.in_force().get(code="000101001000")  # 企业设立登记: no commitment
    assert not registration.allows_commitment
    with pytest.raises(InvalidInput) as refused:
        window_case(
            item_code=registration.code,
            sub_item=None,
            form_data=required_form(registration),
            materials=[],
            commitment=True,
        )
    assert refused.value.code == "commitment_not_allowed"
    assert not Case.objects.filter(item=registration).exists()  # nothing half-written


def test_an_ordinary_approval_issues_the_licence_in_the_same_transaction(window_case, user_of):
    approver = user_of("approver_cangshan")
    case = window_case()
    for action in (Action.ACCEPT, Action.START_REVIEW, Action.APPROVE):
        case = transition(case, action, by=approver if action != Action.ACCEPT else user_of("clerk_gulou"))

    assert case.state == State.APPROVED and case.result_licence.license_type.code == "SPJY0001"
    assert case.events.get(action=Action.APPROVE).data["licence"] == case.result_licence.identifier
    assert case.result_licence.valid_until == add_years_minus_a_day(case.result_licence.issue_date, 5)


def add_years_minus_a_day(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year + years) - datetime.timedelta(days=1)
