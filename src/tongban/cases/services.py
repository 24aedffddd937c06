"""Case operations: identify the applicant, take in a case, and move it through its life.

``submit_case`` and ``transition`` are the only ways a case is created or changes state. Each
runs in one transaction that locks the case row, checks role, jurisdiction and grant, applies
the change and writes the ``CaseEvent`` (who, role, where, when, from → to, why).
"""

import datetime
import hashlib
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongban.cases.access import access_cache
from tongban.cases.automation import explain, licence_types_read, materials_check
from tongban.cases.choices import (
    Action,
    ApplicantKind,
    BundleCaseState,
    Channel,
    HandlingMode,
    IdType,
    MaterialStatus,
    PostCheckStatus,
    Right,
    State,
    SuspensionReason,
)
from tongban.cases.models import (
    GRANTED_STATES,
    Applicant,
    ApplicantMessage,
    BundleCase,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseMaterial,
    CaseNotice,
    CaseSequence,
    IdempotencyRecord,
    IdentityAccess,
    PostCheck,
)
from tongban.cases.permissions import Actor, actor_of, front_desk_grant, is_other_jurisdiction
from tongban.cases.uploads import EXTENSIONS, check_upload
from tongban.catalog.choices import HandlingKind, ItemType, Necessity
from tongban.catalog.models import ItemImplementation, Material
from tongban.catalog.search import item_index
from tongban.catalog.services import item_in_force
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from tongban.core.identifiers import (
    RESIDENCE_PERMIT_PREFIXES,
    mask_id_number,
    validate_credit_code,
    validate_resident_id,
)
from tongban.core.inserts import insert, insert_statement
from tongban.core.revisions import revisions_read_once
from tongban.directory.choices import AuthorityKind
from tongban.directory.roles import Role
from tongban.licences.models import LicenceLookup
from tongban.licences.services import find_usable_licences, issue_licence, revoke_licence, usable_licences
from tongban.workdays.services import add_working_days, working_days_between

# Departments with their own business systems: remote intake is 收受分离 (DESIGN §3).
OWN_SYSTEM_AUTHORITIES = {
    AuthorityKind.PUBLIC_SECURITY,
    AuthorityKind.HRSS,
    AuthorityKind.MEDICAL_INSURANCE,
    AuthorityKind.HOUSING_FUND,
    AuthorityKind.MARKET,
    AuthorityKind.REAL_ESTATE,
    AuthorityKind.TAX,
}
# Review steps between acceptance and decision: 3+1 for 许可, 2+1 for public services.
MAX_REVIEW_STEPS = {ItemType.LICENSING: 3, ItemType.PUBLIC_SERVICE: 2}
DEFAULT_MAX_REVIEW_STEPS = 3
MAX_EXTENSION_DAYS = 10  # 行政许可法 art. 42
DEEMED_ACCEPTANCE_DAYS = 5  # 行政许可法 art. 32
FULL_ID_ROLES = {Role.CLERK, Role.APPROVER, Role.PROXY_AGENT}
ACTS_FOR_OTHERS = {Role.CLERK, Role.PROXY_AGENT}  # may file or book for any applicant


# --- applicants ------------------------------------------------------------------------------


def identify_applicant(*, kind: str, id_number: str, name: str, phone: str = "") -> Applicant:
    """Validate the identity number and return the applicant it names (created on first sight)."""
    id_type, number = _valid_identity(kind, id_number)
    if not name.strip():
        raise InvalidInput(_("请填写申请人姓名或名称。"), code="applicant_name_required", details={"name": [_("必填")]})
    applicant = _known_applicant(id_type, number) or _new_applicant(
        kind=kind, id_type=id_type, id_number=number, name=name.strip(), phone=phone
    )
    if phone and applicant.phone != phone:
        applicant.phone = phone
        applicant.save(update_fields=["phone"])
    return applicant


def applicant_for(by, *, kind: str, id_number: str, name: str, phone: str = "") -> Applicant:
    """The applicant an API request names: anyone for a clerk or proxy agent, else only the caller.

    Checked before ``identify_applicant`` writes anything, so a refused caller changes nobody's record."""
    if not (by.is_superuser or actor_of(by).roles & ACTS_FOR_OTHERS):
        own = Applicant.objects.filter(user_id=by.pk).first()
        if own is None or (own.id_type, own.id_number) != _valid_identity(kind, id_number):
            raise Forbidden(_("只能以本人身份申请，或由窗口人员、代办员代为申请。"), code="not_the_applicant")
    return identify_applicant(kind=kind, id_number=id_number, name=name, phone=phone)


def _valid_identity(kind: str, id_number: str) -> tuple[str, str]:
    """(id type, normalised number) of a resident ID, residence permit or unified social credit code."""
    try:
        if kind == ApplicantKind.PERSON:
            number = validate_resident_id(id_number)
            return (IdType.RESIDENCE_PERMIT if number[:6] in RESIDENCE_PERMIT_PREFIXES else IdType.RESIDENT_ID), number
        if kind == ApplicantKind.ENTERPRISE:
            return IdType.CREDIT_CODE, validate_credit_code(id_number)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], code="invalid_id_number", details={"id_number": exc.messages}) from None
    raise InvalidInput(_("申请人类别无效。"), code="invalid_applicant_kind", details={"kind": [_("无效选项")]})


# A static statement, not a queryset: building the query cost as much CPU as the rest of the lookup.
_APPLICANT_FIELDS = [f.attname for f in Applicant._meta.concrete_fields]
_FIND_APPLICANT = 'SELECT {} FROM "{}" WHERE "id_type" = %s AND "id_number" = %s'.format(
    ", ".join(f'"{f.column}"' for f in Applicant._meta.concrete_fields), Applicant._meta.db_table
)


def _known_applicant(id_type: str, id_number: str) -> Applicant | None:
    with connection.cursor() as cursor:
        cursor.execute(_FIND_APPLICANT, [id_type, id_number])
        row = cursor.fetchone()
    return Applicant.from_db(connection.alias, _APPLICANT_FIELDS, row) if row else None


def _new_applicant(**fields) -> Applicant:
    """Created on first sight; or, if a concurrent intake created it first, the row it created."""
    try:
        with transaction.atomic():
            return Applicant.objects.create(**fields)
    except IntegrityError:
        return _known_applicant(fields["id_type"], fields["id_number"])


def reveal_id_number(applicant: Applicant, *, by, purpose: str, case: Case | None = None) -> str:
    """The full number, for a role that needs it; every call is audited."""
    actor = actor_of(by)
    if not (actor.roles & FULL_ID_ROLES or by.is_superuser):
        raise Forbidden(_("您的角色无权查看完整证件号码。"), code="full_id_forbidden")
    if not purpose.strip():
        raise InvalidInput(_("查看完整证件号码须说明用途。"), code="purpose_required")
    IdentityAccess.objects.create(user=by, applicant=applicant, case=case, purpose=purpose.strip())
    return applicant.id_number


# --- intake ----------------------------------------------------------------------------------


def _active_implementations(item_code: str) -> QuerySet[ItemImplementation]:
    return ItemImplementation.objects.filter(item_code=item_code, is_active=True).select_related("department__region")


def implementation_for(item_code: str, region_code: str) -> ItemImplementation:
    def in_region() -> ItemImplementation | None:
        return _active_implementations(item_code).filter(department__region__code=region_code).first()

    match = access_cache.get(("implementation", item_code, region_code), in_region)
    if match is None:
        implementations = _active_implementations(item_code)
        regions = "、".join(sorted({i.department.region.name for i in implementations})) or _("无")
        raise NotFound(
            _("该事项在所选区划没有实施部门。实施区划：%s。") % regions,
            code="no_implementation",
            details={"regions": sorted({i.department.region.code for i in implementations})},
        )
    return match


