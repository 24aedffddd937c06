"""秒批 and 告知承诺制 in the online application: the choices offered, and how the case page explains
the outcome (个人信息保护法 art. 24), through the test client."""

import pytest

from tests.cases.conftest import MUCK_ITEM, muck_form
from tests.portal.conftest import muck_application
from tongban.cases.choices import Action, Channel, MaterialStatus, PostCheckStatus, State
from tongban.cases.models import Case
from tongban.cases.services import MaterialInput, attach_intake_file, submit_case, transition
from tongban.catalog.services import item_in_force
from tongban.licences.models import LicenceLookup, LicenceStatus

pytestmark = pytest.mark.django_db

APPLY = f"/items/{MUCK_ITEM}/apply/"
FOOD = "000101009000"  # 食品经营许可: 告知承诺制 in the demo, decided by Cangshan's market bureau
OPT_OUT = "不接受系统自动审批，要求人工审核（个人信息保护法第二十四条）"


def submit_muck(client, **overrides) -> Case:
    response = client.post(APPLY, muck_application(client.get(APPLY).content.decode(), **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Case.objects.get(number=response["Location"].rstrip("/").rsplit("/", 1)[1])


def test_the_form_offers_the_opt_out_and_the_licences_and_audits_the_look_up(enterprise):
    html = enterprise.get(APPLY).content.decode()
    assert OPT_OUT in html and "签署告知承诺书" not in html
    assert "您的电子证照可代替 3 项材料" in html
    lookup = LicenceLookup.objects.latest("at")
    assert lookup.user.username == "enterprise_rongyun" and "城市建筑垃圾处置" in lookup.purpose


def test_auto_approval_with_licences_shows_every_rule_and_the_licence_to_download(enterprise):
    case = submit_muck(enterprise)

    assert case.state == State.APPROVED and case.result_licence is not None
    by_licence = case.materials.filter(licence__isnull=False).count()
    assert by_licence == 3 and case.attachments.count() == 2  # the files came in with the case, before 秒批 decided
    html = enterprise.get(f"/my/cases/{case.number}/").content.decode()
    assert "系统自动审批（秒批）：准予" in html
    for words in ["持有有效的道路运输经营许可证", "车辆数量（辆）", "电子证照库", "申请表", "系统时钟", "必要材料齐全"]:
        assert words in html, words
    assert html.count('<span class="badge ok">满足</span>') == 6
    pdf = enterprise.get(f"/my/licences/{case.result_licence.identifier}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_opting_out_leaves_the_case_to_a_human(enterprise):
    case = submit_muck(enterprise, human_decision="on")

    assert case.state == State.SUBMITTED and case.human_decision_requested and case.result_licence is None
    html = enterprise.get(f"/my/cases/{case.number}/").content.decode()
    assert "申请人选择不接受系统自动审批" in html and "满足" not in html


def test_a_failing_rule_says_which_and_goes_to_a_human(enterprise):
    case = submit_muck(enterprise, f_vehicle_count="0")

    assert case.state == State.SUBMITTED
    html = enterprise.get(f"/my/cases/{case.number}/").content.decode()
    assert "转人工审核" in html and "未满足的条件：运输车辆 1–200 辆" in html
    assert '<span class="badge bad">不满足</span>' in html


def food_application(**overrides) -> dict:
    item = item_in_force(FOOD)
    values = {
        "enterprise_name": "福州榕运渣土运输有限公司（演示）",
        "credit_code": "91350104M0000D0145",
        "legal_representative": "陈建",
        "contact_phone": "0591-88880000",
        "business_address": "福州市仓山区金山大道 8 号",
        "food_business_category": "餐饮服务经营者",
        "food_business_items": "热食类食品制售",
    }
    data = {"submission_key": "c" * 32, "region": "350104", "sub": "新办"}
    data.update({f"f_{f['name']}": values.get(f["name"], "测试") for f in item.form_fields if f.get("required")})
    data.update(overrides)
    return data


def test_commitment_approves_at_once_and_names_the_post_check(enterprise):
    html = enterprise.get(f"/items/{FOOD}/apply/?sub=新办").content.decode()
    assert "签署告知承诺书" in html and item_in_force(FOOD).commitment_text[:20] in html
    unsigned = enterprise.post(f"/items/{FOOD}/apply/", food_application()).content.decode()
    assert "请上传此项必要材料" in unsigned  # without the commitment the required files are still needed

    response = enterprise.post(f"/items/{FOOD}/apply/", food_application(commitment="on"))

    case = Case.objects.get(number=response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert case.state == State.APPROVED and case.commitment_signed_at
    assert case.materials.filter(status=MaterialStatus.COMMITTED).exists()
    page = enterprise.get(f"/my/cases/{case.number}/").content.decode()
    assert "告知承诺：已当场准予" in page and case.post_check.due_date.isoformat() in page
    assert "待核查" in page and "以承诺代替的材料" in page


def test_a_failed_post_check_shows_the_message_and_the_revoked_licence(enterprise, user_of):
    response = enterprise.post(f"/items/{FOOD}/apply/", food_application(commitment="on"))
    case = Case.objects.get(number=response["Location"].rstrip("/").rsplit("/", 1)[1])
    transition(
        case, Action.POST_CHECK, by=user_of("approver_cangshan"), reason="现场无经营场所", data={"passed": False}
    )

    page = enterprise.get(f"/my/cases/{case.number}/").content.decode()
    assert "经核查承诺不实，已撤销许可。理由：现场无经营场所" in page
    assert "告知承诺：经核查承诺不实，许可已撤销" in page
    assert "理由：现场无经营场所" in enterprise.get("/my/cases/").content.decode()  # in the list too
    assert "核查不实" in page and "已撤销" in page
    case.refresh_from_db()
    assert case.post_check.status == PostCheckStatus.FAILED and case.result_licence.status == LicenceStatus.REVOKED


def test_a_file_refused_at_attachment_rolls_the_application_back(enterprise, monkeypatch):
    from django.core.files.storage import default_storage

    from tongban.core.errors import InvalidInput
    from tongban.portal import application

    stored = []

    def second_refused(case, *, by, material_id, upload):
        if stored:
            raise InvalidInput("文件已损坏。", code="invalid_upload")
        attachment = attach_intake_file(case, by=by, material_id=material_id, upload=upload)
        stored.append(attachment.file.name)
        return attachment

    monkeypatch.setattr(application, "attach_intake_file", second_refused)
    page = enterprise.post(APPLY, muck_application(enterprise.get(APPLY).content.decode())).content.decode()

    assert "文件已损坏。" in page and "申请未提交" in page
    assert not Case.objects.filter(item__code=MUCK_ITEM).exists()
    assert stored and not default_storage.exists(stored[0])  # the file stored before the refusal is gone
    assert page.count('name="staged_') == 1  # the good file is kept for the next try, the refused one is not


def test_a_case_filed_without_a_required_file_says_what_auto_approval_waits_for(enterprise, user_of):
    user = user_of("enterprise_rongyun")
    item = item_in_force(MUCK_ITEM)
    materials = [MaterialInput(m.pk) for m in item.materials.all()]  # declared, no files: as over the API
    case = submit_case(
        by=user,
        item_code=MUCK_ITEM,
        region_code="350104",
        applicant=user.applicant,
        channel=Channel.ONLINE,
        form_data=muck_form(),
        materials=materials,
    )

    assert case.state == State.SUBMITTED and case.auto_decision["waiting_for"]
    page = enterprise.get(f"/my/cases/{case.number}/").content.decode()
    assert "待补齐材料后自动审批" in page and "建筑垃圾消纳场所证明" in page and "转人工审核" not in page
