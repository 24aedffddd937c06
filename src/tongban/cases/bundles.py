"""一件事 intake: one form and one set of materials, a parent case and a child case per item.

Each child is an ordinary case made by ``services._submit`` (so routing, grants and audit are the
same), owned by its item's department, which may be in another jurisdiction (多地联办). Children
that wait for another start when it is approved (``services.follow_bundle``); the rest run in
parallel. A material shared by several items is uploaded once and shows in every child.
"""

from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.cases.choices import Channel, HandlingMode, MaterialStatus, State
from tongban.cases.models import Applicant, BundleCase, CaseAttachment, CaseSequence
from tongban.cases.permissions import actor_of
from tongban.cases.services import (
    ATTACH_RULE,
    MaterialInput,
    _attach_stored,
    _attachable_material,
    _locked_case,
    _submit,
    _waits_for_files,
    check_and_digest,
    decide_automatically,
    decided_at_submission,
    implementation_for,
    next_number,
)
from tongban.catalog.bundles import bundle_requirements, published_bundle
from tongban.core.errors import Conflict, InvalidInput, NotFound, ServiceError
from tongban.licences.models import ELicense


@dataclass
class BundleMaterialInput:
    """A merged material, named by its ``MaterialType`` code: provided, missing, or given by e-licence."""

    material_type: str
    status: str = MaterialStatus.PROVIDED
    licence: str = ""


@transaction.atomic
def submit_bundle(
    *,
    by,
    bundle_code: str,
    region_code: str,
    applicant: Applicant,
    channel: str,
    form_data: dict | None = None,
    materials: list[BundleMaterialInput] | None = None,
    item_regions: dict[str, str] | None = None,
    sub_items: dict[str, str] | None = None,
    idempotency_key: str = "",
    fingerprint: str = "",
    human_decision: bool = False,
) -> BundleCase:
    """Take in a bundle: all children or none. ``item_regions`` routes a member to another jurisdiction
    (e.g. 迁出 at the origin district while the rest is done at the destination ``region_code``). Once all
    are in, 秒批 decides the children that start now and have rules (at a window, once the clerk accepts
    them), unless the applicant asked for a ``human_decision`` (个人信息保护法 art. 24); those started later
    are decided when they start."""
    form_data, item_regions = form_data or {}, item_regions or {}
    requirements = bundle_requirements(published_bundle(bundle_code), sub_items, strict=True)
    member_codes = {m.item.code for m in requirements.members}
    stray = sorted(set(item_regions) - member_codes)
    if stray:
        raise InvalidInput(_("这些事项不属于该一件事：%s。") % "、".join(stray), code="invalid_item_regions")
    unknown = sorted(set(form_data) - {f["name"] for f in requirements.fields})
    if unknown:
        raise InvalidInput(
            _("申请表有误：无此字段 %s") % "、".join(unknown),
            code="invalid_form",
            details={"unknown_fields": unknown},
        )
    given = {m.material_type: m for m in materials or []}
    stray = sorted(set(given) - {m["material_type"] for m in requirements.materials})
    if stray:
        raise InvalidInput(
            _("材料不属于该一件事：%s。") % "、".join(stray), code="invalid_material", details={"materials": stray}
        )
    licence_types = dict(
        ELicense.objects.filter(identifier__in=[m.licence for m in given.values() if m.licence]).values_list(
            "identifier", "license_type__code"
        )
    )
    actor = actor_of(by)
    now = timezone.now()
    day = timezone.localdate(now)
    parent_prefix = f"{requirements.bundle.code}{day:%Y%m%d}"
    _lock_counters(
        [parent_prefix]
        + [
            f"{implementation_for(m.item.code, item_regions.get(m.item.code, region_code)).code}{day:%Y%m%d}"
            for m in requirements.members
        ]
    )
    parent = BundleCase.objects.create(
        number=next_number(parent_prefix),
        bundle=requirements.bundle,
        applicant=applicant,
        channel=channel,
        handling_mode=HandlingMode.LOCAL,
        service_point=actor.service_point if channel != Channel.ONLINE else None,
        form_data=form_data,
        submitted_at=now,
        created_by=by,
        idempotency_key=idempotency_key,
        body_hash=fingerprint,
    )
    children = []
    for member in requirements.members:
        fields = {f["name"] for f in member.item.form_fields or []}
        inputs = [
            _material_input(m, given[m.material_type.code], licence_types)
            for m in member.materials
            if m.material_type.code in given
        ] + [
            MaterialInput(m.pk, MaterialStatus.MISSING, note=_("待“%s”办结后以其签发的电子证照提供") % issuer.name)
            for m, issuer in member.from_prerequisites.items()
        ]
        children.append(
            _submit(
                by=by,
                item_code=member.item.code,
                region_code=item_regions.get(member.item.code, region_code),
                applicant=applicant,
                channel=channel,
                sub_item=member.sub_item.name if member.sub_item else None,
                form_data={k: v for k, v in form_data.items() if k in fields},
                materials=inputs,
                bundle_case=parent,
                waits_for=[code for code in member.waits_for if code in member_codes],
                human_decision=human_decision,
            )
        )
    regions = {child.department.region_id for child in children}
    modes = {child.handling_mode for child in children}
    parent.handling_mode = (
        HandlingMode.MULTI_PLACE if len(regions) > 1 else modes.pop() if len(modes) == 1 else HandlingMode.MULTI_PLACE
    )
    parent.save(update_fields=["handling_mode"])
    parent.new_children = children  # the caller shows them without reading them back
    ruled = [child for child in children if child.state == State.SUBMITTED and decided_at_submission(child)]
    for child in ruled:
        decide_automatically(child, actor)
    if ruled:  # 秒批 may have decided some and started others: shown as they are now
        parent.refresh_from_db(fields=["state", "completed_at"])
        parent.new_children = list(parent.children.select_related("item", "department__region").order_by("pk"))
    return parent


