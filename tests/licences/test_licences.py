"""The e-licence library: identifiers, reuse at intake, expiry, revocation, audited look-ups, downloads."""

import datetime
import io
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from tests.cases.conftest import ENTERPRISE_CODE, MUCK_ITEM, licence_of
from tongban.cases.choices import MaterialStatus
from tongban.cases.services import MaterialInput
from tongban.catalog.models import Item, LicenseType
from tongban.core.errors import Forbidden, InvalidInput
from tongban.directory.models import Department
from tongban.licences.models import ELicense, LicenceLookup, LicenceStatus
from tongban.licences.services import (
    expire_licences,
    is_well_formed_identifier,
    issue_licence,
    revoke_licence,
    usable_licences,
)

pytestmark = pytest.mark.django_db


def test_identifiers_have_the_gbt_36904_shape_and_a_check_character(enterprise_user):
    licence = licence_of(enterprise_user, "DLYS0001")
    parts = licence.identifier.split(".")
    assert parts[:5] == ["1", "2", "156", "3005", "2"] and parts[5] == "DLYS0001"
    assert parts[6] == licence.issuer.credit_code and parts[8] == "001" and len(parts[9]) == 1
    assert is_well_formed_identifier(licence.identifier)
    assert not is_well_formed_identifier(licence.identifier[:-1] + ("0" if parts[9] != "0" else "1"))


