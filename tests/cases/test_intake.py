import datetime

import pytest
from django.utils import timezone

from tests.cases.conftest import all_provided, required_form
from tests.factories import published_item
from tongban.cases.choices import Action, Channel, HandlingMode, Right, State
from tongban.cases.grants import create_grant, revoke_grant
from tongban.cases.models import Case, CaseEvent, CaseSequence
from tongban.cases.services import MaterialInput, submit_case
from tongban.catalog.choices import Scope
from tongban.catalog.models import ItemImplementation
from tongban.core.errors import Forbidden, InvalidInput, NotFound
from tongban.directory.models import Department

pytestmark = pytest.mark.django_db


def submit(user, item, applicant, **overrides):
    """``submit_case`` for ``item`` with defaults a test overrides only where it matters."""
    kwargs = {
        "by": user,
        "item_code": item.code,
        "region_code": "350102",
        "applicant": applicant,
        "channel": Channel.WINDOW,
        "sub_item": "新办",
        "form_data": required_form(item),
    }
    return submit_case(**{**kwargs, **overrides})


def window_submit(user, item, region, applicant, **extra):
    sub = item.sub_items.first()
    name = sub.name if sub else None
    return submit(user, item, applicant, region_code=region, sub_item=name, materials=all_provided(item, name), **extra)


class TestPermissionMatrix:
    def test_own_jurisdiction_needs_no_grant(self, food_item, person, user_of):
        case = window_submit(user_of("clerk_gulou"), food_item, "350102", person)
        assert case.state == State.SUBMITTED and case.grant is None
        assert case.handling_mode == HandlingMode.LOCAL
        assert case.department.region.code == "350102"

    def test_other_jurisdiction_without_grant_is_refused_with_places(self, food_item, person, user_of):
        with pytest.raises(Forbidden) as exc:
            window_submit(user_of("clerk_gulou"), food_item, "350104", person)
        assert exc.value.code == "grant_missing"
        assert "仓山区市场监督管理局" in exc.value.message and "可前往" in exc.value.message
        places = {p["code"] for p in exc.value.details["service_points"]}
        assert "fz-cangshan" in places and "fz-gulou" not in places

    def test_other_jurisdiction_with_grant_routes_to_owner(self, window_case, grant_gulou, cangshan_market):
        case = window_case()
        assert case.department == cangshan_market
        assert case.grant == grant_gulou
        assert case.handling_mode == HandlingMode.RECEIVE_ACCEPT_SEPARATED  # 市场监管 has its own system
        assert case.service_point.code == "fz-gulou" and case.visits == 1
        event = case.events.get()
        assert (event.action, event.actor_role, event.grant) == (Action.SUBMIT, "clerk", grant_gulou)

    def test_accept_review_separated_marks_originals_to_send(self, person, user_of, gulou_hall):
        item = published_item(authority_kind="urban_management", scope=Scope.CITY)
        owner = Department.objects.get(region__code="350104", kind="urban_management")
        ItemImplementation.objects.create(item_code=item.code, department=owner)
        create_grant(by=user_of("admin"), department=owner, service_point=gulou_hall, rights=[Right.RECEIVE_ACCEPT])
        case = window_submit(user_of("clerk_gulou"), item, "350104", person)
        assert case.handling_mode == HandlingMode.ACCEPT_REVIEW_SEPARATED
        assert case.originals_to_send and case.originals_receiver == owner

    def test_negative_list_item_is_refused_even_with_grant(self, person, user_of, gulou_hall):
        item = published_item(scope=Scope.LOCAL, negative_reason=1, negative_note="须到属地现场核验")
        owner = Department.objects.get(region__code="350104", kind="market")
        ItemImplementation.objects.create(item_code=item.code, department=owner)
        create_grant(by=user_of("admin"), department=owner, service_point=gulou_hall, rights=list(Right.values))
        with pytest.raises(Forbidden) as exc:
            window_submit(user_of("clerk_gulou"), item, "350104", person)
        assert exc.value.code == "negative_list_item"
        assert "负面清单" in exc.value.message and "仓山区" in exc.value.message

    def test_local_scope_item_is_outside_scope(self, person, user_of, gulou_hall):
        item = published_item(scope=Scope.LOCAL)
        owner = Department.objects.get(region__code="350104", kind="market")
        ItemImplementation.objects.create(item_code=item.code, department=owner)
        create_grant(by=user_of("admin"), department=owner, service_point=gulou_hall, rights=list(Right.values))
        with pytest.raises(Forbidden) as exc:
            window_submit(user_of("clerk_gulou"), item, "350104", person)
        assert exc.value.code == "outside_scope"

    def test_revocation_works_at_once(self, food_item, person, user_of, grant_gulou):
        window_submit(user_of("clerk_gulou"), food_item, "350104", person)
        revoke_grant(grant_gulou, by=user_of("admin"), reason="调整授权")
        with pytest.raises(Forbidden) as exc:
            window_submit(user_of("clerk_gulou"), food_item, "350104", person)
        assert exc.value.code == "grant_missing"

    def test_expired_or_future_grant_does_not_count(self, food_item, person, user_of, cangshan_market, gulou_hall):
        now = timezone.now()
        create_grant(
            by=user_of("admin"),
            department=cangshan_market,
            service_point=gulou_hall,
            rights=[Right.RECEIVE_ACCEPT],
            valid_from=now + datetime.timedelta(days=1),
        )
        with pytest.raises(Forbidden):
            window_submit(user_of("clerk_gulou"), food_item, "350104", person)

    def test_grant_for_another_item_or_right_does_not_count(
        self, food_item, person, user_of, cangshan_market, gulou_hall
    ):
        other = ItemImplementation.objects.filter(department=cangshan_market).exclude(item_code=food_item.code).first()
        create_grant(
            by=user_of("admin"),
            department=cangshan_market,
            service_point=gulou_hall,
            rights=[Right.RECEIVE_ACCEPT],
            item_code=other.item_code,
        )
        create_grant(
            by=user_of("admin"), department=cangshan_market, service_point=gulou_hall, rights=[Right.DELIVER_RESULT]
        )
        with pytest.raises(Forbidden) as exc:
            window_submit(user_of("clerk_gulou"), food_item, "350104", person)
        assert exc.value.details["missing_right"] == Right.RECEIVE_ACCEPT

    @pytest.mark.parametrize("username", ["approver_cangshan", "hall_gulou", "supervisor", "catalog_market"])
    def test_only_clerks_take_window_cases(self, food_item, person, user_of, username):
        with pytest.raises(Forbidden) as exc:
            window_submit(user_of(username), food_item, "350102", person)
        assert exc.value.code == "wrong_role"


