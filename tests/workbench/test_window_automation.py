"""秒批 at the window: the clerk takes the application in, then the rules decide; the applicant may refuse them."""

import pytest

from tests.workbench.test_bundle_intake import window_post
from tests.workbench.test_licences_and_decisions import FOOD, food_form
from tongban.cases.choices import Action, ApplicantKind, State
from tongban.cases.models import BundleCase, Case
from tongban.cases.services import identify_applicant
from tongban.catalog.services import item_in_force

pytestmark = pytest.mark.django_db

BIRTH_CERTIFICATE = "000920001000"


@pytest.fixture
def clerk(client, user_of):
    client.force_login(user_of("clerk_gulou"))
    return client


def food_at_the_window(clerk, applicant, **extra):
    """食品经营许可 (新办) for 仓山, every material received and every review point ticked, accepted."""
    item = item_in_force(FOOD)
    sub = item.sub_items.get(name="新办")
    url = f"/workbench/applicants/{applicant.pk}/items/{FOOD}/"
    data = {"submission_key": "f" * 32, "region": "350104", "sub": "新办", "decision": "accept", **extra}
    data |= {f"f_{name}": value for name, value in food_form().items()}
    data |= {f"m{m.pk}": "received" for m in item.materials.all() if m.sub_item_id in (None, sub.pk)}
    data |= {f"p{p.pk}": "on" for p in item.review_points.all() if p.sub_item_id in (None, sub.pk)}
    return clerk.get(url, {"region": "350104", "sub": "新办"}).content.decode(), clerk.post(url, data)


def test_the_clerk_accepts_and_the_rules_approve_in_the_same_step(clerk, rule_for, user_of):
    rule_for(FOOD, 'applicant.kind == "enterprise"')
    applicant = user_of("enterprise_rongyun").applicant
    page, response = food_at_the_window(clerk, applicant)
    assert "不接受系统自动审批" in page  # the applicant is offered the choice

    case = Case.objects.get(applicant=applicant)
    assert response["Location"] == f"/workbench/cases/{case.number}/"
    assert case.state == State.APPROVED and case.auto_decision["passed"]
    actions = list(case.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions[:3] == [Action.SUBMIT, Action.ACCEPT, Action.AUTO_APPROVE]


def test_an_applicant_at_the_window_may_refuse_the_rules(clerk, rule_for, user_of):
    rule_for(FOOD, 'applicant.kind == "enterprise"')
    applicant = user_of("enterprise_rongyun").applicant
    food_at_the_window(clerk, applicant, human_decision="on")
    case = Case.objects.get(applicant=applicant)
    assert case.state == State.ACCEPTED and case.human_decision_requested and case.auto_decision["opted_out"]


def test_an_item_without_rules_offers_no_choice(clerk, user_of):
    page, _response = food_at_the_window(clerk, user_of("enterprise_rongyun").applicant)
    assert "不接受系统自动审批" not in page


def test_a_bundle_at_the_window_may_be_kept_from_the_rules_too(clerk, rule_for):
    person = identify_applicant(kind=ApplicantKind.PERSON, id_number="11010519491231002X", name="李娜")
    rule_for(BIRTH_CERTIFICATE)
    url = f"/workbench/applicants/{person.pk}/bundles/YJS004/"
    page = clerk.get(url, {"region": "350102"}).content.decode()
    assert "“出生医学证明签发”实行“秒批”" in page
    clerk.post(url, window_post("YJS004", region="350102", human_decision="on"))
    certificate = BundleCase.objects.get(applicant=person).children.get(item__code=BIRTH_CERTIFICATE)
    assert certificate.state == State.ACCEPTED and certificate.auto_decision["opted_out"]