def next_case_number(implementation: ItemImplementation, day: datetime.date) -> str:
    """实施编码 + yyyymmdd + 5-digit sequence, from a locked per-day counter (no scan of past cases)."""
    return next_number(f"{implementation.code}{day:%Y%m%d}")


def next_number(prefix: str) -> str:
    """``prefix`` + the next 5-digit value of its counter."""
    table = CaseSequence._meta.db_table
    for _attempt in range(3):
        with connection.cursor() as cursor:  # one round trip: increment and read (PostgreSQL, SQLite ≥ 3.35)
            cursor.execute(f'UPDATE "{table}" SET "last" = "last" + 1 WHERE "prefix" = %s RETURNING "last"', [prefix])
            row = cursor.fetchone()
        if row:
            return f"{prefix}{row[0]:05d}"
        try:
            with transaction.atomic():
                CaseSequence.objects.create(prefix=prefix, last=1)
            return f"{prefix}00001"
        except IntegrityError:
            continue  # another intake created today's counter first: increment it
    raise Conflict(_("生成办件编号失败，请重试。"), code="number_conflict")


# PostgreSQL increments the day's counter and writes the number in one statement (one round trip),
# with the rows to insert along with it (they are inserted whatever the counter).
_SEQUENCE, _CASE = CaseSequence._meta.db_table, Case._meta.db_table
_NUMBER_CASE = f"""
WITH counter AS (UPDATE "{_SEQUENCE}" SET "last" = "last" + 1 WHERE "prefix" = %s RETURNING "last"::text AS n)
{{rows}}UPDATE "{_CASE}" SET "number" = %s || LPAD(n, GREATEST(5, LENGTH(n)), '0') FROM counter
WHERE "{_CASE}"."id" = %s RETURNING "number"
"""


def _number_case(case: Case, day: datetime.date, *rows: Model) -> None:
    """Replace the case's provisional number with its own, as late in the intake as possible: the
    day's counter row stays locked until commit, so concurrent intakes queue for the commit only.
    ``rows`` (the audit event, the Idempotency-Key's record) are inserted by the same statement,
    so no round trip of theirs adds to the time the counter is locked."""
    if connection.vendor == "postgresql":
        prefix = f"{case.implementation.code}{day:%Y%m%d}"
        inserts = [insert_statement(row) for row in rows]
        ctes = "".join(f", row{i} AS ({sql})\n" for i, (sql, _params) in enumerate(inserts))
        params = [prefix, *(value for _sql, values in inserts for value in values), prefix, case.pk]
        with connection.cursor() as cursor:
            cursor.execute(_NUMBER_CASE.format(rows=ctes), params)
            numbered = cursor.fetchone()
        if numbered:  # else the day's first case: the counter row is created below
            case.number = numbered[0]
            return
    else:
        for row in rows:
            insert(row)
    case.number = next_case_number(case.implementation, day)
    Case.objects.filter(pk=case.pk).update(number=case.number)


@dataclass
class MaterialInput:
    material_id: int
    status: str = MaterialStatus.PROVIDED
    note: str = ""
    licence: str = ""  # identifier of an e-licence given instead of the material (一证通办)


def _applicable_materials(case: Case) -> list[Material]:
    return [m for m in case.item.materials.all() if m.sub_item_id in (None, case.sub_item_id)]


@revisions_read_once()
def _submit(
    *,
    by,
    item_code: str,
    region_code: str,
    applicant: Applicant,
    channel: str,
    sub_item: str | None = None,
    form_data: dict | None = None,
    materials: list[MaterialInput] | None = None,
    commitment: bool = False,
    human_decision: bool = False,
    bundle_case: BundleCase | None = None,
    waits_for: list[str] | None = None,
    key_record: Callable[[Case], IdempotencyRecord] | None = None,
) -> Case:
    """Create the case; then, for a single item, decide at once by commitment or by 秒批 rules.

    ``key_record`` makes the Idempotency-Key's record of the new case (see ``submit_once``)."""
    actor = actor_of(by)
    item = item_in_force(item_code)
    sub = _sub_item_of(item, sub_item)
    implementation = implementation_for(item.code, region_code)
    department = implementation.department
    service_point, grant, mode = None, None, HandlingMode.LOCAL

    _know_own_applicant(by, applicant)
    if channel == Channel.ONLINE:
        if applicant.user_id != by.pk and not actor.roles & ACTS_FOR_OTHERS:
            raise Forbidden(_("网上申请只能由申请人本人提交。"), code="not_the_applicant")
        if 2 not in (item.online_stages or []):
            raise InvalidInput(_("“%s”未开通网上收件，请到窗口办理。") % item.name, code="not_online")
        mode = HandlingMode.FULL_ONLINE
    elif channel in (Channel.WINDOW, Channel.PROXY):
        role = Role.CLERK if channel == Channel.WINDOW else Role.PROXY_AGENT
        if role not in actor.roles or actor.service_point is None:
            raise Forbidden(_("只有服务网点的%s可以通过该渠道提交。") % role.label, code="wrong_role")
        service_point = actor.service_point
        grant = front_desk_grant(item, department, service_point, Right.RECEIVE_ACCEPT)
        if is_other_jurisdiction(department, service_point):
            own_system = department.kind in OWN_SYSTEM_AUTHORITIES
            mode = HandlingMode.RECEIVE_ACCEPT_SEPARATED if own_system else HandlingMode.ACCEPT_REVIEW_SEPARATED
    else:
        raise InvalidInput(_("申请渠道无效。"), code="invalid_channel", details={"channel": [_("无效选项")]})

    now = timezone.now()
    state = State.WAITING if waits_for else State.SUBMITTED
    case = Case(
        number=uuid.uuid4().hex,  # provisional: see _number_case
        item=item,
        sub_item=sub,
        implementation=implementation,
        department=department,
        applicant=applicant,
        channel=channel,
        handling_mode=mode,
        state=state,
        service_point=service_point,
        grant=grant,
        form_data=_clean_form(item, form_data or {}),
        submitted_at=now,
        created_by=by,
        visits=1 if channel == Channel.WINDOW else 0,
        originals_to_send=mode == HandlingMode.ACCEPT_REVIEW_SEPARATED,
        originals_receiver=department if mode == HandlingMode.ACCEPT_REVIEW_SEPARATED else None,
        human_decision_requested=human_decision,
        bundle_case=bundle_case,
        waits_for=waits_for or [],
    )
    insert(case)
    with_number = [key_record(case)] if key_record else []
    by_licence = any(m.licence for m in materials or [])
    if by_licence:  # licence look-ups are audited with the case number: number the case before them
        _number_case(case, timezone.localdate(now), *with_number)
    # Kept on the instance so the caller can show the new case without reading them back.
    case.intake_materials = _record_materials(case, materials or [], by=by)
    role = Role.CLERK if channel == Channel.WINDOW else Role.PROXY_AGENT if channel == Channel.PROXY else None
    submitted = _event(
        case,
        Action.SUBMIT,
        actor,
        "",
        state,
        role=role,
        grant=grant,
        data={"channel": channel, "handling_mode": mode, "visit": channel == Channel.WINDOW},
    )
    if by_licence:
        insert(submitted)
    else:
        _number_case(case, timezone.localdate(now), submitted, *with_number)
    if commitment:
        approve_by_commitment(case, actor)
    elif bundle_case is None and decided_at_submission(case):
        decide_automatically(case, actor)
    return case