def _lock_counters(prefixes: list[str]) -> None:
    """Take every day-counter this intake will use, in one order for all intakes: two bundles sharing
    items in a different member order then queue instead of deadlocking."""
    ordered = sorted(set(prefixes))
    for prefix in ordered:
        try:
            with transaction.atomic():
                CaseSequence.objects.get_or_create(prefix=prefix)
        except IntegrityError:
            pass  # created concurrently: it exists now
    list(CaseSequence.objects.select_for_update().filter(prefix__in=ordered).order_by("prefix").values_list("pk"))


def _material_input(material, entry: BundleMaterialInput, licence_types: dict[str, str]) -> MaterialInput:
    """A licence counts for the items whose material it can replace; for the others the material is missing."""
    if not entry.licence:
        return MaterialInput(material.pk, entry.status)
    if licence_types.get(entry.licence) in {lt.code for lt in material.replaceable_by.all()} or (
        entry.licence not in licence_types  # unknown licence: let the intake refuse it with its reason
    ):
        return MaterialInput(material.pk, MaterialStatus.PROVIDED, licence=entry.licence)
    return MaterialInput(material.pk, MaterialStatus.MISSING)


def attach_bundle_file(number: str, *, by, material_type: str, upload) -> list[CaseAttachment]:
    """One upload for a shared material: stored once, attached to every child that asks for it."""
    checked = check_and_digest(upload)
    stored = None
    try:
        with transaction.atomic():
            parent = BundleCase.objects.select_for_update().filter(number=number).first()
            if parent is None:
                raise NotFound(_("一件事办件 %s 不存在。") % number, code="bundle_case_not_found")
            targets, asked = [], False
            for child in parent.children.order_by("pk"):
                locked = _locked_case(child.number)
                row = locked.materials.filter(material__material_type__code=material_type).first()
                asked |= row is not None
                if row is not None and locked.state in ATTACH_RULE.sources:  # decided children are closed to files
                    targets.append((locked, _attachable_material(locked, by, row.material_id)))
            if not asked:
                raise InvalidInput(_("该一件事没有这类材料：%s。") % material_type, code="invalid_material")
            if not targets:
                raise Conflict(_("需要该材料的事项均已办结或终止，不能再上传。"), code="invalid_transition")
            stored = checked.store(f"bundles/{parent.number}")
            attached = [_attach_stored(locked, attachable, checked, stored, by=by) for locked, attachable in targets]
            for locked, (_material, actor, _authorised) in targets:
                if _waits_for_files(locked):  # 秒批 waited for this file
                    decide_automatically(locked, actor)
            return attached
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise


def submit_bundle_once(*, by, key: str, fingerprint: str, **submission) -> tuple[BundleCase, bool]:
    """``submit_bundle`` at most once per (user, Idempotency-Key), like ``services.submit_once``."""
    try:
        with transaction.atomic():
            return submit_bundle(by=by, idempotency_key=key, fingerprint=fingerprint, **submission), True
    except (IntegrityError, ServiceError):
        # A repeat is caught by the unique key; a repeat of a request that succeeded may now be refused
        # (e.g. a revoked grant): either way the first bundle is the answer.
        existing = BundleCase.objects.filter(created_by=by, idempotency_key=key).first()
        if existing is None:
            raise
        if existing.body_hash != fingerprint:
            raise Conflict(_("该 Idempotency-Key 已用于另一份不同的申请。"), code="idempotency_key_reused") from None
        return existing, False
