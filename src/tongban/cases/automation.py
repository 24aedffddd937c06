"""秒批: evaluate an item's rules for one case and explain the outcome (个人信息保护法 art. 24).

The explanation names each rule (id, item version, expression), every value it read with its
source and the time it was read, and the result; it is stored on the case and in its audit event.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.cases.choices import ApplicantKind, Channel, IdType, MaterialStatus
from tongban.cases.models import Applicant, Case
from tongban.catalog.choices import Necessity
from tongban.catalog.models import LicenseType
from tongban.catalog.rules import Reference, evaluate, references
from tongban.catalog.services import check_catalog_rights, item_in_force
from tongban.core.errors import InvalidInput
from tongban.core.identifiers import (
    RESIDENCE_PERMIT_PREFIXES,
    mask_id_number,
    validate_credit_code,
    validate_resident_id,
)
from tongban.directory.models import Department
from tongban.licences.models import ELicense
from tongban.licences.services import usable_licences

SOURCES = {
    "applicant": "申请人身份信息（统一身份认证）",
    "form": "申请表",
    "licences": "电子证照库",
    "today": "系统时钟",
}


@dataclass
class Explanation:
    passed: bool
    rules: list[dict]

    def as_data(self) -> dict:
        return {"passed": self.passed, "rules": self.rules}

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.rules if not r["passed"]]


def _midnight(day: datetime.date) -> datetime.datetime:
    """Dates become CEL timestamps at 00:00 UTC (the binding converts only fixed-offset times)."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


def _age(id_number: str, today: datetime.date) -> int | None:
    try:
        born = datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _form_values(case: Case) -> dict:
    """Numbers typed as text become numbers, so ``form.vehicle_count > 0`` reads what the applicant meant."""
    numeric = {f["name"] for f in case.item.form_fields or [] if f.get("type") == "number"}
    values = {}
    for name, value in case.form_data.items():
        if name in numeric and isinstance(value, str):
            try:
                number = float(value)
                value = int(number) if number.is_integer() else number
            except ValueError:
                pass
        values[name] = value
    return values


def _licence_values(licence: ELicense) -> dict:
    return {
        "number": licence.number,
        "holder_name": licence.holder_name,
        "issuer": licence.issuer.name,
        "issue_date": _midnight(licence.issue_date),
        "valid_until": _midnight(licence.valid_until) if licence.valid_until else _midnight(datetime.date.max),
        "region": licence.region_code,
        "trust_level": licence.trust_level,
        "fields": licence.data,
    }


def rule_context(case: Case, licences: list[ELicense], today: datetime.date) -> dict:
    applicant = case.applicant
    return {
        "applicant": {
            "kind": applicant.kind,
            "id_type": applicant.id_type,
            "name": applicant.name,
            "region": applicant.id_number[:6] if applicant.kind == ApplicantKind.PERSON else applicant.id_number[2:8],
            **({"age": _age(applicant.id_number, today)} if applicant.kind == ApplicantKind.PERSON else {}),
        },
        "form": _form_values(case),
        "licences": {lic.license_type.code: _licence_values(lic) for lic in licences},
        "today": _midnight(today),
    }


def _read(
    ref: Reference, context: dict, licences: dict[str, ELicense], read_at: str, personal_fields: set[str]
) -> dict:
    entry = {"name": str(ref), "source": SOURCES[ref.variable], "read_at": read_at}
    if ref.variable == "today":
        entry["value"] = context["today"].date().isoformat()
    elif ref.variable == "licences":
        licence = licences.get(ref.name)
        entry["value"] = (
            {"identifier": licence.identifier, "number": licence.number, "valid_until": str(licence.valid_until or "")}
            if licence
            else None
        )
    else:
        value = context[ref.variable].get(ref.name)
        entry["value"] = mask_id_number(str(value)) if value and ref.name in personal_fields else value
    return entry


def licence_types_read(item) -> set[str]:
    """Only the licence types the rules name are read from the library (个人信息保护法: no more than needed)."""
    return {
        ref.name
        for rule in item.approval_rules.all()
        for ref in references(rule.expression)
        if ref.variable == "licences"
    }


