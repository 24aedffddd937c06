"""一件事 at the window: one form, shared materials checked once, one decision for every item."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.cases.conftest import sample_value
from tongban.cases.choices import Action, ApplicantKind, Channel, HandlingMode, State
from tongban.cases.models import BundleCase, Case, CaseEvent
from tongban.cases.services import identify_applicant
from tongban.catalog.bundles import bundle_requirements
from tongban.catalog.models import Bundle
from tongban.core.identifiers import make_credit_code
from tongban.licences.models import LicenceLookup

pytestmark = pytest.mark.django_db

RESTAURANT, MIGRATION, NEWBORN = "YJS003", "YJS001", "YJS004"
BUSINESS_LICENCE, FOOD = "000101001000", "000101009000"
APPROVAL, MOVE_OUT = "000101002000", "000101003000"
COMPANY = make_credit_code("91350104", "MA2XYE02")


@pytest.fixture
def company():
    return identify_applicant(kind=ApplicantKind.ENTERPRISE, id_number=COMPANY, name="福州榕味餐饮有限公司")


@pytest.fixture
def person():
    return identify_applicant(kind=ApplicantKind.PERSON, id_number="11010519491231002X", name="李娜")


def url(applicant, code=RESTAURANT) -> str:
    return f"/workbench/applicants/{applicant.pk}/bundles/{code}/"


def window_post(code, *, region, decision="accept", statuses=None, tick=True, **extra) -> dict:
    """What the clerk sends: the required fields, each merged material's check, the review points ticked."""
    requirements = bundle_requirements(Bundle.objects.get(code=code))
    data = {"submission_key": uuid.uuid4().hex, "region": region, "decision": decision}
    data |= {f"f_{f['name']}": sample_value(f) for f in requirements.fields if f.get("required")}
    statuses = statuses or {}
    data |= {f"m{m['material_type']}": statuses.get(m["material_type"], "received") for m in requirements.materials}
    if tick:
        points = [p for m in requirements.members if not m.waits_for for p in m.item.review_points.all()]
        data |= {f"p{p.pk}": "on" for p in points}
    return data | extra


def material_types(code) -> dict[str, set[str]]:
    """Material type → the member items that ask for it."""
    requirements = bundle_requirements(Bundle.objects.get(code=code))
    return {m["material_type"]: {use["item"] for use in m["items"]} for m in requirements.materials}


def children(parent: BundleCase) -> dict[str, Case]:
    return {c.item.code: c for c in parent.children.select_related("item", "department__region")}


@pytest.fixture
def clerk(client, user_of):
    client.force_login(user_of("clerk_gulou"))
    return client


def test_the_workbench_search_offers_the_bundle(clerk, company):
    results = clerk.get(f"/workbench/applicants/{company.pk}/", {"q": "开餐饮店"}, HTTP_HX_REQUEST="true")
    assert url(company) in results.content.decode()


def test_the_form_offers_only_regions_this_window_may_accept_for(clerk, company):
    page = clerk.get(url(company)).content.decode()
    assert "开办餐饮店一件事" in page and "福州榕味餐饮有限公司" in page
    assert 'value="350102"' in page and 'value="350104"' in page
    assert '<option value="350100"' not in page.split('name="region"')[1].split("</select>")[0]  # not every member
    assert f'value="{COMPANY}"' in page  # the enterprise's code is filled in


def test_everything_received_accepts_every_item_in_one_go(clerk, company, user_of):
    response = clerk.post(url(company), window_post(RESTAURANT, region="350104"))

    parent = BundleCase.objects.get(applicant=company)
    assert response.status_code == 302 and response["Location"] == f"/workbench/bundles/{parent.number}/"
    assert parent.channel == Channel.WINDOW and parent.service_point.code == "fz-gulou"
    by_item = children(parent)
    assert by_item[BUSINESS_LICENCE].state == State.ACCEPTED
    food = by_item[FOOD]  # starts once the business licence is granted
    assert food.state == State.WAITING and food.department.region.code == "350104"
    assert food.handling_mode == HandlingMode.RECEIVE_ACCEPT_SEPARATED  # the market bureau's own system
    accepted = CaseEvent.objects.get(case=by_item[BUSINESS_LICENCE], action=Action.ACCEPT)
    assert accepted.actor == user_of("clerk_gulou") and accepted.grant is not None
    assert "审查要点已逐项核对" in accepted.reason

    page = clerk.get(response["Location"]).content.decode()
    assert food.number in page and by_item[BUSINESS_LICENCE].number in page
    assert "已受理" in page and "等待前置事项办结" in page


def test_a_missing_material_notifies_only_the_items_that_need_it(clerk, person):
    starting = {m.item.code for m in bundle_requirements(Bundle.objects.get(code=NEWBORN)).members if not m.waits_for}
    material, (item,) = next((t, items) for t, items in material_types(NEWBORN).items() if items <= starting)
    post = window_post(NEWBORN, region="350102", decision="notice", statuses={material: "missing"})
    post[f"m{material}_note"] = "缺少父母双方身份证复印件"

    clerk.post(url(person, NEWBORN), post)

    by_item = children(BundleCase.objects.get(applicant=person))
    assert by_item[item].state == State.SUPPLEMENT_REQUESTED
    assert {c.state for code, c in by_item.items() if code in starting - {item}} == {State.ACCEPTED}
    notice = CaseEvent.objects.get(case=by_item[item], action=Action.REQUEST_SUPPLEMENT)
    assert [p["problem"] for p in notice.data["problems"]] == ["缺少父母双方身份证复印件"]