class TestIntakeValidation:
    def test_online_by_the_applicant(self, food_item, person, person_user):
        case = submit(person_user, food_item, person, region_code="350104", channel=Channel.ONLINE)
        assert case.handling_mode == HandlingMode.FULL_ONLINE and case.visits == 0 and case.service_point is None

    def test_online_by_someone_else_is_refused(self, food_item, person, user_of):
        with pytest.raises(Forbidden) as exc:
            submit(user_of("approver_gulou"), food_item, person, region_code="350104", channel=Channel.ONLINE)
        assert exc.value.code == "not_the_applicant"

    def test_sub_item_is_required_when_the_item_has_them(self, food_item, person, user_of):
        with pytest.raises(InvalidInput) as exc:
            submit(user_of("clerk_gulou"), food_item, person, sub_item=None)
        assert exc.value.code == "sub_item_required" and "新办" in exc.value.message

    def test_missing_form_fields_are_all_listed(self, food_item, person, user_of):
        with pytest.raises(InvalidInput) as exc:
            submit(user_of("clerk_gulou"), food_item, person, form_data={"nonsense": 1})
        assert exc.value.code == "invalid_form"
        assert exc.value.details["unknown_fields"] == ["nonsense"] and len(exc.value.details["missing_fields"]) >= 2

    def test_region_without_implementation(self, food_item, person, user_of):
        with pytest.raises(NotFound) as exc:
            window_submit(user_of("clerk_gulou"), food_item, "350100", person)
        assert exc.value.code == "no_implementation" and "350104" in exc.value.details["regions"]

    def test_case_numbers_follow_implementation_and_day(self, food_item, person, user_of):
        first = window_submit(user_of("clerk_gulou"), food_item, "350102", person)
        second = window_submit(user_of("clerk_gulou"), food_item, "350102", person)
        prefix = f"{first.implementation.code}{timezone.localdate():%Y%m%d}"
        assert first.number.startswith(prefix) and second.number.startswith(prefix)
        assert int(second.number[-5:]) == int(first.number[-5:]) + 1
        assert first.number == Case.objects.get(pk=first.pk).number  # the number returned is the one stored
        for case in (first, second):  # the day's first case (its counter created) and the next: one event each
            assert list(case.events.values_list("action", "actor_role")) == [(Action.SUBMIT, "clerk")]

    def test_the_sequence_may_outgrow_five_digits(self, food_item, person, user_of):
        first = window_submit(user_of("clerk_gulou"), food_item, "350102", person)
        CaseSequence.objects.filter(prefix=first.number[:-5]).update(last=99_999)
        assert window_submit(user_of("clerk_gulou"), food_item, "350102", person).number == first.number[:-5] + "100000"

    def test_a_failed_intake_leaves_nothing(self, food_item, person, user_of):
        before = (Case.objects.count(), CaseEvent.objects.count(), CaseSequence.objects.count())
        with pytest.raises(InvalidInput) as exc:
            submit(user_of("clerk_gulou"), food_item, person, materials=[MaterialInput(material_id=-1)])
        assert exc.value.code == "invalid_material"
        assert (Case.objects.count(), CaseEvent.objects.count(), CaseSequence.objects.count()) == before


class TestIdentityNumbersInForms:
    FIELDS = [
        {"name": "mother_id_number", "label": "母亲身份证号", "type": "id_number", "required": True},
        {"name": "credit_code", "label": "统一社会信用代码", "type": "credit_code", "required": False},
    ]

    def item(self):
        item = published_item(form_fields=self.FIELDS)
        ItemImplementation.objects.create(
            item_code=item.code, department=Department.objects.get(region__code="350102", kind="market")
        )
        return item

    def test_invalid_numbers_in_the_form_are_refused_with_their_label(self, person, user_of):
        item = self.item()
        with pytest.raises(InvalidInput) as exc:
            submit(
                user_of("clerk_gulou"),
                item,
                person,
                sub_item=None,
                materials=all_provided(item),
                form_data={"mother_id_number": "110105194912310021", "credit_code": "123"},
            )
        assert set(exc.value.details["invalid_fields"]) == {"mother_id_number", "credit_code"}
        assert "母亲身份证号" in exc.value.message and "第 18 位" in exc.value.message

    def test_form_numbers_are_masked_in_the_api(self, person, user_of):
        from tests.cases.test_api import client_for

        item = self.item()
        case = submit(
            user_of("clerk_gulou"),
            item,
            person,
            sub_item=None,
            materials=all_provided(item),
            form_data={"mother_id_number": "11010519491231002x"},
        )
        assert case.form_data["mother_id_number"] == "11010519491231002X"  # stored whole, normalised
        shown = client_for(user_of("clerk_gulou")).get(f"/api/v1/cases/{case.number}/").json()
        assert shown["form_data"]["mother_id_number"] == "1101**********002X"