def explain(case: Case, licences: list[ELicense], today: datetime.date | None = None) -> Explanation:
    """Evaluate every rule of the case's item version; all must pass for an automatic approval."""
    today = today or timezone.localdate()
    read_at = timezone.now().isoformat(timespec="seconds")
    context = rule_context(case, licences, today)
    by_type = {lic.license_type.code: lic for lic in licences}
    personal = {f["name"] for f in case.item.form_fields or [] if f.get("type") == "id_number"}
    results = []
    for rule in case.item.approval_rules.all():
        outcome = evaluate(rule.expression, context)
        results.append(
            {
                "rule": rule.code,
                "rule_id": rule.pk,
                "item": case.item.code,
                "item_version": case.item.version,
                "description": rule.description,
                "expression": rule.expression,
                "values": [_read(ref, context, by_type, read_at, personal) for ref in references(rule.expression)],
                "passed": outcome.passed,
                "missing_data": outcome.missing,
                "error": outcome.error,
            }
        )
    return Explanation(passed=bool(results) and all(r["passed"] for r in results), rules=results)


def materials_check(case: Case) -> dict:
    """Every required material in hand: a usable e-licence, the online form itself, an uploaded file,
    or, at a window or by a proxy agent, the paper the clerk has checked."""
    if hasattr(case, "intake_materials"):  # just taken in: the rows are at hand and no file can exist yet
        rows, with_files = case.intake_materials, set()
    else:
        rows = case.materials.select_related("material__material_type", "licence")
        with_files = set(case.attachments.values_list("material_id", flat=True))
    lacking = [
        cm.material.name
        for cm in rows
        if cm.material.necessity == Necessity.REQUIRED and not _in_hand(case, cm, with_files)
    ]
    return {
        "rule": "materials",
        "description": _("必要材料齐全"),
        "values": [{"name": _("尚缺的必要材料"), "source": _("办件材料"), "value": lacking}],
        "passed": not lacking,
        "missing_data": bool(lacking),
        "error": "",
    }


def _in_hand(case: Case, row, with_files: set[int]) -> bool:
    if row.licence_id:
        return row.licence.is_usable()
    if row.material.material_type.filled_online or row.pk in with_files:
        return True
    return case.channel != Channel.ONLINE and row.status == MaterialStatus.PROVIDED


def preview_rules(item_code: str, *, by, applicant: dict, form_data: dict, licences: list[dict] | None) -> Explanation:
    """What 秒批 would decide for this applicant, form and licences; for the item's catalog admins.

    ``licences`` are hypothetical ({type, valid_until, data}); ``None`` reads the applicant's real
    licences from the library instead, which is audited like any look-up. Nothing is saved.
    """
    item = item_in_force(item_code)
    check_catalog_rights(by, item.authority_kind)
    if not item.approval_rules.all():
        raise InvalidInput(_("该事项没有秒批规则。"), code="no_rules")
    try:
        number = (validate_credit_code if applicant["kind"] == ApplicantKind.ENTERPRISE else validate_resident_id)(
            applicant["id_number"]
        )
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], code="invalid_id_number") from None
    id_type = (
        IdType.CREDIT_CODE
        if applicant["kind"] == ApplicantKind.ENTERPRISE
        else IdType.RESIDENCE_PERMIT
        if number[:6] in RESIDENCE_PERMIT_PREFIXES
        else IdType.RESIDENT_ID
    )
    person = Applicant(kind=applicant["kind"], id_type=id_type, id_number=number, name=applicant["name"])
    case = Case(item=item, applicant=person, form_data=form_data)
    if licences is None:
        purpose = _("秒批规则预览 %s") % item.code
        found = usable_licences(number, by=by, purpose=purpose, types=licence_types_read(item))
    else:
        found = [_hypothetical(entry, person) for entry in licences]
    return explain(case, found)


def _hypothetical(entry: dict, holder: Applicant) -> ELicense:
    license_type = LicenseType.objects.filter(code=entry["type"]).first()
    if license_type is None:
        raise InvalidInput(_("证照类型 %s 不存在。") % entry["type"], code="invalid_licence_type")
    today = timezone.localdate()
    return ELicense(
        identifier=_("（预览）"),
        license_type=license_type,
        number=_("（预览）"),
        holder_name=holder.name,
        holder_code=holder.id_number,
        issuer=Department(name=_("（预览）")),
        issue_date=today,
        valid_from=today,
        valid_until=entry.get("valid_until"),
        data=entry.get("data") or {},
    )