def decided_at_submission(case: Case) -> bool:
    """Whether 秒批 decides the case as soon as it is submitted: its item has rules and no clerk takes it in
    first. At a window the clerk's intake decision comes first (accept, 容缺, one-time notice); 秒批 then
    runs on the acceptance (``transition``)."""
    return case.channel != Channel.WINDOW and bool(case.item.approval_rules.all())


def decide_automatically(case: Case, actor: Actor) -> None:
    """秒批: every rule passes and the required materials are in → accepted, approved and licensed by 系统.

    The rules run once the application is complete: while required files are still to come the case
    waits, and ``attach_file`` decides when the last one arrives. A failed rule sends the case to a
    human, who sees which. The applicant may ask for a human decision instead (个人信息保护法 art. 24);
    that choice is recorded too.
    """
    if case.human_decision_requested:
        case.auto_decision = {"passed": False, "opted_out": True, "rules": []}
        case.save(update_fields=["auto_decision"])
        _record(
            case,
            Action.AUTO_CHECK,
            None,
            case.state,
            case.state,
            reason=_("申请人要求人工决定"),
            data=case.auto_decision,
        )
        return
    check = materials_check(case)
    if not check["passed"]:  # the application is not complete yet: decided when the last file arrives
        case.auto_decision = {"passed": False, "rules": [check], "waiting_for": check["values"][0]["value"]}
        case.save(update_fields=["auto_decision"])
        return
    owed = list(case.materials.filter(status=MaterialStatus.DEFERRED).values_list("material__name", flat=True))
    if owed:  # accepted with 容缺: no licence while a material is owed, so its department decides
        case.auto_decision = {"passed": False, "rules": [check], "owed": owed}
        case.save(update_fields=["auto_decision"])
        reason = _("容缺受理，尚欠材料：%s，转人工办理") % "、".join(owed)
        _record(case, Action.AUTO_CHECK, None, case.state, case.state, reason=reason, data=case.auto_decision)
        return
    licences = _licences_for_case(
        case, by=actor.user, purpose=_("秒批 %s") % case.number, types=licence_types_read(case.item)
    )
    explanation = explain(case, licences)
    if not explanation.passed:
        case.auto_decision = explanation.as_data()
        case.save(update_fields=["auto_decision"])
        failed = "、".join(r["rule"] for r in explanation.failed)
        reason = _("未通过：%s") % failed
        _record(case, Action.AUTO_CHECK, None, case.state, case.state, reason=reason, data=case.auto_decision)
        return
    explanation.rules.append(check)
    case.auto_decision = explanation.as_data()
    _decide_now(case, Action.AUTO_APPROVE, case.auto_decision)
    if case.bundle_case_id:
        follow_bundle(case, actor)


def _know_own_applicant(user, applicant: Applicant) -> None:
    """The user is this applicant: tell the user object, so the licence look-ups need not read it again."""
    if applicant.user_id == user.pk:
        user.applicant = applicant


def _waits_for_files(case: Case) -> bool:
    return case.state == State.SUBMITTED and bool(case.auto_decision.get("waiting_for"))


def approve_by_commitment(case: Case, actor: Actor) -> None:
    """告知承诺制: the applicant's signed commitment replaces what is missing; approved now, checked later."""
    item = case.item
    if not item.allows_commitment:
        raise InvalidInput(_("“%s”未实行告知承诺制。") % item.name, code="commitment_not_allowed")
    now = timezone.now()
    case.commitment_signed_at = now
    committed = [cm for cm in case.intake_materials if cm.status != MaterialStatus.PROVIDED]
    for cm in committed:
        cm.status = MaterialStatus.COMMITTED
    CaseMaterial.objects.bulk_update(committed, ["status"])
    due = add_working_days(timezone.localdate(now), item.post_check_days)
    case.new_post_check = PostCheck.objects.create(case=case, department=case.department, due_date=due.date)
    _decide_now(
        case,
        Action.APPROVE_BY_COMMITMENT,
        {
            "commitment": item.commitment_text,
            "committed_materials": [cm.material.name for cm in committed],
            "post_check_due": due.date.isoformat(),
        },
    )


def _decide_now(case: Case, action: Action, data: dict) -> None:
    from_state = case.state
    case.accepted_at = case.accepted_at or timezone.now()  # a window's acceptance keeps its time
    deadline = _set_deadline(case, timezone.localdate(case.accepted_at), case.promised_limit)
    granted = _grant(case)
    case.save()
    _record(case, action, None, from_state, case.state, data={**data, **deadline, **granted})


# Take in an application: at a window (clerk), online (the applicant) or by proxy (代办员), all or nothing.
# ``submit_once`` runs ``_submit`` inside its own transaction, saving a savepoint's two round trips.
submit_case = transaction.atomic(_submit)


def _sub_item_of(item, name: str | None):
    subs = list(item.sub_items.all())
    if not subs:
        if name:
            raise InvalidInput(_("该事项没有业务办理项。"), code="invalid_sub_item", details={"sub_item": [_("无效")]})
        return None
    match = next((s for s in subs if s.name == name), None)
    if match is None:
        raise InvalidInput(
            _("请选择业务办理项：%s。") % "、".join(s.name for s in subs),
            code="sub_item_required",
            details={"sub_item": [s.name for s in subs]},
        )
    return match


def _clean_form(item, form_data: dict) -> dict:
    fields = {f["name"]: f for f in item.form_fields or []}
    unknown = sorted(set(form_data) - set(fields))
    missing = [
        f["label"] for name, f in fields.items() if f.get("required") and not str(form_data.get(name, "")).strip()
    ]
    details: dict = {}
    if unknown:
        details["unknown_fields"] = unknown
    if missing:
        details["missing_fields"] = missing
    cleaned, invalid = dict(form_data), {}
    for name, value in form_data.items():
        spec = fields.get(name, {})
        validator = FIELD_VALIDATORS.get(spec.get("type"))
        if validator and str(value).strip():
            try:
                cleaned[name] = validator(value, spec)
            except ValidationError as exc:
                invalid[name] = f"{spec['label']}：{exc.messages[0]}"
    if invalid:
        details["invalid_fields"] = invalid
    if details:
        message = _("申请表有误：") + "；".join(
            ([_("缺少必填项 %s") % "、".join(missing)] if missing else [])
            + ([_("无此字段 %s") % "、".join(unknown)] if unknown else [])
            + list(invalid.values())
        )
        raise InvalidInput(message, code="invalid_form", details=details)
    return cleaned


def _number(value, spec) -> int | float | str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(_("应为数字")) from None
    if not math.isfinite(number) or abs(number) > MAX_FORM_NUMBER:
        raise ValidationError(_("数值超出范围"))
    return value


def _date(value, spec) -> str:
    try:
        if not ISO_DATE.fullmatch(str(value)):
            raise ValueError
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValidationError(_("日期格式应为 YYYY-MM-DD")) from None


def _choice(value, spec) -> str:
    if spec.get("choices") and value not in spec["choices"]:
        raise ValidationError(_("请从以下选项中选择：%s") % "、".join(spec["choices"]))
    return value


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_FORM_NUMBER = 1e12
# Checked by the field's type; identity numbers like the applicant's (and shown masked like it).
FIELD_VALIDATORS = {
    "id_number": lambda value, spec: validate_resident_id(str(value)),
    "credit_code": lambda value, spec: validate_credit_code(str(value)),
    "number": _number,
    "date": _date,
    "choice": _choice,
}


