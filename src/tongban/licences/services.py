"""The e-licence library: issue, look up (audited), revoke and expire licences.

Issuing happens inside the transaction that approves a case (``cases.services``), so a decision
and its licence exist together or not at all.
"""

import datetime
import uuid
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.iso7064 import mod_37_36

from tongban.catalog.models import Item, LicenseType
from tongban.core.errors import Forbidden, InvalidInput, NotFound
from tongban.directory.models import Department, Staff
from tongban.directory.roles import Role, user_roles
from tongban.licences.models import ELicense, HolderCodeType, LicenceLookup, LicenceStatus, TrustLevel

IDENTIFIER_ROOT = "1.2.156.3005.2"  # GB/T 36904 object identifier arc of e-licences
IDENTIFIER_VERSION = "001"
# Front desks look an applicant's licences up while serving them; approvers see those of their
# cases through the case (cases.services.case_licences), never by holder.
FRONT_DESK_ROLES = {Role.CLERK, Role.PROXY_AGENT}


def licence_identifier(type_code: str, issuer_code: str, serial: int) -> str:
    """``1.2.156.3005.2.<type>.<issuer credit code>.<serial>.<version>.<check>``; check is ISO 7064 MOD 37,36."""
    body = f"{IDENTIFIER_ROOT}.{type_code}.{issuer_code}.{serial:010d}.{IDENTIFIER_VERSION}"
    return f"{body}.{mod_37_36.calc_check_digit(body.replace('.', ''))}"


def is_well_formed_identifier(identifier: str) -> bool:
    body, _dot, check = identifier.rpartition(".")
    return body.startswith(IDENTIFIER_ROOT + ".") and mod_37_36.is_valid(body.replace(".", "") + check)


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years) - datetime.timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def issue_licence(
    *,
    license_type: LicenseType,
    holder_name: str,
    holder_code: str,
    holder_code_type: str,
    issuer: Department,
    data: dict | None = None,
    issued_on: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    trust_level: str = TrustLevel.A,
) -> ELicense:
    """A new valid licence; its validity follows the type's ``validity_years`` unless given."""
    if holder_code_type not in HolderCodeType.values:
        raise InvalidInput(_("持证主体代码类型无效。"), code="invalid_holder_code_type")
    issued_on = issued_on or timezone.localdate()
    if valid_until is None and license_type.validity_years:
        valid_until = _add_years(issued_on, license_type.validity_years)
    licence = ELicense(
        license_type=license_type,
        holder_name=holder_name,
        holder_code=holder_code,
        holder_code_type=holder_code_type,
        issuer=issuer,
        issue_date=issued_on,
        valid_from=issued_on,
        valid_until=valid_until,
        region_code=issuer.region.code,
        trust_level=trust_level,
        data=data or {},
    )
    with transaction.atomic(savepoint=False):  # inside an approval: part of its transaction, no savepoint
        # The serial is the row's id: unique and gap-tolerant without a counter row to contend on.
        licence.identifier = licence.number = uuid.uuid4().hex  # placeholder until the id is known
        licence.save()
        licence.identifier = licence_identifier(license_type.code, issuer.credit_code, licence.pk)
        licence.number = f"{licence.region_code}{issued_on:%Y}{licence.pk:08d}"
        ELicense.objects.filter(pk=licence.pk).update(identifier=licence.identifier, number=licence.number)
    return licence


def _is_holder(user, holder_code: str) -> bool:
    applicant = getattr(user, "applicant", None)
    return applicant is not None and applicant.id_number == holder_code


def _may_look_up(user, holder_code: str) -> bool:
    if user.is_superuser or _is_holder(user, holder_code):
        return True
    at_front_desk = Staff.objects.filter(user=user, service_point__isnull=False).exists()
    return at_front_desk and bool(user_roles(user) & FRONT_DESK_ROLES)


def usable_licences(
    holder_code: str,
    *,
    by,
    purpose: str,
    types: Iterable[str] | None = None,
    identifiers: Iterable[str] | None = None,
    on: datetime.date | None = None,
) -> list[ELicense]:
    """The holder's licences usable today (valid, not revoked, not expired), audited with ``purpose``.

    Only the holder and front-desk staff serving them may look, and must say why (the case number).
    ``types`` and ``identifiers`` narrow the look-up to what the caller needs (and reads).
    """
    if not by or not by.is_authenticated or not _may_look_up(by, holder_code):
        raise Forbidden(_("无权查询他人的电子证照。"), code="licence_lookup_forbidden")
    if not purpose.strip():
        raise InvalidInput(_("查询电子证照须说明用途（如办件编号）。"), code="purpose_required")
    usable = find_usable_licences(holder_code, types=types, identifiers=identifiers, on=on)
    LicenceLookup.objects.create(user=by, holder_code=holder_code, purpose=purpose.strip()[:200], found=len(usable))
    return usable