def test_a_gap_in_an_item_that_starts_later_cannot_be_noticed_now(clerk, company):
    only_food = next(t for t, items in material_types(RESTAURANT).items() if items == {FOOD})
    post = window_post(RESTAURANT, region="350104", decision="notice", statuses={only_food: "missing"})
    page = clerk.post(url(company), post).content.decode()
    assert "“食品经营许可”须待前置事项准予后才启动" in page
    assert not BundleCase.objects.filter(applicant=company).exists()


def test_accepting_everything_with_a_missing_material_is_refused_and_nothing_is_made(clerk, company):
    own = next(t for t, items in material_types(RESTAURANT).items() if items == {BUSINESS_LICENCE})
    response = clerk.post(url(company), window_post(RESTAURANT, region="350104", statuses={own: "missing"}))

    page = response.content.decode()
    assert response.status_code == 200 and "不能全部受理" in page
    assert not BundleCase.objects.filter(applicant=company).exists() and not Case.objects.filter(applicant=company)


def test_an_unticked_required_point_is_named_and_the_form_kept(clerk, company):
    post = window_post(RESTAURANT, region="350104", tick=False, f_contact_phone="0591-87654321")
    page = clerk.post(url(company), post).content.decode()

    assert "必查项须核对通过后才能受理" in page and "0591-87654321" in page
    assert not BundleCase.objects.filter(applicant=company).exists()


def test_a_region_the_window_may_not_accept_for_is_refused(clerk, company):
    page = clerk.post(url(company), window_post(RESTAURANT, region="350100")).content.decode()
    assert "选择一个有效的选项" in page.split('name="region"')[1].split("</div>")[0]  # next to the field
    assert not BundleCase.objects.filter(applicant=company).exists()


def test_the_same_form_sent_twice_makes_one_bundle(clerk, company):
    post = window_post(RESTAURANT, region="350104")
    first, second = clerk.post(url(company), post), clerk.post(url(company), post)
    assert first["Location"] == second["Location"]
    assert BundleCase.objects.filter(applicant=company).count() == 1


def test_items_waiting_for_a_prerequisite_are_left_to_their_department(clerk, company):
    post = window_post(MIGRATION, region="350104", **{f"item_region_{MOVE_OUT}": "350102"})
    clerk.post(url(company, MIGRATION), post)

    parent = BundleCase.objects.get(applicant=company)
    by_item = children(parent)
    assert by_item[APPROVAL].state == State.ACCEPTED
    assert by_item[MOVE_OUT].state == State.WAITING and by_item[MOVE_OUT].department.region.code == "350102"
    assert parent.handling_mode == HandlingMode.MULTI_PLACE


def test_a_hall_without_the_grants_says_which_item_and_where_to_go(client, user_of, company):
    client.force_login(user_of("clerk_city"))
    response = client.get(url(company))
    page = response.content.decode()
    assert response.status_code == 200 and "本窗口不能受理该一件事" in page and "食品经营许可" in page
    assert "请引导申请人前往" in page and '<form method="post"' not in page
    assert client.post(url(company), window_post(RESTAURANT, region="350104")).status_code == 200
    assert not BundleCase.objects.filter(applicant=company).exists()


def test_the_applicants_licences_are_offered_for_the_shared_materials(clerk, user_of):
    rongyun = user_of("enterprise_rongyun").applicant
    page = clerk.get(url(rongyun, "YJS002")).content.decode()
    assert "调用电子证照" in page
    lookup = LicenceLookup.objects.get(user__username="clerk_gulou")
    assert "开办运输企业一件事" in lookup.purpose


def test_a_community_agent_files_the_bundle_as_proxy(client, user_of, company):
    client.force_login(user_of("agent_community"))
    client.post(url(company), window_post(RESTAURANT, region="350102"))
    parent = BundleCase.objects.get(applicant=company)
    assert parent.channel == Channel.PROXY
    assert children(parent)[BUSINESS_LICENCE].state == State.ACCEPTED


def test_another_hall_does_not_see_the_bundle(clerk, client, company, user_of):
    number = clerk.post(url(company), window_post(RESTAURANT, region="350104"))["Location"].split("/")[-2]
    client.force_login(user_of("clerk_city"))
    assert client.get(f"/workbench/bundles/{number}/").status_code == 404


def test_a_clerk_account_without_a_service_point_is_told_why(client, company):
    """A clerk put in the group by hand, with no workplace: a clear 403, not an error page."""
    orphan = get_user_model().objects.create(username="orphan_clerk")
    orphan.groups.add(Group.objects.get(name="综窗受理员"))
    client.force_login(orphan)
    for path in (url(company), f"/workbench/applicants/{company.pk}/items/{FOOD}/?region=350104&sub=新办"):
        response = client.get(path)
        assert response.status_code == 403 and "未关联服务网点" in response.content.decode()
