import pytest

from tests.factories import draft_item, published_item
from tongban.catalog.choices import ItemStatus
from tongban.catalog.models import Item

pytestmark = pytest.mark.django_db


def test_catalog_admin_edits_own_kind_draft_only(client, user_of):
    client.force_login(user_of("catalog_market"))
    market = draft_item(authority_kind="market")
    health = draft_item(authority_kind="health")
    assert b'name="_save"' in client.get(f"/admin/catalog/item/{market.pk}/change/").content
    assert b'name="_save"' not in client.get(f"/admin/catalog/item/{health.pk}/change/").content


def test_published_item_page_is_read_only(client, user_of):
    client.force_login(user_of("admin"))
    item = published_item()
    page = client.get(f"/admin/catalog/item/{item.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_admin_actions_publish_and_draft_new_version(client, user_of):
    client.force_login(user_of("catalog_market"))
    draft = draft_item(authority_kind="market", legal_limit=20, promised_limit=10)
    response = client.post(
        "/admin/catalog/item/", {"action": "publish_selected", "_selected_action": [draft.pk]}, follow=True
    )
    assert "已发布 1 个事项" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ItemStatus.PUBLISHED
    client.post("/admin/catalog/item/", {"action": "draft_new_versions", "_selected_action": [draft.pk]})
    assert Item.objects.filter(code=draft.code, version=2, status=ItemStatus.DRAFT).exists()


def test_clerk_cannot_reach_catalog_admin(client, user_of):
    client.force_login(user_of("clerk_gulou"))
    response = client.get("/admin/catalog/item/")
    assert response.status_code == 302  # clerks are not admin-site staff


def test_norm_warning_filter(client, user_of):
    client.force_login(user_of("admin"))
    over = published_item(legal_limit=20, promised_limit=10)
    response = client.get("/admin/catalog/item/", {"promised_norm": "over", "q": over.code})
    assert over in response.context["cl"].result_list
    assert "超过法定时限30%" in response.content.decode()
