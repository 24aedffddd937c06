"""Unhappy paths found in review: rights outside the admin, backdating, bad cells, admin 500s."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone, translation

from tests.catalog.test_excel import exported_workbook, renumber, sample_item, to_file
from tests.factories import draft_item, next_code, published_item
from tongban.catalog.excel import ImportFailed, import_items
from tongban.catalog.models import BundleItem, Item, ItemImplementation
from tongban.catalog.services import draft_new_version, item_in_force, publish_item, retire_item
from tongban.core.errors import Forbidden, InvalidInput
from tongban.core.views import server_error

pytestmark = pytest.mark.django_db


class TestCatalogRightsInServices:
    def test_catalog_admin_cannot_publish_other_kind(self, user_of):
        with pytest.raises(Forbidden) as exc:
            publish_item(draft_item(authority_kind="health"), by=user_of("catalog_market"))
        assert exc.value.code == "not_item_owner"

    def test_approver_cannot_publish_or_draft(self, user_of):
        item = published_item(authority_kind="market")
        with pytest.raises(Forbidden):
            draft_new_version(item, by=user_of("approver_gulou"))
        with pytest.raises(Forbidden):
            retire_item(item, by=user_of("approver_gulou"))

    def test_import_checks_rights_per_row(self, user_of):
        source = sample_item()
        workbook = exported_workbook(source)
        renumber(workbook, source.code, next_code())
        workbook["事项"].cell(row=2, column=4, value="卫生健康")
        with pytest.raises(ImportFailed) as failed:
            import_items(to_file(workbook), by=user_of("catalog_market"), publish=True)
        assert any(p.column == "实施部门类别" for p in failed.value.errors)

    def test_admin_add_form_refuses_other_kind(self, client, user_of):
        client.force_login(user_of("catalog_market"))
        response = client.post("/admin/catalog/item/add/", {"code": next_code(), "authority_kind": "health"})
        assert response.status_code == 200
        assert "只能维护本部门类别" in str(response.context["adminform"].form.errors)


class TestVersionDates:
    def test_new_version_cannot_reach_back_over_cases(self):
        v1 = published_item(valid_from=datetime.date(2026, 1, 1))
        with pytest.raises(InvalidInput) as exc:
            publish_item(draft_new_version(v1), valid_from=datetime.date(2020, 1, 1))
        assert exc.value.code == "valid_from_in_past"
        assert item_in_force(v1.code, on=datetime.date(2026, 6, 1)) == v1

    def test_withdrawing_a_scheduled_version_restores_its_predecessor(self):
        v1 = published_item(valid_from=datetime.date(2026, 1, 1))
        start = timezone.localdate() + datetime.timedelta(days=30)
        v2 = publish_item(draft_new_version(v1), valid_from=start)
        retire_item(v2)
        assert item_in_force(v1.code, on=start + datetime.timedelta(days=5)) == v1


class TestImportCells:
    @pytest.mark.parametrize(("column", "value"), [(8, "²"), (8, "２０"), (13, "NaN"), (13, "Infinity")])
    def test_exotic_numbers_are_cell_errors(self, column, value):
        source = sample_item()
        workbook = exported_workbook(source)
        renumber(workbook, source.code, next_code())
        workbook["事项"].cell(row=2, column=column, value=value)
        with pytest.raises(ImportFailed) as failed:
            import_items(to_file(workbook))
        assert failed.value.errors[0].row == 2

    def test_overlong_sub_item_name_is_a_cell_error(self):
        source = sample_item()
        workbook = exported_workbook(source)
        renumber(workbook, source.code, next_code())
        workbook["业务办理项"].cell(row=2, column=2, value="长" * 150)
        with pytest.raises(ImportFailed) as failed:
            import_items(to_file(workbook))
        assert (failed.value.errors[0].sheet, failed.value.errors[0].column) == ("业务办理项", "办理项名称")

    def test_publishing_import_needs_result_name(self):
        source = sample_item()
        workbook = exported_workbook(source)
        code = next_code()
        renumber(workbook, source.code, code)
        workbook["事项"].cell(row=2, column=15, value="")
        with pytest.raises(ImportFailed) as failed:
            import_items(to_file(workbook), publish=True)
        assert failed.value.errors[0].column == "办理结果"
        assert not Item.objects.filter(code=code).exists()

    def test_longest_name_fits_the_search_text(self):
        item = published_item(name="食" * 200)
        assert item_in_force(item.code).name == "食" * 200


class TestNoServerErrors:
    def test_non_ascii_version_is_a_json_404(self, api):
        code = Item.objects.in_force().values_list("code", flat=True).first()
        response = api.get(f"/api/v1/items/{code}/", {"version": "²"})
        assert response.status_code == 404 and response.json()["code"] == "item_version_not_found"

    def test_api_500_is_json(self):
        response = server_error(RequestFactory().get("/api/v1/items/"))
        assert response.status_code == 500 and b'"code": "server_error"' in response.content

    def test_implementation_with_unknown_item_is_a_form_error(self, client, user_of):
        client.force_login(user_of("admin"))
        department = ItemImplementation.objects.first().department
        response = client.post(
            "/admin/catalog/itemimplementation/add/",
            {"item_code": "899999999999", "department": department.pk, "is_active": "on"},
        )
        assert response.status_code == 200 and "不存在" in str(response.context["adminform"].form.errors)

    def test_bundle_inline_with_bad_row_is_a_form_error(self, client, user_of):
        client.force_login(user_of("admin"))
        bundle = BundleItem.objects.first().bundle
        members = list(bundle.members.all())
        data = {
            "code": bundle.code,
            "name": bundle.name,
            "description": "",
            "status": bundle.status,
            "members-TOTAL_FORMS": len(members) + 1,
            "members-INITIAL_FORMS": len(members),
        }
        for i, member in enumerate(members):
            data.update(
                {
                    f"members-{i}-id": member.pk,
                    f"members-{i}-bundle": bundle.pk,
                    f"members-{i}-item_code": member.item_code,
                    f"members-{i}-order": member.order,
                    f"members-{i}-waits_for": "[]",
                }
            )
        n = len(members)
        data.update(
            {
                f"members-{n}-bundle": bundle.pk,
                f"members-{n}-item_code": "bad",
                f"members-{n}-order": 9,
                f"members-{n}-waits_for": "[]",
            }
        )
        response = client.post(f"/admin/catalog/bundle/{bundle.pk}/change/", data)
        assert response.status_code == 200  # the form again, with the row's error; not a 500


def test_export_and_reimport_under_english_keep_chinese_labels():
    source = sample_item()
    with translation.override("en"):
        workbook = exported_workbook(source)
        assert workbook["事项"].cell(row=2, column=3).value == "行政许可"  # the workbook is data, always Chinese
        renumber(workbook, source.code, code := next_code())
        import_items(to_file(workbook))
    assert Item.objects.get(code=code).item_type == source.item_type