def masked_form(case: Case) -> dict:
    """The application form with every personal identity number masked (credit codes are public)."""
    personal = {f["name"] for f in case.item.form_fields or [] if f.get("type") == "id_number"}
    return {k: mask_id_number(str(v)) if k in personal and v else v for k, v in case.form_data.items()}


def _record_materials(case: Case, inputs: list[MaterialInput], *, by) -> list[CaseMaterial]:
    applicable = {m.pk: m for m in _applicable_materials(case)}
    given = {i.material_id: i for i in inputs}
    unknown = [pk for pk in given if pk not in applicable]
    if unknown:
        raise InvalidInput(_("材料不属于该事项：%s") % unknown, code="invalid_material", details={"materials": unknown})
    bad = [i.material_id for i in inputs if i.status not in {MaterialStatus.PROVIDED, MaterialStatus.MISSING}]
    if bad:
        raise InvalidInput(_("提交时材料状态只能为“已提交”或“缺少”。"), code="invalid_material_status")
    by_licence = [i for i in inputs if i.licence]
    licences = _licences_for_materials(case, by_licence, applicable, by=by) if by_licence else {}
    rows = [
        CaseMaterial(
            case=case,
            material=m,
            status=MaterialStatus.PROVIDED
            if pk in licences
            else given[pk].status
            if pk in given
            else MaterialStatus.MISSING,
            licence=licences.get(pk),
            note=_("电子证照") if pk in licences else given[pk].note if pk in given else "",
        )
        for pk, m in applicable.items()
    ]
    insert(*rows)
    return rows


def _licences_for_materials(case: Case, inputs: list[MaterialInput], materials: dict, *, by) -> dict:
    """一证通办: each chosen licence must be the applicant's, usable today, and of a type that replaces it."""
    purpose = _("受理办件 %s") % case.number
    chosen_ids = [entry.licence for entry in inputs]
    usable = {
        lic.identifier: lic
        for lic in usable_licences(case.applicant.id_number, by=by, purpose=purpose, identifiers=chosen_ids)
    }
    chosen = {}
    for entry in inputs:
        licence = usable.get(entry.licence)
        material = materials[entry.material_id]
        if licence is None:
            raise InvalidInput(
                _("电子证照不可用（不存在、非申请人所有、已过期或已撤销）：%s。") % entry.licence,
                code="licence_not_usable",
                details={"material": entry.material_id, "licence": entry.licence},
            )
        if licence.license_type not in material.replaceable_by.all():
            raise InvalidInput(
                _("“%(licence)s”不能替代材料“%(material)s”。")
                % {"licence": licence.license_type.name, "material": material.name},
                code="licence_not_replacing",
                details={"material": entry.material_id, "licence": entry.licence},
            )
        chosen[entry.material_id] = licence
    return chosen


# --- transitions -----------------------------------------------------------------------------

FRONT, BACK, APPLICANT = "front", "back", "applicant"


@dataclass(frozen=True)
class Rule:
    sources: frozenset
    who: frozenset  # FRONT (window clerk / proxy, with grant if remote), BACK (owning department's approver), APPLICANT
    right: Right | None = None  # grant right needed when a front desk acts for another jurisdiction


def _rule(sources, who, right=None) -> Rule:
    return Rule(frozenset(sources), frozenset(who), right)


PRE_REVIEW = {State.SUBMITTED, State.SUPPLEMENTED}
OPEN = {State.ACCEPTED, State.IN_REVIEW, State.SUSPENDED}
RULES: dict[Action, Rule] = {
    Action.ACCEPT: _rule(PRE_REVIEW, {FRONT, BACK}, Right.RECEIVE_ACCEPT),
    Action.REQUEST_SUPPLEMENT: _rule(PRE_REVIEW, {FRONT, BACK}, Right.ONE_TIME_NOTICE),
    Action.REFUSE: _rule(PRE_REVIEW, {FRONT, BACK}, Right.RECEIVE_ACCEPT),
    Action.SUPPLEMENT: _rule({State.SUPPLEMENT_REQUESTED}, {FRONT, APPLICANT}, Right.RECEIVE_ACCEPT),
    Action.APPROVE_IMMEDIATELY: _rule(PRE_REVIEW, {FRONT}, Right.RECEIVE_ACCEPT),
    Action.START_REVIEW: _rule({State.ACCEPTED}, {BACK}),
    Action.REVIEW: _rule({State.IN_REVIEW}, {BACK}),
    Action.APPROVE: _rule({State.IN_REVIEW}, {BACK}),
    Action.DENY: _rule({State.IN_REVIEW}, {BACK}),
    Action.SUSPEND: _rule({State.ACCEPTED, State.IN_REVIEW}, {BACK}),
    Action.RESUME: _rule({State.SUSPENDED}, {BACK}),
    Action.EXTEND: _rule(OPEN, {BACK}),
    Action.SUPPLY_DEFERRED: _rule(OPEN, {FRONT, BACK, APPLICANT}, Right.RECEIVE_ACCEPT),
    Action.MAKE_RESULT: _rule({State.APPROVED, State.DENIED}, {BACK}),
    Action.DELIVER: _rule({State.RESULT_READY}, {FRONT, BACK}, Right.DELIVER_RESULT),
    Action.CLOSE: _rule({State.DELIVERED}, {BACK}),
    Action.WITHDRAW: _rule(PRE_REVIEW | {State.SUPPLEMENT_REQUESTED, State.WAITING} | OPEN, {FRONT, BACK, APPLICANT}),
    Action.POST_CHECK: _rule(GRANTED_STATES, {BACK}),
}
# Uploading a file changes no state but is authorised and audited like a transition.
ATTACH_RULE = _rule(
    PRE_REVIEW | {State.SUPPLEMENT_REQUESTED, State.WAITING} | OPEN, {FRONT, BACK, APPLICANT}, Right.RECEIVE_ACCEPT
)


@dataclass
class Authorised:
    role: Role | None
    service_point: object = None
    grant: object = None


def _authorise(case: Case, rule: Rule, actor: Actor) -> Authorised:
    if BACK in rule.who and Role.APPROVER in actor.roles and actor.department == case.department:
        return Authorised(Role.APPROVER)
    if FRONT in rule.who and actor.roles & {Role.CLERK, Role.PROXY_AGENT} and actor.service_point:
        point = actor.service_point
        grant = front_desk_grant(case.item, case.department, point, rule.right) if rule.right else None
        if rule.right is None and is_other_jurisdiction(case.department, point) and point != case.service_point:
            raise Forbidden(_("本网点无权处理其他辖区的该办件。"), code="wrong_jurisdiction")
        role = Role.CLERK if Role.CLERK in actor.roles else Role.PROXY_AGENT
        return Authorised(role, point, grant)
    if APPLICANT in rule.who and case.applicant.user_id == actor.user.pk:
        return Authorised(None)
    if Role.APPROVER in actor.roles and BACK in rule.who:
        raise Forbidden(_("该办件由%s承办，您所在部门无权处理。") % case.department.name, code="wrong_department")
    raise Forbidden(_("您的角色无权执行此操作。"), code="wrong_role")


