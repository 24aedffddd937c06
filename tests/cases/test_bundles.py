"""一件事: merged form and materials, one intake, children in two jurisdictions, waiting and parallel."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.conftest import sample_value
from tests.conftest import run_at_once
from tongban.cases.bundles import BundleMaterialInput, attach_bundle_file, submit_bundle, submit_bundle_once
from tongban.cases.choices import Action, BundleCaseState, Channel, HandlingMode, MaterialStatus, State
from tongban.cases.models import BundleCase, Case, CaseEvent
from tongban.cases.services import transition
from tongban.catalog.bundles import bundle_requirements
from tongban.catalog.models import Bundle
from tongban.core.errors import Forbidden, InvalidInput
from tongban.directory.models import Department

pytestmark = pytest.mark.django_db

MIGRATION, TRANSPORT, NEWBORN = "YJS001", "YJS002", "YJS004"
APPROVAL = "000101002000"  # 准迁, at the destination (仓山)
MOVE_OUT = "000101003000"  # 迁出, at the origin (鼓楼)
MOVE_IN, ADDRESS = "000101004000", "000101005000"
BIRTH_CERTIFICATE, VACCINATION, BIRTH_REGISTRATION = "000920001000", "000920002000", "000207001000"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def merged_form(code: str) -> dict:
    requirements = bundle_requirements(Bundle.objects.get(code=code))
    return {f["name"]: sample_value(f) for f in requirements.fields if f.get("required")}


def all_materials(code: str) -> list[BundleMaterialInput]:
    return [
        BundleMaterialInput(m["material_type"]) for m in bundle_requirements(Bundle.objects.get(code=code)).materials
    ]


def test_shared_fields_and_materials_are_asked_once(api):
    requirements = bundle_requirements(Bundle.objects.get(code=TRANSPORT))
    members = requirements.members
    types = [m.material_type.code for member in members for m in member.materials]
    given_inside = [m.name for member in members for m in member.from_prerequisites]
    assert given_inside == ["道路运输经营许可证"]  # issued by the bundle's 道路货物运输经营许可
    assert requirements.separate_material_count == len(types) + 1 and len(requirements.materials) == len(set(types))
    assert len(requirements.materials) < requirements.separate_material_count
    form = next(m for m in requirements.materials if m["material_type"] == "M006")
    assert form["items"] == [
        {"item": m.item.code, "material": mat.pk, "name": mat.name}
        for m in members
        for mat in m.materials
        if mat.material_type.code == "M006"
    ]
    assert len(form["items"]) == 3
    vehicle_test = next(m for m in requirements.materials if m["material_type"] == "M017")
    assert vehicle_test["necessity"] == "required"  # 容缺 in one item, required in another: asked as required
    names = [f["name"] for f in requirements.fields]
    assert len(names) == len(set(names)) and names.count("enterprise_name") == 1
    assert requirements.separate_field_count == sum(len(m.item.form_fields) for m in members) > len(names)

    shown = api.get(f"/api/v1/bundles/{TRANSPORT}").json()
    assert shown["counts"]["materials"] == {"separate": len(types) + 1, "bundle": len(set(types))}
    assert shown["savings"].startswith(f"材料 {len(types) + 1} → {len(set(types))}")
    assert shown["sub_items"]["001001001000"]["chosen"] == "新办"
    assert [(g["item"], g["name"], g["issued_by"]) for g in shown["given_inside"]] == [
        ("001010001000", "道路运输经营许可证", "001001001000")
    ]


@pytest.fixture
def migration(enterprise_user):
    """企业迁移登记一件事, submitted once online for the destination 仓山; 迁出 is decided by 鼓楼."""
    return submit_bundle(
        by=enterprise_user,
        bundle_code=MIGRATION,
        region_code="350104",
        item_regions={MOVE_OUT: "350102"},
        applicant=enterprise_user.applicant,
        channel=Channel.ONLINE,
        form_data=merged_form(MIGRATION),
        materials=all_materials(MIGRATION),
    )


def decide(number: str, approver, action=Action.APPROVE, reason=""):
    for step in (Action.ACCEPT, Action.START_REVIEW):
        transition(number, step, by=approver)
    return transition(number, action, by=approver, reason=reason)


def child(parent: BundleCase, item_code: str) -> Case:
    return parent.children.get(item__code=item_code)


def test_one_intake_routes_each_child_to_its_owner_and_dependants_wait(migration):
    states = {c.item.code: (c.state, c.department.region.code) for c in migration.children.all()}
    assert states == {
        APPROVAL: (State.SUBMITTED, "350104"),
        MOVE_OUT: (State.WAITING, "350102"),
        MOVE_IN: (State.WAITING, "350104"),
        ADDRESS: (State.WAITING, "350104"),
    }
    assert migration.handling_mode == HandlingMode.MULTI_PLACE and migration.state == BundleCaseState.IN_PROGRESS
    assert child(migration, MOVE_OUT).waits_for == [APPROVAL]


def test_a_waiting_child_starts_when_its_prerequisite_is_approved(migration, user_of):
    decide(child(migration, APPROVAL).number, user_of("approver_cangshan"))

    move_out = child(migration, MOVE_OUT)
    assert move_out.state == State.SUBMITTED and move_out.department.region.code == "350102"
    start = move_out.events.get(action=Action.START)
    assert start.actor is None and start.from_state == State.WAITING and start.to_state == State.SUBMITTED
    assert child(migration, MOVE_IN).state == State.WAITING


def test_a_denied_child_stops_its_dependants_and_the_parent_shows_why(migration, user_of, api, enterprise_user):
    decide(child(migration, APPROVAL).number, user_of("approver_cangshan"))
    decide(child(migration, MOVE_OUT).number, user_of("approver_gulou"), Action.DENY, reason="存在未结案件，不予迁出")

    assert child(migration, MOVE_IN).state == State.CANCELLED and child(migration, ADDRESS).state == State.CANCELLED
    migration.refresh_from_db()
    assert migration.state == BundleCaseState.PARTLY_FAILED and migration.completed_at

    api.force_authenticate(enterprise_user)
    shown = api.get(f"/api/v1/bundle-cases/{migration.number}").json()
    by_item = {c["item"]["code"]: c for c in shown["children"]}
    assert by_item[MOVE_OUT]["state"] == "denied" and by_item[MOVE_OUT]["reason"] == "存在未结案件，不予迁出"
    assert by_item[APPROVAL]["state"] == "approved" and shown["state"] == "partly_failed"


def test_the_parent_completes_when_every_child_is_approved(migration, user_of):
    cangshan, gulou = user_of("approver_cangshan"), user_of("approver_gulou")
    for code, approver in ((APPROVAL, cangshan), (MOVE_OUT, gulou), (MOVE_IN, cangshan), (ADDRESS, cangshan)):
        decide(child(migration, code).number, approver)
        migration.refresh_from_db()
        assert migration.state == (BundleCaseState.COMPLETED if code == ADDRESS else BundleCaseState.IN_PROGRESS)


def test_a_licence_issued_inside_the_bundle_is_given_to_the_item_that_needs_it(migration, user_of):
    """住所变更 needs the 营业执照 that 迁入 issues: not asked at intake, given when it starts."""
    licence_row = child(migration, ADDRESS).materials.get(material__material_type__code="M002")
    assert licence_row.status == MaterialStatus.MISSING and "企业迁移登记（迁入）" in licence_row.note
    cangshan, gulou = user_of("approver_cangshan"), user_of("approver_gulou")
    for code, approver in ((APPROVAL, cangshan), (MOVE_OUT, gulou), (MOVE_IN, cangshan)):
        decide(child(migration, code).number, approver)

    licence_row.refresh_from_db()
    issued = child(migration, MOVE_IN).result_licence
    assert licence_row.status == MaterialStatus.PROVIDED and licence_row.licence == issued
    started = CaseEvent.objects.get(case=child(migration, ADDRESS), action=Action.START)
    assert started.data["licences"] == [issued.identifier]


def test_a_shared_material_is_uploaded_once_and_shows_in_every_child(migration, enterprise_user):
    upload = SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf")
    attachments = attach_bundle_file(migration.number, by=enterprise_user, material_type="M006", upload=upload)

    assert len(attachments) == 4 and len({a.file.name for a in attachments}) == 1
    assert {a.case.item.code for a in attachments} == {APPROVAL, MOVE_OUT, MOVE_IN, ADDRESS}
    with pytest.raises(InvalidInput):
        attach_bundle_file(migration.number, by=enterprise_user, material_type="M999", upload=upload)


def test_a_bundle_intake_is_all_or_nothing(user_of, person):
    before = (BundleCase.objects.count(), Case.objects.count())
    with pytest.raises(Forbidden) as refused:  # the Gulou clerk holds no grant for Cangshan's market bureau here
        submit_bundle(
            by=user_of("clerk_gulou"),
            bundle_code=MIGRATION,
            region_code="350104",
            item_regions={MOVE_OUT: "350102"},
            applicant=person,
            channel=Channel.WINDOW,
            form_data=merged_form(MIGRATION),
            materials=all_materials(MIGRATION),
        )
    assert refused.value.code == "grant_missing"
    assert (BundleCase.objects.count(), Case.objects.count()) == before
    with pytest.raises(InvalidInput) as stray:
        submit_bundle(
            by=user_of("clerk_gulou"),
            bundle_code=MIGRATION,
            region_code="350102",
            applicant=person,
            channel=Channel.WINDOW,
            form_data={"no_such_field": 1},
        )
    assert stray.value.code == "invalid_form"


@pytest.fixture
def newborn(person_user, person):
    return submit_bundle(
        by=person_user,
        bundle_code=NEWBORN,
        region_code="350102",
        applicant=person,
        channel=Channel.ONLINE,
        form_data=merged_form(NEWBORN),
        materials=all_materials(NEWBORN),
    )


def test_parallel_children_go_on_when_a_sibling_is_refused(newborn, approver_for):
    health = approver_for(Department.objects.get(region__code="350102", kind="health"))
    assert child(newborn, BIRTH_CERTIFICATE).state == child(newborn, VACCINATION).state == State.SUBMITTED

    transition(child(newborn, VACCINATION).number, Action.REFUSE, by=health, reason="不属于本机构接种范围")
    assert child(newborn, BIRTH_CERTIFICATE).state == State.SUBMITTED  # unaffected: it does not depend on it
    decide(child(newborn, BIRTH_CERTIFICATE).number, health)
    assert child(newborn, BIRTH_REGISTRATION).state == State.SUBMITTED
    newborn.refresh_from_db()
    assert newborn.state == BundleCaseState.IN_PROGRESS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_last_two_children_decided_at_the_same_moment_complete_the_parent_once(newborn, approver_for):
    health = approver_for(Department.objects.get(region__code="350102", kind="health"))
    first, second = child(newborn, BIRTH_CERTIFICATE).number, child(newborn, VACCINATION).number

    outcomes = run_at_once(  # refusing the certificate stops its three dependants; with the other refusal all is done
        lambda: transition(first, Action.REFUSE, by=health, reason="出生医学证明信息不全"),
        lambda: transition(second, Action.REFUSE, by=health, reason="不属于本机构接种范围"),
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    newborn.refresh_from_db()
    assert newborn.state == BundleCaseState.PARTLY_FAILED and newborn.completed_at
    assert set(newborn.children.values_list("state", flat=True)) == {State.REFUSED, State.CANCELLED}
    assert CaseEvent.objects.filter(case__bundle_case=newborn, action=Action.CANCEL).count() == 3


def test_a_denied_child_stays_failed_when_its_result_is_made(newborn, approver_for):
    health = approver_for(Department.objects.get(region__code="350102", kind="health"))
    vaccination = child(newborn, VACCINATION).number
    decide(vaccination, health, Action.DENY, reason="资料不符")
    transition(vaccination, Action.MAKE_RESULT, by=health)  # 不予许可决定书 made: state result_ready

    assert child(newborn, VACCINATION).granted is False
    decide(child(newborn, BIRTH_CERTIFICATE).number, health)
    for code, kind in ((BIRTH_REGISTRATION, "public_security"),):
        decide(child(newborn, code).number, approver_for(Department.objects.get(region__code="350102", kind=kind)))
    newborn.refresh_from_db()
    assert newborn.state == BundleCaseState.IN_PROGRESS  # social security and medical insurance still open


def test_a_started_child_counts_art_32_from_its_start_and_cancelled_ones_say_why(migration, user_of):
    submitted = child(migration, MOVE_OUT).submitted_at
    decide(child(migration, APPROVAL).number, user_of("approver_cangshan"))
    move_out = child(migration, MOVE_OUT)
    start = move_out.events.get(action=Action.START)
    assert move_out.submitted_at > submitted and start.data["waited_since"] == submitted.isoformat()

    decide(move_out.number, user_of("approver_gulou"), Action.DENY, reason="存在未结案件")
    cancel = child(migration, MOVE_IN).events.get(action=Action.CANCEL)
    assert "企业迁移登记（迁出）" in cancel.reason and cancel.actor is None


def test_shared_uploads_skip_children_already_decided(migration, user_of, enterprise_user):
    decide(child(migration, APPROVAL).number, user_of("approver_cangshan"))
    upload = SimpleUploadedFile("营业执照.pdf", PDF, content_type="application/pdf")
    attached = attach_bundle_file(migration.number, by=enterprise_user, material_type="M002", upload=upload)
    assert {a.case.item.code for a in attached} == {MOVE_OUT, MOVE_IN, ADDRESS}  # not the decided 准迁


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_repeated_bundle_submission_under_one_key_makes_one_bundle(enterprise_user):
    def submit():
        return submit_bundle_once(
            by=enterprise_user,
            key="double-click",
            fingerprint="same body",
            bundle_code=MIGRATION,
            region_code="350104",
            applicant=enterprise_user.applicant,
            channel=Channel.ONLINE,
            form_data=merged_form(MIGRATION),
            materials=all_materials(MIGRATION),
        )

    outcomes = run_at_once(submit, submit)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(created for _parent, created in outcomes) == [False, True]
    assert outcomes[0][0].pk == outcomes[1][0].pk and BundleCase.objects.count() == 1
    assert Case.objects.filter(bundle_case__isnull=False).count() == 4
