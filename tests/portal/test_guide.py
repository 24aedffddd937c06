import shutil
import subprocess

import pytest

from tongban.portal.guide import item_guide
from tongban.portal.models import Doorplate

pytestmark = pytest.mark.django_db

FOOD = "000101009000"


def test_guide_lists_everything_an_applicant_needs(client):
    html = client.get(f"/items/{FOOD}/").content.decode()
    expected = ["受理条件", "设定依据", "申请材料", "食品经营许可申请书", "审批导图", "办理地点", "全市通办"]
    for text in [*expected, "承诺 3 个工作日"]:
        assert text in html, text
    assert "可用电子证照免交" in html  # 营业执照 can be replaced by the e-licence


def test_choosing_the_jurisdiction_narrows_the_places(client):
    cangshan = client.get(f"/items/{FOOD}/", {"region": "350104"}).content.decode()
    assert "仓山区政务服务中心" in cangshan and "鼓楼区政务服务中心" in cangshan  # own hall, and Gulou by grant
    narrowed = {p.name for p in item_guide(FOOD, "350104").halls}
    everywhere = {p.name for p in item_guide(FOOD).halls}
    assert narrowed < everywhere and "晋安区政务服务中心" not in narrowed


def test_unknown_item_is_a_chinese_404(client):
    response = client.get("/items/000000000000/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_guide_pdf_carries_the_guide(client, tmp_path):
    response = client.get(f"/items/{FOOD}/guide.pdf")
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "guide.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    flat = "".join(text.split())
    for words in ["办事指南", "食品经营许可", "申请材料", "审批导图", "演示数据"]:
        assert words in flat, words


def test_bundle_page_shows_its_items_in_order_and_what_it_saves(client):
    html = client.get("/bundles/YJS003/").content.decode()
    steps = html[html.index("包含的事项与办理顺序") :]
    assert steps.index("企业设立登记") < steps.index("食品经营许可")
    assert "在“企业设立登记”准予后开始办理" in html
    assert "材料 14 → 10，填表字段 17 → 13" in html  # catalog.bundles' counts for the demo bundle
    assert "营业执照：由“企业设立登记”办结后签发的电子证照提供" in html
    assert "/bundles/YJS003/apply/" in html


def test_doorplate_page_and_its_printable_qr(client, user_of):
    centre = Doorplate.objects.get(code="comm-gudong-qingcheng")
    html = client.get(f"/community/{centre.code}/").content.decode()
    assert "就近大厅" in html and "公里" in html and "一件事" in html
    assert client.get("/community/fz-gulou/").status_code == 404  # a hall is no doorplate
    client.force_login(user_of("hall_gulou"))
    response = client.post("/admin/portal/doorplate/", {"action": "print_doorplates", "_selected_action": [centre.pk]})
    html = response.content.decode()
    assert response.status_code == 200 and "<svg" in html and f"/community/{centre.code}/" in html
