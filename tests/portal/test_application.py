"""Online application and the reply to a one-time notice, through the test client."""

import datetime
import io

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from tongban.cases.choices import Action, State
from tongban.cases.models import Case
from tongban.cases.services import transition
from tongban.portal.staging import MAX_AGE_SECONDS, purge_expired, recall

pytestmark = pytest.mark.django_db

ITEM = "000101008000"  # 个体工商户设立登记: online, Cangshan's market bureau among the implementers
CITIZEN_ID = "350104198803151230"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
KEY = "0" * 31 + "1"


@pytest.fixture
def citizen(client, user_of):
    client.force_login(user_of("citizen_zhang"))
    return client


def materials():
    from tongban.catalog.services import item_in_force

    return list(item_in_force(ITEM).materials.all())


def form(**overrides):
    data = {
        "submission_key": KEY,
        "region": "350104",
        "f_applicant_name": "张伟",
        "f_applicant_id_number": CITIZEN_ID,
        "f_business_scope": "预包装食品零售",
        "f_business_address": "福州市仓山区学府南路 12 号",
        "f_contact_phone": "13905910001",
    }
    for m in materials():
        if m.necessity == "required":
            data[f"material_{m.pk}"] = SimpleUploadedFile(f"{m.pk}.png", PNG, content_type="image/png")
    data.update(overrides)
    return data