@transaction.atomic
@revisions_read_once()
def transition(case: Case | str, action: str, *, by, reason: str = "", data: dict | None = None) -> Case:
    """Apply ``action`` to the case: lock, authorise, validate, change, audit — all or nothing."""
    locked = _locked_case(case)
    try:
        action = Action(action)
        rule = RULES[action]
    except (ValueError, KeyError):
        raise InvalidInput(_("不支持的操作：%s。") % action, code="invalid_action") from None
    if locked.state not in rule.sources:
        raise Conflict(
            _("办件当前状态为“%(state)s”，不能执行“%(action)s”。")
            % {"state": locked.get_state_display(), "action": action.label},
            code="invalid_transition",
            details={"state": locked.state},
        )
    actor = actor_of(by)
    authorised = _authorise(locked, rule, actor)
    from_state, granted_before = locked.state, locked.granted
    event_data = HANDLERS[action](locked, actor, authorised, reason.strip(), data or {})
    locked.save()
    _record(
        locked,
        action,
        actor,
        from_state,
        locked.state,
        role=authorised.role,
        point=authorised.service_point,
        grant=authorised.grant,
        reason=reason.strip(),
        data=event_data,
    )
    if action == Action.ACCEPT and not locked.auto_decision and locked.item.approval_rules.all():
        decide_automatically(locked, actor)  # taken in at a window, not yet seen by 秒批 (which follows the bundle)
    elif locked.bundle_case_id and locked.granted != granted_before:
        follow_bundle(locked, actor)
    return locked


def follow_bundle(child: Case, actor: Actor) -> None:
    """A bundle child was granted or failed: start or stop the children waiting for it, update the parent;
    then 秒批 decides the children it started that have rules (their licence look-ups audited as ``actor``'s,
    whose step started them).

    Outcomes come from ``Case.granted`` (the decision), not from the state: a denied case whose result
    has been made is still denied.
    """
    siblings = list(
        Case.objects.select_for_update(of=("self",))
        .select_related("result_licence")
        .filter(bundle_case_id=child.bundle_case_id)
        .order_by("pk")
    )
    for sibling in siblings:
        sibling.item = item_index.version(sibling.item_id)  # with its rules and materials, shared: read only
    parent = BundleCase.objects.get(pk=child.bundle_case_id)  # locked by _locked_case
    outcome = {c.item.code: (child.granted if c.pk == child.pk else c.granted) for c in siblings}
    names = {c.item.code: c.item.name for c in siblings}
    changed, started = True, []
    while changed:  # a cancellation can cascade down a chain of dependants
        changed = False
        for sibling in siblings:
            if sibling.state != State.WAITING:
                continue
            needs = {code: outcome.get(code) for code in sibling.waits_for}
            failed = [names[code] for code, granted in needs.items() if granted is False]
            if failed:
                reason = _("前置事项“%s”未获准予，本事项终止办理。") % "、".join(failed)
                _system_step(sibling, Action.CANCEL, State.CANCELLED, {"after": child.number}, reason=reason)
                outcome[sibling.item.code], changed = False, True
            elif all(needs.values()):
                issued = [c.result_licence for c in (child, *siblings) if c.granted and c.result_licence_id]
                given = _give_issued_licences(sibling, issued)
                _system_step(sibling, Action.START, State.SUBMITTED, {"after": child.number, "licences": given})
                started.append(sibling)
                changed = True
    if all(granted is not None for granted in outcome.values()):
        parent.state = BundleCaseState.COMPLETED if all(outcome.values()) else BundleCaseState.PARTLY_FAILED
        parent.completed_at = parent.completed_at or timezone.now()
    else:
        parent.state, parent.completed_at = BundleCaseState.IN_PROGRESS, None
    parent.save(update_fields=["state", "completed_at"])
    for sibling in started:  # each decision follows the bundle again, from the state just saved
        if sibling.item.approval_rules.all():
            decide_automatically(sibling, actor)


def _give_issued_licences(case: Case, issued: list) -> list[str]:
    """The licences the bundle's earlier items issued, given for the materials they replace that are
    still missing (the 营业执照 just issued, for the food licence); their identifiers."""
    by_type = {licence.license_type_id: licence for licence in issued}
    rows = (
        CaseMaterial.objects.filter(case=case, status=MaterialStatus.MISSING, licence=None)
        .select_related("material")
        .prefetch_related("material__replaceable_by")
    )
    given = []
    for row in rows:
        licence = next((by_type[t.pk] for t in row.material.replaceable_by.all() if t.pk in by_type), None)
        if licence is not None:
            row.status, row.licence, row.note = MaterialStatus.PROVIDED, licence, _("电子证照")
            row.save(update_fields=["status", "licence", "note"])
            given.append(licence.identifier)
    return given


def _system_step(case: Case, action: Action, to_state: str, data: dict, reason: str = "") -> None:
    """A change the platform makes itself (handler 系统), audited like any transition."""
    from_state, case.state = case.state, to_state
    now = timezone.now()
    if to_state == State.CANCELLED:
        case.completed_at, case.granted = now, False
    else:  # started: received by its department now, and art. 32's five days count from today
        data = {**data, "waited_since": case.submitted_at.isoformat()}
        case.submitted_at = now
    case.save(update_fields=["state", "completed_at", "granted", "submitted_at"])
    _record(case, action, None, from_state, to_state, reason=reason, data=data)


def _locked_case(case: Case | str) -> Case:
    number = case if isinstance(case, str) else case.number
    parent = Case.objects.filter(number=number).values_list("bundle_case_id", flat=True).first()
    if parent:  # a bundle's children change one at a time: parent first, then child, the same order everywhere
        BundleCase.objects.select_for_update().filter(pk=parent).first()
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("sub_item", "department__region", "applicant", "service_point__region")
        .filter(number=number)
        .first()
    )
    if locked is None:
        raise NotFound(_("办件 %s 不存在。") % number, code="case_not_found")
    locked.item = item_index.version(locked.item_id)  # with its rules and materials, shared: read only
    return locked


def _record(case, action, actor, from_state, to_state, **details) -> None:
    insert(_event(case, action, actor, from_state, to_state, **details))


def _event(case, action, actor, from_state, to_state, *, role=None, point=None, grant=None, reason="", data=None):
    return CaseEvent(
        case=case,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor.user if actor else None,
        actor_role=role.value if role else ("applicant" if actor else "system"),
        service_point=point or (case.service_point if role in {Role.CLERK, Role.PROXY_AGENT} else None),
        grant=grant,
        reason=reason,
        data=data or {},
    )


def _require_reason(reason: str, message: str) -> None:
    if not reason:
        raise InvalidInput(message, code="reason_required", details={"reason": [_("必填")]})


def _set_deadline(case: Case, start: datetime.date, working_days: int) -> dict:
    counted = add_working_days(start, working_days)
    old = case.deadline
    case.deadline, case.deadline_unscheduled = counted.date, counted.unscheduled
    return {
        "old_deadline": old.isoformat() if old else None,
        "deadline": counted.date.isoformat(),
        "deadline_unscheduled": counted.unscheduled,
    }