def find_usable_licences(
    holder_code: str,
    *,
    types: Iterable[str] | None = None,
    identifiers: Iterable[str] | None = None,
    on: datetime.date | None = None,
) -> list[ELicense]:
    """The query behind every look-up; callers authorise and audit (``usable_licences``, case views)."""
    on = on or timezone.localdate()
    found = ELicense.objects.select_related("license_type", "issuer").filter(
        holder_code=holder_code, status=LicenceStatus.VALID, valid_from__lte=on
    )
    if types is not None:
        found = found.filter(license_type__code__in=list(types))
    if identifiers is not None:
        found = found.filter(identifier__in=list(identifiers))
    return [lic for lic in found if lic.is_usable(on)]


def offers_for(item: Item, holder_code: str, *, by, purpose: str, sub_item_id: int | None = None) -> list[dict]:
    """一证通办 at intake: for each material of the item, the holder's usable licences that can replace it."""
    materials = [m for m in item.materials.all() if m.sub_item_id in (None, sub_item_id)]
    wanted = {lt.code for m in materials for lt in m.replaceable_by.all()}
    usable = usable_licences(holder_code, by=by, purpose=purpose, types=wanted) if wanted else []
    offers = []
    for material in materials:
        codes = {lt.code for lt in material.replaceable_by.all()}
        matching = [lic for lic in usable if lic.license_type.code in codes]
        if matching:
            offers.append({"material": material, "licences": matching})
    return offers


def own_licences(user) -> QuerySet[ELicense]:
    """Everything issued to the logged-in holder, whatever its status (their own: no audit needed)."""
    applicant = getattr(user, "applicant", None)
    if applicant is None:
        return ELicense.objects.none()
    return ELicense.objects.select_related("license_type", "issuer").filter(holder_code=applicant.id_number)


def licence_for(identifier: str, *, by) -> ELicense:
    """One licence, for its holder and its issuing department (others see it through a case)."""
    licence = ELicense.objects.select_related("license_type", "issuer__region").filter(identifier=identifier).first()
    if licence is None:
        raise NotFound(_("电子证照不存在。"), code="licence_not_found")
    if not by.is_authenticated:
        raise Forbidden(_("无权查看该电子证照。"), code="licence_forbidden")
    holder = _is_holder(by, licence.holder_code)
    if not (holder or by.is_superuser or Staff.objects.filter(user=by, department=licence.issuer).exists()):
        raise Forbidden(_("只有持证人和颁发机构可以查看该电子证照。"), code="licence_forbidden")
    if not holder:  # the issuer's staff reading it leave a trace like any look-up
        LicenceLookup.objects.create(
            user=by, holder_code=licence.holder_code, purpose=_("查看证照 %s") % licence.number, found=1
        )
    return licence


# Sent after a licence is revoked, in the revoking transaction: the cases app notes it on the case.
licence_revoked = Signal()


@transaction.atomic
def revoke_licence(licence: ELicense | str, *, by, reason: str, for_case: str = "") -> ELicense:
    """Revoke at once: the licence is never accepted again. Only the issuing department may revoke.

    ``for_case`` names the case whose own step revokes it (a failed post-check), which records it itself.
    """
    identifier = licence if isinstance(licence, str) else licence.identifier
    locked = ELicense.objects.select_for_update().filter(identifier=identifier).first()
    if locked is None:
        raise NotFound(_("电子证照不存在。"), code="licence_not_found")
    issuer_staff = Staff.objects.filter(user=by, department_id=locked.issuer_id).exists()
    if not (by.is_superuser or (issuer_staff and Role.APPROVER in user_roles(by))):
        raise Forbidden(_("只有颁发机构的审批人员可以撤销该证照。"), code="licence_revoke_forbidden")
    if not reason.strip():
        raise InvalidInput(_("撤销证照须说明原因。"), code="reason_required", details={"reason": [_("必填")]})
    if locked.status == LicenceStatus.REVOKED:
        raise InvalidInput(_("该证照已撤销。"), code="licence_already_revoked")
    locked.status, locked.revoked_at, locked.revoked_by = LicenceStatus.REVOKED, timezone.now(), by
    locked.revoke_reason = reason.strip()[:300]
    locked.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
    licence_revoked.send(sender=ELicense, licence=locked, by=by, reason=locked.revoke_reason, for_case=for_case)
    return locked


def expire_licences(today: datetime.date | None = None) -> int:
    """Mark licences past their end date as expired (run daily); returns how many."""
    today = today or timezone.localdate()
    return ELicense.objects.filter(status=LicenceStatus.VALID, valid_until__lt=today).update(
        status=LicenceStatus.EXPIRED
    )