def test_visitor_is_sent_to_log_in(client):
    response = client.get(f"/items/{ITEM}/apply/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_staff_account_cannot_apply_as_an_applicant(client, user_of):
    client.force_login(user_of("clerk_gulou"))
    html = client.get(f"/items/{ITEM}/apply/").content.decode()
    assert "未关联申请人身份" in html


def test_form_is_prefilled_from_the_account(citizen):
    html = citizen.get(f"/items/{ITEM}/apply/").content.decode()
    assert f'value="{CITIZEN_ID}"' in html and 'name="submission_key"' in html


def test_application_makes_one_case_with_its_files_even_when_sent_twice(citizen):
    first = citizen.post(f"/items/{ITEM}/apply/", form())
    case = Case.objects.get(applicant__id_number=CITIZEN_ID)
    assert first.status_code == 302 and first["Location"] == f"/my/cases/{case.number}/"
    again = citizen.post(f"/items/{ITEM}/apply/", form())  # a double click sends the same key
    assert again["Location"] == first["Location"]
    assert Case.objects.filter(applicant__id_number=CITIZEN_ID).count() == 1
    assert case.state == State.SUBMITTED and case.attachments.count() == 3
    assert case.form_data["business_scope"] == "预包装食品零售"


def test_bad_identity_number_is_shown_next_to_its_field(citizen):
    response = citizen.post(f"/items/{ITEM}/apply/", form(f_applicant_id_number="350104198803151231"))
    html = response.content.decode()
    assert 'id="id_f_applicant_id_number_error"' in html and "校验码" in html
    assert not Case.objects.filter(applicant__id_number=CITIZEN_ID).exists()


def test_wrong_type_and_oversized_files_are_refused_and_good_ones_kept(citizen, settings):
    settings.CASE_UPLOAD_MAX_BYTES = 1024
    ms = [m for m in materials() if m.necessity == "required"]
    data = form()
    data[f"material_{ms[0].pk}"] = SimpleUploadedFile("x.png", b"MZ not an image", content_type="image/png")
    data[f"material_{ms[1].pk}"] = SimpleUploadedFile("big.png", PNG + b"\x00" * 2048, content_type="image/png")
    html = citizen.post(f"/items/{ITEM}/apply/", data).content.decode()
    assert f'id="id_material_{ms[0].pk}_error"' in html and "只接受 PDF、JPEG、PNG 或 OFD 文件" in html
    assert f'id="id_material_{ms[1].pk}_error"' in html and "超过上限" in html
    assert f'name="staged_{ms[2].pk}"' in html and "已保留" in html  # the good file survives the error
    assert "预包装食品零售" in html  # what was typed is still there
    assert not Case.objects.filter(applicant__id_number=CITIZEN_ID).exists()


def test_kept_file_is_used_on_the_next_try(citizen):
    ms = [m for m in materials() if m.necessity == "required"]
    data = form(f_business_scope="")
    html = citizen.post(f"/items/{ITEM}/apply/", data).content.decode()
    tokens = {m.pk: html.split(f'name="staged_{m.pk}" value="')[1].split('"')[0] for m in ms}
    retry = form(**{f"staged_{pk}": token for pk, token in tokens.items()})
    for m in ms:
        retry.pop(f"material_{m.pk}")
    assert citizen.post(f"/items/{ITEM}/apply/", retry).status_code == 302
    assert Case.objects.get(applicant__id_number=CITIZEN_ID).attachments.count() == 3


def test_another_accounts_kept_file_is_ignored(client, user_of):
    client.force_login(user_of("citizen_zhang"))
    html = client.post(f"/items/{ITEM}/apply/", form(f_business_scope="")).content.decode()
    m = next(m for m in materials() if m.necessity == "required")
    token = html.split(f'name="staged_{m.pk}" value="')[1].split('"')[0]
    assert recall(user_of("citizen_zhang"), token) is not None
    assert recall(user_of("clerk_gulou"), token) is None
    assert recall(user_of("citizen_zhang"), token + "x") is None


def test_an_abandoned_kept_file_is_purged_once_its_token_has_expired(client, user_of):
    zhang = user_of("citizen_zhang")
    client.force_login(zhang)
    html = client.post(f"/items/{ITEM}/apply/", form(f_business_scope="")).content.decode()
    m = next(m for m in materials() if m.necessity == "required")
    kept = recall(zhang, html.split(f'name="staged_{m.pk}" value="')[1].split('"')[0])

    assert purge_expired() == 0 and default_storage.exists(kept.path)  # still usable today
    later = timezone.now() + datetime.timedelta(seconds=MAX_AGE_SECONDS + 60)
    out = io.StringIO()
    with time_machine.travel(later, tick=False):
        call_command("purge_staged_uploads", stdout=out)
    assert not default_storage.exists(kept.path) and "已删除：" in out.getvalue()


def test_one_time_notice_answered_online(citizen, user_of):
    citizen.post(f"/items/{ITEM}/apply/", form())
    case = Case.objects.get(applicant__id_number=CITIZEN_ID)
    lease = next(m for m in materials() if "经营场所" in m.name)
    transition(
        case,
        Action.REQUEST_SUPPLEMENT,
        by=user_of("approver_cangshan"),
        data={"problems": [{"material": lease.pk, "status": "faulty", "problem": "缺少出租方签字页"}]},
    )
    html = citizen.get(f"/my/cases/{case.number}/").content.decode()
    assert "缺少出租方签字页" in html and f'name="material_{lease.pk}"' in html
    missing = citizen.post(f"/my/cases/{case.number}/", {"note": ""}).content.decode()
    assert "请上传补正后的材料。" in missing
    upload = SimpleUploadedFile("lease.png", PNG, content_type="image/png")
    response = citizen.post(f"/my/cases/{case.number}/", {f"material_{lease.pk}": upload, "note": "已补签字页"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.SUPPLEMENTED and case.attachments.count() == 4


def test_someone_elses_case_is_not_found(client, citizen, user_of):
    citizen.post(f"/items/{ITEM}/apply/", form())
    case = Case.objects.get(applicant__id_number=CITIZEN_ID)
    client.force_login(user_of("clerk_city"))
    assert client.get(f"/my/cases/{case.number}/").status_code == 404


class TestProgress:
    @pytest.fixture(autouse=True)
    def fresh_limits(self):
        cache.clear()

    def test_right_pair_shows_the_progress_wrong_pair_one_neutral_message(self, client, citizen):
        citizen.post(f"/items/{ITEM}/apply/", form())
        case = Case.objects.get(applicant__id_number=CITIZEN_ID)
        client.logout()
        ok = client.post("/progress/", {"number": case.number.lower(), "id_number": CITIZEN_ID})
        assert "已提交，待预审" in ok.content.decode()
        wrong_id = client.post("/progress/", {"number": case.number, "id_number": "110105194912310021"})
        wrong_number = client.post("/progress/", {"number": case.number + "9", "id_number": CITIZEN_ID})
        message = "未找到与该办件编号和证件号码相符的办件，请核对后重试。"
        assert message in wrong_id.content.decode() and message in wrong_number.content.decode()

    def test_guessing_is_stopped(self, client, citizen):
        citizen.post(f"/items/{ITEM}/apply/", form())
        case = Case.objects.get(applicant__id_number=CITIZEN_ID)
        for n in range(10):
            client.post("/progress/", {"number": case.number, "id_number": f"11010519491231{n:03d}X"})
        blocked = client.post("/progress/", {"number": case.number, "id_number": CITIZEN_ID})
        assert "查询失败次数过多" in blocked.content.decode()

    def test_qr_link_prefills_the_number(self, client):
        html = client.get("/progress/ABC123").content.decode()
        assert 'value="ABC123"' in html
