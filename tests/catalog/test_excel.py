import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.factories import next_code, published_item
from tongban.catalog.choices import ItemStatus
from tongban.catalog.excel import ImportFailed, export_items, import_items
from tongban.catalog.models import Item

pytestmark = pytest.mark.django_db


def exported_workbook(*items):
    return load_workbook(io.BytesIO(export_items(items)))


def to_file(workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def renumber(workbook, old: str, new: str) -> None:
    """Give the exported item a fresh code on every sheet, so the import creates a new item."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == old:
                row[0].value = new


def sample_item(**overrides):
    return published_item(
        **overrides,
        name="Excel 往返测试事项",
        sub_items=[{"name": "新办", "kind": "new"}, {"name": "注销", "kind": "cancel", "promised_limit": 1}],
        materials=[
            {"material_type": "M001", "name": "身份证明", "replaceable_by": []},
            {"material_type": "M001", "name": "注销申请书", "sub_item": "注销", "necessity": "deferrable"},
        ],
        review_points=[
            {"question": "是否本人？"},
            {"question": "注销原因是否属实？", "sub_item": "注销", "required": False},
        ],
    )


def test_export_then_import_round_trips():
    source = sample_item()
    workbook = exported_workbook(source)
    code = next_code()
    renumber(workbook, source.code, code)

    result = import_items(to_file(workbook), publish=True)

    copy = Item.objects.get(code=code)
    assert [i.pk for i in result.items] == [copy.pk]
    assert copy.status == ItemStatus.PUBLISHED
    for field in ("name", "item_type", "legal_limit", "promised_limit", "scope", "online_stages", "handling_kind"):
        assert getattr(copy, field) == getattr(source, field), field
    assert [(s.name, s.promised_limit) for s in copy.sub_items.all()] == [("新办", None), ("注销", 1)]
    deferred = copy.materials.get(name="注销申请书")
    assert deferred.sub_item.name == "注销" and deferred.necessity == "deferrable"
    assert copy.review_points.get(question__startswith="注销").required is False


def test_reimport_of_published_code_creates_new_draft_version():
    source = sample_item()
    workbook = exported_workbook(source)
    workbook["事项"]["B2"] = "改过名字的事项"
    import_items(to_file(workbook))
    draft = Item.objects.get(code=source.code, status=ItemStatus.DRAFT)
    assert draft.version == 2 and draft.name == "改过名字的事项"
    workbook["事项"]["B2"] = "再次改名"
    result = import_items(to_file(workbook))
    assert any("原有草稿" in w and source.code in w for w in result.warnings)  # nobody's draft vanishes silently
    source.refresh_from_db()
    assert source.name == "Excel 往返测试事项" and source.status == ItemStatus.PUBLISHED


def test_a_bad_row_imports_nothing_and_names_sheet_row_column():
    source = sample_item()
    workbook = exported_workbook(source)
    good_code, bad_code = next_code(), next_code()
    renumber(workbook, source.code, good_code)
    items = workbook["事项"]
    items.append([bad_code if c.value == good_code else c.value for c in items[2]])
    items.cell(row=3, column=9, value=99)  # 承诺时限 above 法定时限
    workbook["申请材料"].append(
        [good_code, "", "NO-SUCH-TYPE", "神秘材料", "电子", "申请人自备", "必要", 1, "否", "", ""]
    )
    before = Item.objects.count()

    with pytest.raises(ImportFailed) as failed:
        import_items(to_file(workbook))

    assert Item.objects.count() == before
    problems = {(p.sheet, p.row, p.column) for p in failed.value.errors}
    assert ("事项", 3, "承诺时限") in problems
    assert ("申请材料", workbook["申请材料"].max_row, "材料类型编码") in problems
    message = str(failed.value.errors[0])
    assert "工作表" in message and "行" in message and "列" in message


@pytest.mark.parametrize(
    ("sheet", "column", "value", "expected"),
    [
        ("事项", 3, "不存在的类型", "不是有效选项"),
        ("事项", 8, "二十", "非负整数"),
        ("事项", 11, "1,2,9", "1–7"),
        ("事项", 17, "全市通办", None),
        ("事项", 20, "也许", "是"),
    ],
)
def test_cell_errors_are_in_chinese(sheet, column, value, expected):
    source = sample_item()
    workbook = exported_workbook(source)
    renumber(workbook, source.code, next_code())
    workbook[sheet].cell(row=2, column=column, value=value)
    if expected is None:
        import_items(to_file(workbook))  # a label is as good as a code
        return
    with pytest.raises(ImportFailed) as failed:
        import_items(to_file(workbook))
    assert any(expected in p.message for p in failed.value.errors)


def test_negative_list_item_with_wide_scope_is_reported():
    source = sample_item()
    workbook = exported_workbook(source)
    renumber(workbook, source.code, next_code())
    workbook["事项"].cell(row=2, column=18, value=2)
    workbook["事项"].cell(row=2, column=19, value="涉密")
    with pytest.raises(ImportFailed) as failed:
        import_items(to_file(workbook))
    assert any(p.column == "通办范围" for p in failed.value.errors)


def test_unknown_sub_item_and_orphan_rows_are_reported():
    source = sample_item()
    workbook = exported_workbook(source)
    code = next_code()
    renumber(workbook, source.code, code)
    workbook["审查要点"].append([code, "延续", 9, "延续是否按期？", "是", ""])
    workbook["审查要点"].append(["899999999998", "", 1, "孤儿要点", "是", ""])
    with pytest.raises(ImportFailed) as failed:
        import_items(to_file(workbook))
    columns = {p.column for p in failed.value.errors}
    assert {"业务办理项", "事项编码"} <= columns


def test_missing_sheet_and_column():
    workbook = exported_workbook(sample_item())
    del workbook["审查要点"]
    workbook["事项"].delete_cols(2)
    with pytest.raises(ImportFailed) as failed:
        import_items(to_file(workbook))
    assert {("审查要点", "-"), ("事项", "事项名称")} <= {(p.sheet, p.column) for p in failed.value.errors}


def test_not_an_excel_file():
    with pytest.raises(ImportFailed) as failed:
        import_items(io.BytesIO(b"%PDF-1.4 not a workbook"))
    assert "无法读取" in failed.value.errors[0].message


def test_duplicate_code_in_file():
    source = sample_item()
    workbook = exported_workbook(source)
    workbook["事项"].append([c.value for c in workbook["事项"][2]])
    with pytest.raises(ImportFailed) as failed:
        import_items(to_file(workbook))
    assert any("重复" in p.message for p in failed.value.errors)


def test_management_commands(tmp_path):
    path = tmp_path / "items.xlsx"
    call_command("export_items", str(path), stdout=io.StringIO())
    assert load_workbook(path)["事项"].max_row - 1 == Item.objects.in_force().count()

    workbook = load_workbook(path)
    workbook["事项"].cell(row=2, column=8, value="abc")
    workbook.save(path)
    before = Item.objects.count()
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_items", str(path), stdout=io.StringIO(), stderr=stderr, verbosity=0)
    assert "法定时限" in stderr.getvalue()
    assert Item.objects.count() == before


def test_admin_import_reports_errors_and_writes_nothing(client, user_of):
    client.force_login(user_of("admin"))
    workbook = exported_workbook(sample_item())
    workbook["事项"].cell(row=2, column=9, value=99)
    upload = to_file(workbook)
    upload.name = "items.xlsx"
    before = Item.objects.count()
    response = client.post("/admin/catalog/item/import/", {"file": upload})
    assert response.status_code == 200
    assert "承诺时限" in response.content.decode()
    assert Item.objects.count() == before


def test_admin_import_refuses_other_file_types(client, user_of):
    client.force_login(user_of("admin"))
    upload = io.BytesIO(b"a,b,c")
    upload.name = "items.csv"
    response = client.post("/admin/catalog/item/import/", {"file": upload})
    assert "xlsx" in response.content.decode()


def test_admin_export_downloads_workbook(client, user_of):
    client.force_login(user_of("catalog_market"))
    response = client.get("/admin/catalog/item/export/")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content))["事项"].max_row > 80


def test_reimport_keeps_what_the_sheet_does_not_carry():
    from django.core.files.base import ContentFile

    source = sample_item(form_fields=[{"name": "applicant_name", "label": "申请人", "type": "text", "required": True}])
    material = source.materials.get(name="身份证明")
    material.blank_form.save("blank.pdf", ContentFile(b"%PDF-1.4 blank"), save=True)
    import_items(to_file(exported_workbook(source)))
    draft = Item.objects.get(code=source.code, status=ItemStatus.DRAFT)
    assert draft.form_fields == source.form_fields
    assert draft.materials.get(name="身份证明").blank_form.name == material.blank_form.name