def test_expired_and_revoked_licences_are_never_usable(enterprise_user, user_of):
    holder = enterprise_user.applicant.id_number
    dlys, yyzz = licence_of(enterprise_user, "DLYS0001"), licence_of(enterprise_user, "YYZZ0001")
    clerk = user_of("clerk_gulou")
    assert {lic.identifier for lic in usable_licences(holder, by=clerk, purpose="核对")} >= {dlys.identifier}

    ELicense.objects.filter(pk=dlys.pk).update(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    revoke_licence(yyzz, by=user_of("admin"), reason="测试")
    usable = {lic.license_type.code for lic in usable_licences(holder, by=clerk, purpose="核对")}
    assert "DLYS0001" not in usable and "YYZZ0001" not in usable and "DLYSZ001" in usable  # expired by date already

    assert expire_licences() == 1
    dlys.refresh_from_db()
    assert dlys.status == LicenceStatus.EXPIRED
    out = io.StringIO()
    call_command("expire_licences", stdout=out)
    assert out.getvalue().strip() == "已过期：0"


def test_an_unusable_or_unfit_licence_is_refused_at_intake(submit_muck, enterprise_user, user_of):
    item = Item.objects.in_force().get(code=MUCK_ITEM)
    permit = next(m for m in item.materials.all() if m.material_type.code == "M046")
    dlys = licence_of(enterprise_user, "DLYS0001")
    revoke_licence(dlys, by=user_of("admin"), reason="吊销")
    with pytest.raises(InvalidInput) as revoked:
        submit_muck(materials=[MaterialInput(permit.pk, licence=dlys.identifier)])
    assert revoked.value.code == "licence_not_usable"

    wrong_type = licence_of(enterprise_user, "YYZZ0001")  # a business licence does not replace the transport permit
    with pytest.raises(InvalidInput) as unfit:
        submit_muck(materials=[MaterialInput(permit.pk, licence=wrong_type.identifier)])
    assert unfit.value.code == "licence_not_replacing"


def test_someone_elses_licence_is_refused(submit_muck, enterprise_user):
    other = issue_licence(
        license_type=LicenseType.objects.get(code="DLYS0001"),
        holder_name="别的公司",
        holder_code=ENTERPRISE_CODE,
        holder_code_type="001",
        issuer=Department.objects.get(region__code="350104", kind="transport"),
    )
    item = Item.objects.in_force().get(code=MUCK_ITEM)
    permit = next(m for m in item.materials.all() if m.material_type.code == "M046")
    with pytest.raises(InvalidInput) as refused:
        submit_muck(materials=[MaterialInput(permit.pk, MaterialStatus.PROVIDED, licence=other.identifier)])
    assert refused.value.code == "licence_not_usable"


def test_look_ups_need_a_role_or_the_holder_and_a_purpose_and_are_audited(enterprise_user, user_of):
    holder = enterprise_user.applicant.id_number
    stranger = get_user_model().objects.create(username="stranger")
    with pytest.raises(Forbidden):
        usable_licences(holder, by=stranger, purpose="好奇")
    with pytest.raises(InvalidInput):
        usable_licences(holder, by=user_of("clerk_gulou"), purpose="  ")
    with pytest.raises(Forbidden):  # approvers see licences through their cases, never by holder
        usable_licences(holder, by=user_of("approver_cangshan"), purpose="随便看看")
    before = LicenceLookup.objects.count()
    usable_licences(holder, by=enterprise_user, purpose="自查")
    usable_licences(holder, by=user_of("clerk_gulou"), purpose="窗口受理")
    assert LicenceLookup.objects.count() == before + 2
    last = LicenceLookup.objects.order_by("-id").first()
    assert last.purpose == "窗口受理" and last.found == 3 and last.holder_code == holder


def test_only_the_issuing_department_revokes_with_a_reason(enterprise_user, user_of, approver_for):
    dlys = licence_of(enterprise_user, "DLYS0001")
    with pytest.raises(Forbidden):
        revoke_licence(dlys, by=user_of("approver_cangshan"), reason="不是我发的")  # market, not transport
    issuer_approver = approver_for(dlys.issuer)
    with pytest.raises(InvalidInput):
        revoke_licence(dlys, by=issuer_approver, reason=" ")
    revoked = revoke_licence(dlys, by=issuer_approver, reason="车辆不达标")
    assert revoked.status == LicenceStatus.REVOKED and revoked.revoked_by == issuer_approver
    with pytest.raises(InvalidInput) as again:
        revoke_licence(dlys, by=issuer_approver, reason="再撤")
    assert again.value.code == "licence_already_revoked"


def test_the_holder_lists_and_downloads_their_own_licences(api, enterprise_user, user_of, tmp_path):
    api.force_authenticate(enterprise_user)
    mine = api.get("/api/v1/licences/mine").json()
    assert {lic["license_type"]["code"] for lic in mine} == {"YYZZ0001", "DLYS0001", "DLYSZ001"}
    identifier = next(lic["identifier"] for lic in mine if lic["license_type"]["code"] == "DLYS0001")

    pdf = api.get(f"/api/v1/licences/{identifier}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "licence.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "道路运输经营许可证" in text and "演示数据" in text and identifier in text

    api.force_authenticate(get_user_model().objects.create(username="nosy"))
    assert api.get(f"/api/v1/licences/{identifier}").status_code == 403
    assert api.get("/api/v1/licences/mine").json() == []
    for outsider in ("approver_gulou", "clerk_gulou"):  # neither the holder nor the issuer
        api.force_authenticate(user_of(outsider))
        assert api.get(f"/api/v1/licences/{identifier}/pdf").status_code == 403


def test_approvers_see_the_licences_of_their_own_cases_only(api, submit_muck, user_of, approver_for):
    case = submit_muck(human_decision=True)
    api.force_authenticate(approver_for(case.department))
    seen = api.get(f"/api/v1/cases/{case.number}/licences").json()
    assert {lic["license_type"]["code"] for lic in seen["used"]} == {"YYZZ0001", "DLYS0001", "DLYSZ001"}
    assert seen["issued"] is None and len(seen["usable"]) == 3
    assert LicenceLookup.objects.filter(purpose=f"办件 {case.number}").exists()
    api.force_authenticate(user_of("approver_gulou"))  # another department: the case does not exist for them
    assert api.get(f"/api/v1/cases/{case.number}/licences").status_code == 404


def test_the_library_api_lists_usable_licences_for_staff_and_revokes(api, enterprise_user, user_of, approver_for):
    holder = enterprise_user.applicant.id_number
    api.force_authenticate(user_of("clerk_gulou"))
    missing_purpose = api.get("/api/v1/licences", {"holder": holder})
    assert missing_purpose.status_code == 400
    found = api.get("/api/v1/licences", {"holder": holder, "purpose": "窗口受理", "types": "DLYS0001"}).json()
    assert [lic["license_type"]["code"] for lic in found] == ["DLYS0001"] and found[0]["usable"]

    api.force_authenticate(approver_for(licence_of(enterprise_user, "DLYS0001").issuer))
    revoked = api.post(f"/api/v1/licences/{found[0]['identifier']}/revoke", {"reason": "违规经营"}, format="json")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked" and not revoked.json()["usable"]
