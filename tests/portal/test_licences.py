"""我的电子证照 and licences offered in place of materials: only one's own, only usable ones."""

import datetime

import pytest

from tests.cases.conftest import MUCK_ITEM, licence_of
from tests.portal.conftest import muck_application, offered
from tongban.cases.models import Case
from tongban.catalog.services import item_in_force
from tongban.licences.models import ELicense
from tongban.licences.services import revoke_licence

pytestmark = pytest.mark.django_db

APPLY = f"/items/{MUCK_ITEM}/apply/"


def material_replaced_by(type_code: str):
    return next(
        m for m in item_in_force(MUCK_ITEM).materials.all() if type_code in {lt.code for lt in m.replaceable_by.all()}
    )


def test_my_licences_lists_every_status_and_downloads_my_own(enterprise, user_of):
    dlys = licence_of(user_of("enterprise_rongyun"), "DLYS0001")
    revoke_licence(dlys, by=user_of("admin"), reason="测试：吊销")

    html = enterprise.get("/my/licences/").content.decode()

    assert "道路运输经营许可证" in html and "已撤销" in html and "撤销原因：测试：吊销" in html
    assert "有效，可用于办事" in html  # the others
    response = enterprise.get(f"/my/licences/{dlys.identifier}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_someone_elses_licence_is_not_found(client, user_of):
    theirs = licence_of(user_of("enterprise_rongyun"), "YYZZ0001")
    client.force_login(user_of("citizen_zhang"))
    assert client.get(f"/my/licences/{theirs.identifier}.pdf").status_code == 404
    assert theirs.number not in client.get("/my/licences/").content.decode()


def test_a_visitor_is_sent_to_log_in(client):
    assert client.get("/my/licences/")["Location"].startswith("/login/")


def test_revoked_and_expired_licences_are_not_offered(enterprise, user_of):
    owner = user_of("enterprise_rongyun")
    revoke_licence(licence_of(owner, "DLYS0001"), by=user_of("admin"), reason="测试：吊销")
    expired = licence_of(owner, "DLYSZ001")
    ELicense.objects.filter(pk=expired.pk).update(valid_until=datetime.date(2020, 1, 1))  # status not yet updated

    html = enterprise.get(APPLY).content.decode()

    assert offered(html, material_replaced_by("DLYS0001").pk) == []
    assert offered(html, material_replaced_by("DLYSZ001").pk) == []
    assert offered(html, material_replaced_by("YYZZ0001").pk) == [licence_of(owner, "YYZZ0001").identifier]


def test_a_licence_revoked_after_the_page_was_shown_is_refused_next_to_its_material(enterprise, user_of):
    html = enterprise.get(APPLY).content.decode()
    data = muck_application(html)
    dlys = licence_of(user_of("enterprise_rongyun"), "DLYS0001")
    revoke_licence(dlys, by=user_of("admin"), reason="测试：吊销")

    page = enterprise.post(APPLY, data).content.decode()

    material = material_replaced_by("DLYS0001")
    assert f'id="id_material_{material.pk}_error"' in page and "您选择的电子证照已不可用" in page
    assert not offered(page, material.pk)  # and it is no longer offered
    assert not Case.objects.filter(item__code=MUCK_ITEM).exists()


def test_someone_elses_licence_cannot_be_posted(enterprise, client, user_of):
    """The muck form posted by a citizen with the enterprise's licences: refused, no case."""
    data = muck_application(enterprise.get(APPLY).content.decode())
    client.force_login(user_of("citizen_zhang"))

    page = client.post(APPLY, data).content.decode()

    assert page.count("您选择的电子证照已不可用") == 3
    assert not Case.objects.filter(item__code=MUCK_ITEM).exists()