def _accept(case, actor, authorised, reason, data) -> dict:
    today = timezone.localdate()
    deferred = data.get("deferred", [])
    materials = {cm.material_id: cm for cm in case.materials.select_related("material")}
    owed = []
    for entry in deferred:
        cm = materials.get(entry.get("material"))
        if cm is None or cm.material.necessity != Necessity.DEFERRABLE:
            raise InvalidInput(
                _("只有可容缺的材料才能容缺受理。"), code="not_deferrable", details={"material": entry.get("material")}
            )
        due = _parse_date(entry.get("due_date"), "due_date")
        if due <= today:
            raise InvalidInput(_("容缺材料的补交期限须晚于今天。"), code="invalid_due_date")
        cm.status, cm.due_date = MaterialStatus.DEFERRED, due
        cm.save(update_fields=["status", "due_date"])
        owed.append({"material": cm.material_id, "name": cm.material.name, "due_date": due.isoformat()})
    lacking = [
        cm.material.name
        for cm in materials.values()
        if cm.material.necessity == Necessity.REQUIRED and cm.status != MaterialStatus.PROVIDED
    ]
    if lacking:
        raise InvalidInput(
            _("必要材料不齐，不能受理，请一次性告知：%s。") % "、".join(lacking),
            code="materials_incomplete",
            details={"materials": lacking},
        )
    case.state, case.accepted_at = State.ACCEPTED, timezone.now()
    return {"deferred": owed, **_set_deadline(case, today, case.promised_limit)}


def _request_supplement(case, actor, authorised, reason, data) -> dict:
    problems = data.get("problems") or []
    if not problems or any(not str(p.get("problem", "")).strip() for p in problems):
        raise InvalidInput(_("一次性告知须逐项列明所缺或不符合要求的材料、内容及原因。"), code="problems_required")
    new_facts = str(data.get("new_facts", "")).strip()
    if case.notices.exists() and not new_facts:
        raise Conflict(
            _("本件已作出一次性告知；除非出现新情况（须说明），不得再次告知。"), code="notice_already_issued"
        )
    materials = {cm.material_id: cm for cm in case.materials.all()}
    fields = {f["name"] for f in case.item.form_fields or []}
    for problem in problems:
        material, field = problem.get("material"), problem.get("field")
        if material is None and field is None:
            raise InvalidInput(_("每项告知须指明材料或申请表字段。"), code="problem_target_required")
        if material is not None and material not in materials:
            raise InvalidInput(_("告知的材料不属于该办件。"), code="invalid_material")
        if field is not None and field not in fields:
            raise InvalidInput(_("告知的字段不在申请表中：%s。") % field, code="invalid_field")
        if material is not None:
            cm = materials[material]
            cm.status, cm.note = problem.get("status", MaterialStatus.MISSING), problem["problem"]
            if cm.status not in {MaterialStatus.MISSING, MaterialStatus.FAULTY}:
                raise InvalidInput(_("告知的材料状态只能为“缺少”或“不符合要求”。"), code="invalid_material_status")
            cm.save(update_fields=["status", "note"])
    CaseNotice.objects.create(case=case, problems=problems, new_facts=new_facts, issued_by=actor.user)
    case.state = State.SUPPLEMENT_REQUESTED
    return {"problems": problems, "new_facts": new_facts}


def _provide(case, data, statuses) -> list[int]:
    ids = data.get("materials") or []
    rows = list(case.materials.filter(material_id__in=ids, status__in=statuses))
    if not ids or len(rows) != len(set(ids)):
        raise InvalidInput(_("请列出本次补交的材料（须为该办件待补的材料）。"), code="invalid_material")
    for cm in rows:
        cm.status, cm.due_date, cm.note = MaterialStatus.PROVIDED, None, ""
        cm.save(update_fields=["status", "due_date", "note"])
    return ids


def _in_person(case, authorised) -> bool:
    if authorised.role == Role.CLERK:
        case.visits += 1
        return True
    return False


def _supplement(case, actor, authorised, reason, data) -> dict:
    provided = _provide(case, data, {MaterialStatus.MISSING, MaterialStatus.FAULTY})
    case.state = State.SUPPLEMENTED
    return {"materials": provided, "visit": _in_person(case, authorised)}


def _supply_deferred(case, actor, authorised, reason, data) -> dict:
    return {"materials": _provide(case, data, {MaterialStatus.DEFERRED}), "visit": _in_person(case, authorised)}


def _refuse(case, actor, authorised, reason, data) -> dict:
    _require_reason(reason, _("不予受理须说明法定理由。"))
    case.state, case.completed_at, case.granted = State.REFUSED, timezone.now(), False
    return {}


def _approve_immediately(case, actor, authorised, reason, data) -> dict:
    if case.item.handling_kind != HandlingKind.IMMEDIATE:
        raise Conflict(_("只有即办件可以当场受理并办结。"), code="not_immediate")
    result = _accept(case, actor, authorised, reason, {})
    _check_nothing_owed(case)
    return {**result, **_grant(case)}


def _grant(case: Case) -> dict:
    """Approve: decided and done now, and the item's licence issued in the same transaction."""
    now = timezone.now()
    case.state, case.decided_at, case.completed_at, case.granted = State.APPROVED, now, now, True
    license_type = case.item.result_license_type
    if license_type is None:
        return {}
    applicant = case.applicant
    case.result_licence = issue_licence(
        license_type=license_type,
        holder_name=applicant.name,
        holder_code=applicant.id_number,
        holder_code_type=applicant.id_type,
        issuer=case.department,
        data=_licence_face(case),
    )
    return {"licence": case.result_licence.identifier}


def _licence_face(case: Case) -> dict:
    """照面信息: the item, the case and the form fields its licence type shows, labelled in Chinese."""
    shown = set(case.item.result_license_type.face_fields or [])
    with translation.override("zh-hans"):
        face = {str(_("事项名称")): case.item.name, str(_("办件编号")): case.number}
    face.update(
        (f["label"], case.form_data[f["name"]])
        for f in case.item.form_fields or []
        if f["name"] in shown and f.get("type") != "id_number" and case.form_data.get(f["name"]) not in (None, "")
    )
    return face


def _start_review(case, actor, authorised, reason, data) -> dict:
    case.state = State.IN_REVIEW
    return {}


def _review(case, actor, authorised, reason, data) -> dict:
    limit = MAX_REVIEW_STEPS.get(case.item.item_type, DEFAULT_MAX_REVIEW_STEPS)
    if case.review_steps_done >= limit:
        raise Conflict(_("审查环节已达上限（%d 个），请作出决定。") % limit, code="too_many_review_steps")
    case.review_steps_done += 1
    return {"step": case.review_steps_done, "opinion": str(data.get("opinion", ""))}


def _check_nothing_owed(case) -> None:
    """Before approving: no 容缺 material still owed, no e-licence material gone stale."""
    _check_licences_still_usable(case)
    owed = [
        cm.material.name for cm in case.materials.select_related("material") if cm.status == MaterialStatus.DEFERRED
    ]
    if owed:
        raise Conflict(
            _("容缺材料尚未补齐，不能准予许可：%s。") % "、".join(owed),
            code="deferred_materials_owed",
            details={"materials": owed},
        )


def _approve(case, actor, authorised, reason, data) -> dict:
    _check_nothing_owed(case)
    return _grant(case)


def _check_licences_still_usable(case) -> None:
    """一证通办: a licence given as a material must still be valid when the case is decided."""
    stale = [
        cm.material.name
        for cm in case.materials.select_related("material", "licence")
        if cm.licence_id and not cm.licence.is_usable()
    ]
    if stale:
        raise Conflict(
            _("作为材料的电子证照已撤销或过期，请一次性告知申请人补正：%s。") % "、".join(stale),
            code="licence_no_longer_usable",
            details={"materials": stale},
        )


def _deny(case, actor, authorised, reason, data) -> dict:
    _require_reason(reason, _("不予许可须说明理由和依据。"))
    now = timezone.now()
    case.state, case.decided_at, case.completed_at, case.granted = State.DENIED, now, now, False
    return {}


