import pytest

from tests.cases.conftest import all_provided, required_form
from tongban.cases.choices import Action, Channel
from tongban.cases.models import Applicant
from tongban.cases.services import submit_case, transition
from tongban.catalog.models import Item


@pytest.fixture
def zhang(user_of):
    """The demo citizen 张伟 (citizen_zhang) and his applicant record."""
    return user_of("citizen_zhang")


@pytest.fixture
def immediate_item():
    return (
        Item.objects.in_force()
        .filter(handling_kind="immediate", authority_kind="market", sub_items__isnull=True)
        .order_by("code")
        .first()
    )


@pytest.fixture
def window_case_of(immediate_item, user_of):
    """A Gulou market item taken in at the Gulou window for ``applicant``; ``done=True`` decides it there."""

    def make(applicant: Applicant, *, done: bool = True):
        clerk = user_of("clerk_gulou")
        case = submit_case(
            by=clerk,
            item_code=immediate_item.code,
            region_code="350102",
            applicant=applicant,
            channel=Channel.WINDOW,
            form_data=required_form(immediate_item),
            materials=all_provided(immediate_item),
        )
        return transition(case, Action.APPROVE_IMMEDIATELY, by=clerk) if done else case

    return make
