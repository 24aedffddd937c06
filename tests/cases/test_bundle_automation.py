"""秒批 inside a 一件事: a child whose item has rules is decided by the system when it starts — at the intake, when
its prerequisite is approved, or when the file it waited for arrives — unless the applicant asked for a human."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.test_bundles import (
    BIRTH_CERTIFICATE,
    BIRTH_REGISTRATION,
    NEWBORN,
    PDF,
    VACCINATION,
    all_materials,
    child,
    decide,
    merged_form,
)
from tongban.cases.bundles import attach_bundle_file, submit_bundle
from tongban.cases.choices import Action, BundleCaseState, Channel, State
from tongban.cases.models import BundleCase
from tongban.cases.services import transition
from tongban.directory.models import Department

pytestmark = pytest.mark.django_db

PASSES, FAILS = 'applicant.kind == "person"', 'applicant.kind == "enterprise"'


def newborn_bundle(by, person, channel, **choices):
    """新生儿出生一件事 for 鼓楼: 出生医学证明 and 预防接种证 start at once, 出生登记 waits for the first."""
    return submit_bundle(
        by=by,
        bundle_code=NEWBORN,
        region_code="350102",
        applicant=person,
        channel=channel,
        form_data=merged_form(NEWBORN),
        materials=all_materials(NEWBORN),
        **choices,
    )


def test_a_child_with_rules_is_decided_by_the_system_once_the_window_accepts_it(rule_for, client, user_of, person):
    from tests.workbench.test_bundle_intake import window_post

    rule_for(BIRTH_CERTIFICATE)
    client.force_login(user_of("clerk_gulou"))
    taken = client.post(f"/workbench/applicants/{person.pk}/bundles/{NEWBORN}/", window_post(NEWBORN, region="350102"))
    parent = BundleCase.objects.get(applicant=person)
    assert taken.status_code == 302 and taken["Location"] == f"/workbench/bundles/{parent.number}/"

    certificate = child(parent, BIRTH_CERTIFICATE)
    assert certificate.state == State.APPROVED and certificate.granted and certificate.auto_decision["passed"]
    steps = [(e.action, e.actor) for e in certificate.events.order_by("at", "pk")]
    assert steps == [
        (Action.SUBMIT, user_of("clerk_gulou")),
        (Action.ACCEPT, user_of("clerk_gulou")),  # the clerk's intake decision comes first
        (Action.AUTO_APPROVE, None),
    ]
    assert child(parent, VACCINATION).state == State.ACCEPTED  # no rules: its department decides
    registration = child(parent, BIRTH_REGISTRATION)  # waited for the certificate: started at once
    assert registration.state == State.SUBMITTED and registration.events.filter(action=Action.START).exists()
    assert "准予许可" in client.get(taken["Location"]).content.decode()


def test_a_child_started_by_its_prerequisites_approval_is_decided_then_and_completes_the_bundle(
    rule_for, user_of, person, approver_for
):
    rule_for(BIRTH_REGISTRATION)
    parent = newborn_bundle(user_of("clerk_gulou"), person, Channel.WINDOW)
    assert child(parent, BIRTH_REGISTRATION).state == State.WAITING
    health = approver_for(Department.objects.get(region__code="350102", kind="health"))
    decide(child(parent, BIRTH_CERTIFICATE).number, health)

    registration = child(parent, BIRTH_REGISTRATION)
    assert registration.state == State.APPROVED and registration.events.filter(action=Action.AUTO_APPROVE).exists()
    started = [e.action for e in registration.events.order_by("at", "pk")]
    assert started.index(Action.START) < started.index(Action.AUTO_APPROVE)
    for member in parent.children.filter(state=State.SUBMITTED):  # the rest, by their departments
        decide(member.number, approver_for(member.department, username=f"approver_{member.item.code}"))
    parent.refresh_from_db()
    assert parent.state == BundleCaseState.COMPLETED


def test_a_failed_rule_or_a_request_for_a_human_leaves_the_child_to_its_department(rule_for, user_of, person):
    clerk = user_of("clerk_gulou")

    def accepted_certificate(**choices):
        certificate = child(newborn_bundle(clerk, person, Channel.WINDOW, **choices), BIRTH_CERTIFICATE)
        return transition(certificate.number, Action.ACCEPT, by=clerk)

    rule = rule_for(BIRTH_CERTIFICATE, FAILS)
    failed = accepted_certificate()
    assert failed.state == State.ACCEPTED and not failed.auto_decision["passed"]
    assert failed.events.get(action=Action.AUTO_CHECK).reason.startswith("未通过")

    rule.delete()
    rule_for(BIRTH_CERTIFICATE, PASSES)
    asked = accepted_certificate(human_decision=True)
    assert asked.state == State.ACCEPTED and asked.human_decision_requested and asked.auto_decision["opted_out"]


def test_an_online_child_waits_for_its_files_and_is_decided_when_the_last_shared_one_arrives(
    rule_for, person_user, person
):
    rule_for(BIRTH_CERTIFICATE)
    parent = newborn_bundle(person_user, person, channel=Channel.ONLINE)
    certificate = child(parent, BIRTH_CERTIFICATE)
    assert certificate.state == State.SUBMITTED and certificate.auto_decision["waiting_for"]
    required = [
        row.material.material_type.code
        for row in certificate.materials.select_related("material__material_type")
        if row.material.necessity == "required"
    ]
    for n, material_type in enumerate(required, start=1):
        upload = SimpleUploadedFile(f"{material_type}.pdf", PDF, content_type="application/pdf")
        attach_bundle_file(parent.number, by=person_user, material_type=material_type, upload=upload)
        decided = child(parent, BIRTH_CERTIFICATE).state == State.APPROVED
        assert decided == (n == len(required))  # decided with the last one, not before
    assert child(parent, BIRTH_REGISTRATION).state == State.SUBMITTED  # and what waited for it started


def test_the_api_takes_a_request_for_a_human_decision_for_the_whole_bundle(rule_for, api, person_user):
    rule_for(BIRTH_CERTIFICATE)
    api.force_authenticate(person_user)
    body = {
        "bundle": NEWBORN,
        "region": "350102",
        "channel": "online",
        "applicant": {"kind": "person", "id_number": person_user.applicant.id_number, "name": "张三"},
        "form_data": merged_form(NEWBORN),
        "materials": [{"material_type": m.material_type} for m in all_materials(NEWBORN)],
        "human_decision": True,
    }
    answer = api.post("/api/v1/bundle-cases", body, format="json")
    assert answer.status_code == 201, answer.json()
    certificate = child(person_user.applicant.bundle_cases.get(number=answer.json()["number"]), BIRTH_CERTIFICATE)
    assert certificate.human_decision_requested and certificate.auto_decision["opted_out"]