def _suspend(case, actor, authorised, reason, data) -> dict:
    code = data.get("reason_code")
    if code not in SuspensionReason.values:
        raise InvalidInput(
            _("中止须选择法定事由：%s。") % "、".join(str(label) for label in SuspensionReason.labels),
            code="invalid_suspension_reason",
        )
    case.resume_state, case.state, case.suspended_on = case.state, State.SUSPENDED, timezone.localdate()
    return {"reason_code": code}


def _resume(case, actor, authorised, reason, data) -> dict:
    today = timezone.localdate()
    paused = working_days_between(case.suspended_on, today)
    result = {"paused_working_days": paused, **_set_deadline(case, case.deadline, paused)} if case.deadline else {}
    case.state, case.resume_state, case.suspended_on = case.resume_state, "", None
    return result


def _extend(case, actor, authorised, reason, data) -> dict:
    _require_reason(reason, _("延长期限须说明理由（经本部门负责人批准）。"))
    days = data.get("days")
    used = sum(e.data.get("days", 0) for e in case.events.filter(action=Action.EXTEND))
    if not isinstance(days, int) or days < 1 or used + days > MAX_EXTENSION_DAYS:
        raise InvalidInput(
            _("延长天数须为正整数，累计不超过 %(max)d 个工作日（已延长 %(used)d 个）。")
            % {"max": MAX_EXTENSION_DAYS, "used": used},
            code="invalid_extension",
        )
    if case.deadline is None:
        raise Conflict(_("办件尚无办结期限。"), code="no_deadline")
    return {"days": days, **_set_deadline(case, case.deadline, days)}


def _make_result(case, actor, authorised, reason, data) -> dict:
    case.state = State.RESULT_READY
    return {}


def _deliver(case, actor, authorised, reason, data) -> dict:
    case.state = State.DELIVERED
    return {"visit": bool(data.get("in_person")) and _in_person(case, authorised), "method": data.get("method", "")}


def _close(case, actor, authorised, reason, data) -> dict:
    case.state = State.CLOSED
    return {}


def _withdraw(case, actor, authorised, reason, data) -> dict:
    if authorised.role is not None:
        _require_reason(reason, _("代申请人撤回须注明申请人的撤回意思表示。"))
    case.state, case.completed_at, case.granted = State.WITHDRAWN, timezone.now(), False
    return {}


def _post_check(case, actor, authorised, reason, data) -> dict:
    check = PostCheck.objects.select_for_update().filter(case=case).first()
    if check is None or check.status != PostCheckStatus.PENDING:
        raise Conflict(_("该办件没有待完成的事后核查。"), code="no_pending_post_check")
    passed = data.get("passed")
    if not isinstance(passed, bool):
        raise InvalidInput(
            _("请填写核查结论（属实或不实）。"), code="invalid_post_check", details={"passed": [_("必填")]}
        )
    check.status = PostCheckStatus.PASSED if passed else PostCheckStatus.FAILED
    check.finding, check.checked_at, check.checked_by = reason, timezone.now(), actor.user
    result = {"passed": passed}
    if not passed:
        _require_reason(reason, _("核查不实须写明核查情况和撤销依据。"))
        case.state, case.granted = State.REVOKED, False
        if case.result_licence_id:
            try:
                revoke_licence(case.result_licence, by=actor.user, reason=reason, for_case=case.number)
            except InvalidInput as exc:
                if exc.code != "licence_already_revoked":  # revoked directly before the check: nothing to undo
                    raise
            result["licence_revoked"] = case.result_licence.identifier
        ApplicantMessage.objects.create(
            applicant=case.applicant,
            case=case,
            text=_("您以告知承诺方式办理的“%(item)s”（%(number)s）经核查承诺不实，已撤销许可。理由：%(reason)s")
            % {"item": case.item.name, "number": case.number, "reason": reason},
        )
    check.save()
    return result


HANDLERS: dict[Action, Callable] = {
    Action.ACCEPT: _accept,
    Action.REQUEST_SUPPLEMENT: _request_supplement,
    Action.SUPPLEMENT: _supplement,
    Action.REFUSE: _refuse,
    Action.APPROVE_IMMEDIATELY: _approve_immediately,
    Action.START_REVIEW: _start_review,
    Action.REVIEW: _review,
    Action.APPROVE: _approve,
    Action.DENY: _deny,
    Action.SUSPEND: _suspend,
    Action.RESUME: _resume,
    Action.EXTEND: _extend,
    Action.SUPPLY_DEFERRED: _supply_deferred,
    Action.MAKE_RESULT: _make_result,
    Action.DELIVER: _deliver,
    Action.CLOSE: _close,
    Action.WITHDRAW: _withdraw,
    Action.POST_CHECK: _post_check,
}


def _parse_date(value, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            _("日期格式应为 YYYY-MM-DD。"), code="invalid_date", details={field: [_("日期无效")]}
        ) from None


# --- uploads ---------------------------------------------------------------------------------


def attach_file(case: Case | str, *, by, material_id: int, upload) -> CaseAttachment:
    """Store an uploaded file for one of the case's materials. A refused upload leaves no file and no row."""
    checked = check_and_digest(upload)
    stored = None
    try:
        with transaction.atomic():
            locked = _locked_case(case)
            attachable = _attachable_material(locked, by, material_id)
            stored = checked.store(f"cases/{locked.number}")
            attachment = _attach_stored(locked, attachable, checked, stored, by=by)
            if _waits_for_files(locked):  # 秒批 waited for this file
                decide_automatically(locked, attachable[1])
            return attachment
    except Exception:
        if stored:
            default_storage.delete(stored)  # the row was rolled back: the file must not outlive it
        raise


def attach_intake_file(case: Case, *, by, material_id: int, upload) -> CaseAttachment:
    """The file of a material the applicant declared provided when applying online, attached in the
    intake's own transaction: 秒批 or 告知承诺 may decide the case before its files can follow, and a
    decided case takes no more uploads (``attach_file``). Only the applicant's own account, only a
    material marked provided with neither a licence nor a file yet."""
    checked = check_and_digest(upload)
    stored = None
    try:
        with transaction.atomic():
            locked = _locked_case(case)
            if locked.applicant.user_id != by.pk or locked.created_by_id != by.pk:
                raise Forbidden(_("只有提交该网上申请的申请人本人可以随申请上传材料。"), code="not_the_applicant")
            material = locked.materials.filter(
                material_id=material_id, status=MaterialStatus.PROVIDED, licence__isnull=True, attachments=None
            ).first()
            if material is None:
                raise InvalidInput(_("该材料不属于此办件，或已有文件。"), code="invalid_material")
            stored = checked.store(f"cases/{locked.number}")
            actor = actor_of(by)
            attachment = _attach_stored(locked, (material, actor, Authorised(None)), checked, stored, by=by)
            if _waits_for_files(locked):  # 秒批 waited for this file
                decide_automatically(locked, actor)
            return attachment
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise


@dataclass
class CheckedUpload:
    upload: object
    content_type: str
    sha256: str

    def store(self, folder: str) -> str:
        """Save the bytes once under ``folder``; the stored name is what attachment rows point to."""
        name = f"{folder}/{uuid.uuid4().hex}.{EXTENSIONS[self.content_type]}"
        return default_storage.save(name, self.upload)


def check_and_digest(upload) -> CheckedUpload:
    content_type = check_upload(upload, max_bytes=settings.CASE_UPLOAD_MAX_BYTES)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(upload, content_type, digest.hexdigest())


