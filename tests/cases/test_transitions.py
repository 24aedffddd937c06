import datetime

import pytest
from django.utils import timezone

from tests.cases.conftest import all_provided, required_form
from tongban.cases.choices import Action, Channel, MaterialStatus, State
from tongban.cases.models import CaseEvent, CaseNotice
from tongban.cases.services import flag_unreviewed_submissions, submit_case, transition
from tongban.catalog.models import Item
from tongban.core.errors import Conflict, Forbidden, InvalidInput
from tongban.workdays.services import add_working_days

pytestmark = pytest.mark.django_db


def freeze(monkeypatch, day: datetime.date):
    """Pretend today is ``day`` (09:00 in Shanghai) for the services."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    monkeypatch.setattr(timezone, "now", lambda: moment)


def accepted(window_case, user_of):
    case = window_case()
    return transition(case, Action.ACCEPT, by=user_of("clerk_gulou"))


class TestLifeCycle:
    def test_window_case_through_to_closure(self, window_case, user_of):
        clerk, approver = user_of("clerk_gulou"), user_of("approver_cangshan")
        case = accepted(window_case, user_of)
        assert case.state == State.ACCEPTED and case.deadline
        for action in [Action.START_REVIEW, Action.REVIEW, Action.APPROVE, Action.MAKE_RESULT]:
            case = transition(case, action, by=approver)
        case = transition(case, Action.DELIVER, by=clerk, data={"in_person": True})
        case = transition(case, Action.CLOSE, by=approver)
        assert case.state == State.CLOSED and case.visits == 2 and case.completed_at
        events = list(case.events.values_list("action", "from_state", "to_state", "actor_role"))
        assert events[0] == (Action.SUBMIT, "", State.SUBMITTED, "clerk")
        assert (Action.APPROVE, State.IN_REVIEW, State.APPROVED, "approver") in events
        deliver = case.events.get(action=Action.DELIVER)
        assert deliver.grant is not None and deliver.service_point.code == "fz-gulou"

    def test_refusal_needs_a_legal_reason(self, window_case, user_of):
        case = window_case()
        with pytest.raises(InvalidInput) as exc:
            transition(case, Action.REFUSE, by=user_of("clerk_gulou"))
        assert exc.value.code == "reason_required"
        case = transition(
            case, Action.REFUSE, by=user_of("clerk_gulou"), reason="不属于本行政机关职权范围（行政许可法第三十二条）"
        )
        assert case.state == State.REFUSED

    def test_denial_needs_a_reason(self, window_case, user_of):
        case = accepted(window_case, user_of)
        approver = user_of("approver_cangshan")
        transition(case, Action.START_REVIEW, by=approver)
        with pytest.raises(InvalidInput):
            transition(case, Action.DENY, by=approver)
        assert transition(case, Action.DENY, by=approver, reason="现场核查不符合条件").state == State.DENIED

    def test_invalid_transition_is_a_conflict_and_writes_nothing(self, window_case, user_of):
        case = window_case()
        before = CaseEvent.objects.filter(case=case).count()
        with pytest.raises(Conflict) as exc:
            transition(case, Action.APPROVE, by=user_of("approver_cangshan"))
        assert exc.value.code == "invalid_transition" and "已提交" in exc.value.message
        assert CaseEvent.objects.filter(case=case).count() == before

    def test_wrong_department_and_wrong_role(self, window_case, user_of):
        case = accepted(window_case, user_of)
        with pytest.raises(Forbidden) as exc:
            transition(case, Action.START_REVIEW, by=user_of("approver_gulou"))
        assert exc.value.code == "wrong_department"
        with pytest.raises(Forbidden) as exc:
            transition(case, Action.START_REVIEW, by=user_of("clerk_gulou"))
        assert exc.value.code == "wrong_role"

    def test_review_steps_are_capped(self, window_case, user_of):
        approver = user_of("approver_cangshan")
        case = transition(accepted(window_case, user_of), Action.START_REVIEW, by=approver)
        for _ in range(3):  # 许可: 3 + 1
            case = transition(case, Action.REVIEW, by=approver)
        with pytest.raises(Conflict) as exc:
            transition(case, Action.REVIEW, by=approver)
        assert exc.value.code == "too_many_review_steps"

    def test_withdrawal_by_the_applicant_before_decision(self, window_case, person_user, user_of):
        case = accepted(window_case, user_of)
        assert transition(case, Action.WITHDRAW, by=person_user).state == State.WITHDRAWN
        with pytest.raises(Conflict):
            transition(case, Action.WITHDRAW, by=person_user)

    def test_a_stranger_cannot_withdraw(self, window_case, user_of):
        with pytest.raises(Forbidden):
            transition(window_case(), Action.WITHDRAW, by=user_of("supervisor"))

    def test_unknown_action_and_case(self, window_case, user_of):
        with pytest.raises(InvalidInput):
            transition(window_case(), "teleport", by=user_of("clerk_gulou"))
        with pytest.raises(Exception) as exc:
            transition("NO-SUCH-CASE", Action.ACCEPT, by=user_of("clerk_gulou"))
        assert exc.value.code == "case_not_found"


class TestOneTimeNotice:
    def problems(self, case):
        material = case.materials.first()
        return [
            {"material": material.material_id, "problem": "复印件不清晰", "status": MaterialStatus.FAULTY},
            {"field": "enterprise_name", "problem": "与营业执照不一致"},
        ]

    def test_everything_at_once_then_supplement_then_accept(self, window_case, user_of):
        clerk = user_of("clerk_gulou")
        case = window_case()
        case = transition(case, Action.REQUEST_SUPPLEMENT, by=clerk, data={"problems": self.problems(case)})
        assert case.state == State.SUPPLEMENT_REQUESTED
        faulty = case.materials.get(status=MaterialStatus.FAULTY)
        with pytest.raises(Conflict):
            transition(case, Action.ACCEPT, by=clerk)  # nothing is accepted while the notice is open
        case = transition(case, Action.SUPPLEMENT, by=clerk, data={"materials": [faulty.material_id]})
        assert case.state == State.SUPPLEMENTED and case.visits == 2
        assert transition(case, Action.ACCEPT, by=clerk).state == State.ACCEPTED

    def test_second_notice_needs_new_facts(self, window_case, user_of):
        clerk = user_of("clerk_gulou")
        case = window_case()
        case = transition(case, Action.REQUEST_SUPPLEMENT, by=clerk, data={"problems": self.problems(case)})
        case = transition(
            case, Action.SUPPLEMENT, by=clerk, data={"materials": [case.materials.get(status="faulty").material_id]}
        )
        with pytest.raises(Conflict) as exc:
            transition(case, Action.REQUEST_SUPPLEMENT, by=clerk, data={"problems": self.problems(case)})
        assert exc.value.code == "notice_already_issued"
        transition(
            case,
            Action.REQUEST_SUPPLEMENT,
            by=clerk,
            data={"problems": self.problems(case), "new_facts": "申请人变更了经营场所"},
        )
        assert CaseNotice.objects.filter(case=case).count() == 2

    def test_notice_must_name_what_and_why(self, window_case, user_of):
        case = window_case()
        for problems in (
            [],
            [{"material": None, "problem": "缺"}],
            [{"field": "nope", "problem": "x"}],
            [{"field": "enterprise_name"}],
        ):
            with pytest.raises(InvalidInput):
                transition(case, Action.REQUEST_SUPPLEMENT, by=user_of("clerk_gulou"), data={"problems": problems})

    def test_notice_right_must_be_granted(self, window_case, user_of, grant_gulou):
        case = window_case()
        grant_gulou.rights = ["receive_accept"]
        grant_gulou.save()
        with pytest.raises(Forbidden) as exc:
            transition(
                case, Action.REQUEST_SUPPLEMENT, by=user_of("clerk_gulou"), data={"problems": self.problems(case)}
            )
        assert exc.value.details["missing_right"] == "one_time_notice"


class TestDeferredMaterials:
    def deferrable(self, case):
        return next(cm for cm in case.materials.select_related("material") if cm.material.necessity == "deferrable")

    def test_accept_with_deferred_then_approval_waits(self, food_item, person, user_of, grant_gulou):
        clerk, approver = user_of("clerk_gulou"), user_of("approver_cangshan")
        materials = all_provided(food_item, "新办")
        case = submit_case(
            by=clerk,
            item_code=food_item.code,
            region_code="350104",
            applicant=person,
            channel=Channel.WINDOW,
            sub_item="新办",
            form_data=required_form(food_item),
            materials=materials,
        )
        owed = self.deferrable(case)
        owed.status = MaterialStatus.MISSING
        owed.save()
        due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
        case = transition(
            case, Action.ACCEPT, by=clerk, data={"deferred": [{"material": owed.material_id, "due_date": due}]}
        )
        case = transition(case, Action.START_REVIEW, by=approver)
        with pytest.raises(Conflict) as exc:
            transition(case, Action.APPROVE, by=approver)
        assert exc.value.code == "deferred_materials_owed"
        transition(case, Action.SUPPLY_DEFERRED, by=clerk, data={"materials": [owed.material_id]})
        assert transition(case, Action.APPROVE, by=approver).state == State.APPROVED

    def test_required_material_cannot_be_deferred(self, window_case, user_of):
        case = window_case()
        required = next(cm for cm in case.materials.select_related("material") if cm.material.necessity == "required")
        due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
        with pytest.raises(InvalidInput) as exc:
            transition(
                case,
                Action.ACCEPT,
                by=user_of("clerk_gulou"),
                data={"deferred": [{"material": required.material_id, "due_date": due}]},
            )
        assert exc.value.code == "not_deferrable"

    def test_missing_required_material_blocks_acceptance(self, window_case, user_of):
        case = window_case()
        required = next(cm for cm in case.materials.select_related("material") if cm.material.necessity == "required")
        required.status = MaterialStatus.MISSING
        required.save()
        with pytest.raises(InvalidInput) as exc:
            transition(case, Action.ACCEPT, by=user_of("clerk_gulou"))
        assert exc.value.code == "materials_incomplete" and required.material.name in exc.value.message


class TestDeadlines:
    def test_deadline_counts_working_days_across_national_day(self, window_case, user_of, monkeypatch):
        freeze(monkeypatch, datetime.date(2026, 9, 23))
        case = accepted(window_case, user_of)
        assert case.promised_limit == 3
        # 24 Sep = 1, 25–27 中秋 and 1–7 Oct 国庆 are off, 28 Sep = 2, 29 Sep = 3.
        assert case.deadline == datetime.date(2026, 9, 29)

    def test_suspension_pauses_and_resume_recomputes(self, window_case, user_of, monkeypatch):
        approver = user_of("approver_cangshan")
        freeze(monkeypatch, datetime.date(2026, 11, 2))  # Monday
        case = accepted(window_case, user_of)
        deadline = case.deadline
        case = transition(case, Action.SUSPEND, by=approver, reason="需现场核查", data={"reason_code": "on_site_check"})
        assert case.state == State.SUSPENDED
        freeze(monkeypatch, datetime.date(2026, 11, 5))  # Thursday: Mon–Wed (3 working days) off the clock
        case = transition(case, Action.RESUME, by=approver)
        assert case.state == State.ACCEPTED
        assert case.deadline == add_working_days(deadline, 3).date
        event = case.events.get(action=Action.RESUME)
        assert event.data["paused_working_days"] == 3 and event.data["old_deadline"] == deadline.isoformat()

    def test_suspension_reason_from_article_45(self, window_case, user_of):
        case = accepted(window_case, user_of)
        with pytest.raises(InvalidInput) as exc:
            transition(case, Action.SUSPEND, by=user_of("approver_cangshan"), data={"reason_code": "holiday"})
        assert exc.value.code == "invalid_suspension_reason"

    def test_extension_adds_working_days_up_to_ten(self, window_case, user_of):
        approver = user_of("approver_cangshan")
        case = accepted(window_case, user_of)
        deadline = case.deadline
        case = transition(case, Action.EXTEND, by=approver, reason="负责人批准延长", data={"days": 6})
        assert case.deadline == add_working_days(deadline, 6).date
        with pytest.raises(InvalidInput) as exc:
            transition(case, Action.EXTEND, by=approver, reason="再延长", data={"days": 5})
        assert exc.value.code == "invalid_extension"
        with pytest.raises(InvalidInput):
            transition(case, Action.EXTEND, by=approver, data={"days": 1})

    def test_deadline_in_unpublished_year_is_flagged(self, window_case, user_of, monkeypatch):
        freeze(monkeypatch, datetime.date(2026, 12, 30))
        case = accepted(window_case, user_of)
        assert case.deadline.year == 2027 and case.deadline_unscheduled


class TestImmediateItems:
    def test_clerk_accepts_and_approves_in_one_step(self, person, user_of):
        item = (
            Item.objects.in_force()
            .filter(handling_kind="immediate", authority_kind="market", sub_items__isnull=True)
            .first()
        )
        case = submit_case(
            by=user_of("clerk_gulou"),
            item_code=item.code,
            region_code="350102",
            applicant=person,
            channel=Channel.WINDOW,
            form_data=required_form(item),
            materials=all_provided(item),
        )
        case = transition(case, Action.APPROVE_IMMEDIATELY, by=user_of("clerk_gulou"))
        assert case.state == State.APPROVED and case.deadline == timezone.localdate()
        assert case.accepted_at and case.decided_at

    def test_promised_item_cannot_be_approved_at_the_window(self, window_case, user_of):
        with pytest.raises(Conflict) as exc:
            transition(window_case(), Action.APPROVE_IMMEDIATELY, by=user_of("clerk_gulou"))
        assert exc.value.code == "not_immediate"


class TestDeemedAcceptance:
    def test_warning_the_day_before_then_deemed_accepted(self, food_item, person, person_user, monkeypatch):
        freeze(monkeypatch, datetime.date(2026, 11, 2))  # Monday
        case = submit_case(
            by=person_user,
            item_code=food_item.code,
            region_code="350104",
            applicant=person,
            channel=Channel.ONLINE,
            sub_item="新办",
            form_data=required_form(food_item),
        )
        assert flag_unreviewed_submissions(datetime.date(2026, 11, 5)) == {"warned": 0, "deemed_accepted": 0}
        assert flag_unreviewed_submissions(datetime.date(2026, 11, 6)) == {"warned": 1, "deemed_accepted": 0}
        assert flag_unreviewed_submissions(datetime.date(2026, 11, 9)) == {"warned": 0, "deemed_accepted": 0}
        assert flag_unreviewed_submissions(datetime.date(2026, 11, 10)) == {"warned": 0, "deemed_accepted": 1}
        case.refresh_from_db()
        assert case.deemed_accepted_at and case.state == State.SUBMITTED
        assert case.events.filter(action=Action.DEEMED_ACCEPTED, actor_role="system").exists()
        assert flag_unreviewed_submissions(datetime.date(2026, 11, 11)) == {"warned": 0, "deemed_accepted": 0}