def _attachable_material(locked: Case, by, material_id: int) -> tuple[CaseMaterial, Actor, Authorised]:
    """The case material a file may be attached to now by ``by``: state, role, jurisdiction and grant."""
    if locked.state not in ATTACH_RULE.sources:
        raise Conflict(
            _("办件当前状态为“%s”，不能再上传材料。") % locked.get_state_display(), code="invalid_transition"
        )
    actor = actor_of(by)
    authorised = _authorise(locked, ATTACH_RULE, actor)
    material = locked.materials.filter(material_id=material_id).first()
    if material is None:
        raise InvalidInput(_("该材料不属于此办件。"), code="invalid_material")
    return material, actor, authorised


def _attach_stored(locked: Case, attachable, checked: CheckedUpload, stored: str, *, by) -> CaseAttachment:
    material, actor, authorised = attachable
    upload = checked.upload
    attachment = CaseAttachment.objects.create(
        case=locked,
        material=material,
        file=stored,
        content_type=checked.content_type,
        size=upload.size,
        sha256=checked.sha256,
        original_name=(upload.name or "")[:200],
        uploaded_by=by,
    )
    _record(
        locked,
        Action.ATTACH,
        actor,
        locked.state,
        locked.state,
        role=authorised.role,
        point=authorised.service_point,
        grant=authorised.grant,
        data={"material": material.material_id, "content_type": checked.content_type, "size": upload.size},
    )
    return attachment


# --- art. 32: online submissions not pre-reviewed in time ------------------------------------


def flag_unreviewed_submissions(today: datetime.date | None = None) -> dict[str, int]:
    """Warn the day before, and record deemed acceptance after, 5 working days without pre-review.

    Each case is locked on its own through ``_locked_case`` (a bundle's parent first), in its own
    transaction: the job never holds many rows while decisions are being made.
    """
    today = today or timezone.localdate()
    counts = {"warned": 0, "deemed_accepted": 0}
    waiting = Case.objects.filter(
        state__in=[State.SUBMITTED, State.SUPPLEMENTED],
        channel__in=[Channel.ONLINE, Channel.PROXY],
        deemed_accepted_at__isnull=True,
    ).values_list("number", flat=True)
    for number in list(waiting):
        with transaction.atomic():
            outcome = _flag_unreviewed(_locked_case(number), today)
        if outcome:
            counts[outcome] += 1
    return counts


def _flag_unreviewed(case: Case, today: datetime.date) -> str | None:
    if case.state not in PRE_REVIEW or case.deemed_accepted_at is not None:
        return None  # pre-reviewed meanwhile
    received = timezone.localdate(case.submitted_at)
    last_day = add_working_days(received, DEEMED_ACCEPTANCE_DAYS).date
    if today > last_day:
        case.deemed_accepted_at = timezone.now()
        case.save(update_fields=["deemed_accepted_at"])
        _record(case, Action.DEEMED_ACCEPTED, None, case.state, case.state, data={"last_day": last_day.isoformat()})
        return "deemed_accepted"
    if not case.deemed_acceptance_warned and today >= add_working_days(received, DEEMED_ACCEPTANCE_DAYS - 1).date:
        case.deemed_acceptance_warned = True
        case.save(update_fields=["deemed_acceptance_warned"])
        _record(
            case,
            Action.DEEMED_ACCEPTANCE_WARNING,
            None,
            case.state,
            case.state,
            data={"last_day": last_day.isoformat()},
        )
        return "warned"
    return None


# --- what a user may see ---------------------------------------------------------------------


def visible_cases(user) -> QuerySet[Case]:
    """Filtered in SQL: approvers their department's, front desks their service point's, supervisors all."""
    cases = Case.objects.all()
    if user.is_superuser:
        return cases
    actor = actor_of(user)
    if Role.SUPERVISOR in actor.roles:
        return cases
    if actor.department is not None and Role.APPROVER in actor.roles:
        return cases.filter(department=actor.department)
    if actor.service_point is not None:
        return cases.filter(service_point=actor.service_point)
    return cases.filter(applicant__user=user)


def _licences_for_case(case: Case, *, by, purpose: str, types: set[str]) -> list:
    """The applicant's usable licences of ``types``, read for a case the caller is already authorised on
    (whoever uploads the file that completes a 秒批 case, an approver of the case), audited with it."""
    found = find_usable_licences(case.applicant.id_number, types=types)
    LicenceLookup.objects.create(user=by, holder_code=case.applicant.id_number, purpose=purpose, found=len(found))
    return found


def case_licences(case: Case, *, by) -> dict:
    """The e-licences of a case for whoever may see the case: those given as materials, the one issued,
    and the applicant's usable licences that could replace its materials (looked up with the case number)."""
    if not visible_cases(by).filter(pk=case.pk).exists():
        raise NotFound(_("办件 %s 不存在。") % case.number, code="case_not_found")
    wanted = {lt.code for m in _applicable_materials(case) for lt in m.replaceable_by.all()}
    usable = _licences_for_case(case, by=by, purpose=_("办件 %s") % case.number, types=wanted) if wanted else []
    given = case.materials.select_related("licence__license_type", "licence__issuer")
    used = [cm.licence for cm in given if cm.licence]
    return {"used": used, "issued": case.result_licence, "usable": usable}


def note_revoked_licence(sender, *, licence, by, reason: str, for_case: str = "", **kwargs) -> None:
    """A licence revoked on its own (not by a post-check): the cases that issued it say so, and the
    applicant is told (connected to ``licences.services.licence_revoked``)."""
    for case in (
        Case.objects.select_related("item", "applicant").filter(result_licence=licence).exclude(number=for_case)
    ):
        _record(case, Action.LICENCE_REVOKED, actor_of(by), case.state, case.state, role=Role.APPROVER, reason=reason)
        ApplicantMessage.objects.create(
            applicant=case.applicant,
            case=case,
            text=_("您办理“%(item)s”（%(number)s）所得的电子证照已被颁发机构撤销。理由：%(reason)s")
            % {"item": case.item.name, "number": case.number, "reason": reason},
        )


# --- idempotent intake (API) -----------------------------------------------------------------


def submit_once(*, by, key: str, fingerprint: str, **submission) -> tuple[Case, bool]:
    """``submit_case`` at most once per (user, Idempotency-Key): the same key and body return the
    first case; the same key with another body is a conflict. Safe under concurrent retries.

    First attempts are the common case, so the key is not looked up first: its record is inserted with
    the case's number (``_number_case``); a repeat is caught by the unique constraint, its intake rolled
    back whole (number, case, event), and the first case returned.
    """

    def key_record(case: Case) -> IdempotencyRecord:
        return IdempotencyRecord(user=by, key=key, body_hash=fingerprint, case=case)

    try:
        with transaction.atomic():  # _submit runs in it, without a savepoint of its own
            return _submit(by=by, key_record=key_record, **submission), True
    except IntegrityError:
        existing = _replay(by, key, fingerprint)  # an earlier or concurrent request with this key
        if existing is None:
            raise
        return existing, False
    except ServiceError:
        # A repeat of a request that succeeded may now be refused (e.g. a revoked grant): answer as before.
        existing = _replay(by, key, fingerprint)
        if existing is None:
            raise
        return existing, False


def _replay(by, key: str, fingerprint: str) -> Case | None:
    record = IdempotencyRecord.objects.select_related("case").filter(user=by, key=key).first()
    if record is None:
        return None
    if record.body_hash != fingerprint:
        raise Conflict(_("该 Idempotency-Key 已用于另一份不同的申请。"), code="idempotency_key_reused")
    return record.case
