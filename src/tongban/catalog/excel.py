"""Excel import and export of the item list (departments keep their lists in Excel).

Sheets: 事项 (one row per item), 业务办理项, 申请材料, 审查要点 — the last three keyed by 事项编码.
Import is all-or-nothing: every row is parsed and validated first; one bad row and nothing is
written, and each problem names its sheet, row and column in Chinese. Enumerations accept either
the code (``01``) or the Chinese label (``行政许可``); export writes labels.
"""

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from tongban.catalog import choices
from tongban.catalog.choices import ItemStatus
from tongban.catalog.models import Item, LicenseType, Material, MaterialType, ReviewPoint, SubItem
from tongban.catalog.services import (
    ItemDraft,
    check_catalog_rights,
    material_entry,
    publish_item,
    review_point_entry,
    sub_item_entry,
    write_item_draft,
)
from tongban.core.errors import ServiceError
from tongban.directory.choices import AuthorityKind

ITEMS_SHEET, SUB_ITEMS_SHEET, MATERIALS_SHEET, REVIEW_SHEET = "事项", "业务办理项", "申请材料", "审查要点"
YES, NO = "是", "否"


class CellError(ValueError):
    pass


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self):
        return _("工作表“%(sheet)s”第 %(row)d 行“%(column)s”列：%(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class ImportFailed(Exception):
    def __init__(self, errors: list[Problem]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class ImportResult:
    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- cell converters: raw cell → model value, CellError with a Chinese message on bad input ---


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def required_text(value) -> str:
    text = _text(value)
    if not text:
        raise CellError(_("不能为空。"))
    return text


def code_text(value) -> str:
    text = required_text(value)
    return text.upper() if not isinstance(value, float) else str(int(value))


def whole_number(value) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer() and value >= 0:
        return int(value)
    text = _text(value)
    if text.isascii() and text.isdigit():  # not "²" or full-width digits, which isdigit() accepts
        return int(text)
    raise CellError(_("应为非负整数，实际为“%s”。") % text)


def optional_whole_number(value) -> int | None:
    return None if _text(value) == "" else whole_number(value)


def money(value) -> Decimal:
    text = _text(value) or "0"
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellError(_("应为金额数字，实际为“%s”。") % text) from None
    if not amount.is_finite() or amount < 0:
        raise CellError(_("应为不小于 0 的金额数字，实际为“%s”。") % text)
    return amount


def yes_no(value) -> bool:
    text = _text(value)
    if text in {YES, "Y", "y", "1", "TRUE", "True", "true"}:
        return True
    if text in {NO, "", "N", "n", "0", "FALSE", "False", "false"}:
        return False
    raise CellError(_("应填“是”或“否”，实际为“%s”。") % text)


def stages(value) -> list[int]:
    text = _text(value).replace("，", ",").replace("、", ",")
    if not text:
        return []
    try:
        numbers = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise CellError(_("应为 1–7 的环节编号，以逗号分隔，如“1,2,3,4”。")) from None
    if any(n not in choices.OnlineStage.values for n in numbers):
        raise CellError(_("环节编号只能是 1–7。"))
    return numbers


def code_list(value) -> list[str]:
    text = _text(value).replace("，", ",").replace("、", ",")
    return [part.strip() for part in text.split(",") if part.strip()]


def chinese_labels(enum) -> dict:
    """The workbook is data: its labels are Chinese whatever the language of the request."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in enum.choices}


def choice(enum: type[TextChoices], *, optional: bool = False) -> Callable[[Any], Any]:
    labels = chinese_labels(enum)
    by_text = {str(v): v for v in enum.values} | {label: v for v, label in labels.items()}

    def convert(value):
        text = _text(value)
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if not text and optional:
            return None
        if text.isdigit() and len(text) == 1 and f"0{text}" in by_text:
            text = f"0{text}"  # Excel drops the leading zero of 01
        if text not in by_text:
            allowed = "、".join(labels.values())
            raise CellError(_("“%(value)s”不是有效选项，可选：%(allowed)s。") % {"value": text, "allowed": allowed})
        return by_text[text]

    return convert


def unchanged(value):
    return value


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    convert: Callable[[Any], Any]
    export: Callable[[Any], Any] = unchanged


def label_of(enum):
    labels = chinese_labels(enum)
    return lambda value: labels.get(value, "") if value not in (None, "") else ""


ITEM_COLUMNS = [
    Column("事项编码", "code", code_text),
    Column("事项名称", "name", required_text),
    Column("事项类型", "item_type", choice(choices.ItemType), label_of(choices.ItemType)),
    Column("实施部门类别", "authority_kind", choice(AuthorityKind), label_of(AuthorityKind)),
    Column("服务对象", "service_object", choice(choices.ServiceObject), label_of(choices.ServiceObject)),
    Column("设定依据", "legal_basis", required_text),
    Column("受理条件", "conditions", _text),
    Column("法定时限", "legal_limit", whole_number),
    Column("承诺时限", "promised_limit", whole_number),
    Column("办件类型", "handling_kind", choice(choices.HandlingKind), label_of(choices.HandlingKind)),
    Column("网办深度", "online_stages", stages, lambda v: ",".join(str(s) for s in v)),
    Column("到现场次数", "required_visits", whole_number),
    Column("收费标准", "fee", money, lambda v: str(v)),
    Column("收费说明", "fee_note", _text),
    Column("办理结果", "result_name", _text),
    Column("结果证照类型", "result_license_type", _text, lambda v: v.code if v else ""),
    Column("通办范围", "scope", choice(choices.Scope), label_of(choices.Scope)),
    Column(
        "负面清单原因",
        "negative_reason",
        choice(choices.NegativeReason, optional=True),
        label_of(choices.NegativeReason),
    ),
    Column("负面清单说明", "negative_note", _text),
    Column("告知承诺制", "allows_commitment", yes_no, lambda v: YES if v else NO),
]
SUB_ITEM_COLUMNS = [
    Column("事项编码", "item", code_text),
    Column("办理项名称", "name", required_text),
    Column("办理类型", "kind", choice(choices.SubItemKind), label_of(choices.SubItemKind)),
    Column("法定时限", "legal_limit", optional_whole_number, lambda v: "" if v is None else v),
    Column("承诺时限", "promised_limit", optional_whole_number, lambda v: "" if v is None else v),
]
MATERIAL_COLUMNS = [
    Column("事项编码", "item", code_text),
    Column("业务办理项", "sub_item", _text),
    Column("材料类型编码", "material_type", required_text),
    Column("材料名称", "name", required_text),
    Column("材料形式", "form", choice(choices.MaterialForm), label_of(choices.MaterialForm)),
    Column("来源渠道", "source", choice(choices.MaterialSource), label_of(choices.MaterialSource)),
    Column("必要性", "necessity", choice(choices.Necessity), label_of(choices.Necessity)),
    Column("份数", "copies", whole_number),
    Column("核验原件", "original_checked", yes_no, lambda v: YES if v else NO),
    Column("受理标准", "acceptance_standard", _text),
    Column("可替代证照", "replaceable_by", code_list, lambda v: ",".join(v)),
]
REVIEW_COLUMNS = [
    Column("事项编码", "item", code_text),
    Column("业务办理项", "sub_item", _text),
    Column("顺序", "order", whole_number),
    Column("审查要点", "question", required_text),
    Column("必查", "required", yes_no, lambda v: YES if v else NO),
    Column("审查说明", "guidance", _text),
]
SHEETS = [
    (ITEMS_SHEET, ITEM_COLUMNS, True),
    (SUB_ITEMS_SHEET, SUB_ITEM_COLUMNS, False),
    (MATERIALS_SHEET, MATERIAL_COLUMNS, True),
    (REVIEW_SHEET, REVIEW_COLUMNS, True),
]


@dataclass
class ParsedRow:
    sheet: str
    row: int
    values: dict[str, Any]


class _Reader:
    def __init__(self):
        self.problems: list[Problem] = []

    def rows(self, workbook, sheet: str, columns: list[Column], required: bool) -> list[ParsedRow]:
        if sheet not in workbook.sheetnames:
            if required:
                self.problems.append(Problem(sheet, 1, "-", _("缺少该工作表。")))
            return []
        worksheet = workbook[sheet]
        rows = worksheet.iter_rows(values_only=True)
        header = [_text(h) for h in next(rows, ())]
        positions = {}
        for column in columns:
            if column.header not in header:
                self.problems.append(Problem(sheet, 1, column.header, _("缺少该列。")))
            else:
                positions[column.field] = header.index(column.header)
        if len(positions) != len(columns):
            return []
        parsed = []
        for number, raw in enumerate(rows, start=2):
            if raw is None or all(_text(v) == "" for v in raw):
                continue
            values = {}
            for column in columns:
                index = positions[column.field]
                cell = raw[index] if index < len(raw) else None
                try:
                    values[column.field] = column.convert(cell)
                except CellError as exc:
                    self.problems.append(Problem(sheet, number, column.header, str(exc)))
            parsed.append(ParsedRow(sheet, number, values))
        return parsed

    def model_errors(self, row: ParsedRow, columns: list[Column], error: ValidationError) -> None:
        headers = {c.field: c.header for c in columns}
        for field_name, messages in error.message_dict.items():
            column = headers.get(field_name, "-")
            for message in messages:
                self.problems.append(Problem(row.sheet, row.row, column, message))


def import_items(
    file, *, by=None, publish: bool = False, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Import the workbook ``file`` (path or file object); raise ImportFailed and write nothing on any bad row.

    ``by`` is the user importing (their catalog rights apply to every row); None for an operator's command.
    """
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ImportFailed([Problem("-", 0, "-", _("无法读取 Excel 文件：%s") % exc)]) from None
    reader = _Reader()
    item_rows, sub_rows, material_rows, review_rows = (
        reader.rows(workbook, sheet, columns, required) for sheet, columns, required in SHEETS
    )
    workbook.close()
    drafts = _build_drafts(reader, item_rows, sub_rows, material_rows, review_rows, by=by, publish=publish)
    if reader.problems:
        raise ImportFailed(reader.problems)

    result = ImportResult()
    open_drafts = dict(
        Item.objects.filter(code__in=[d.code for _row, d in drafts], status=ItemStatus.DRAFT).values_list(
            "code", "updated_at"
        )
    )
    with transaction.atomic():
        for row_number, draft in drafts:
            if draft.code in open_drafts:
                result.warnings.append(
                    _("事项 %(code)s 原有草稿（最后修改于 %(at)s）已被本文件内容替换。")
                    % {"code": draft.code, "at": timezone.localtime(open_drafts[draft.code]).strftime("%Y-%m-%d %H:%M")}
                )
            try:
                item = write_item_draft(draft, by=by)
                if publish:
                    item = publish_item(item, by=by)
            except (ValidationError, ServiceError) as exc:
                # Anything the row checks did not foresee still names its row, and undoes the whole file.
                message = exc.message if isinstance(exc, ServiceError) else "；".join(exc.messages)
                raise ImportFailed([Problem(ITEMS_SHEET, row_number, "-", message)]) from None
            if item.promised_exceeds_norm:
                result.warnings.append(
                    _("事项 %(code)s %(name)s 的承诺时限超过法定时限的 30%%。") % {"code": item.code, "name": item.name}
                )
            result.items.append(item)
            if progress:
                progress(1)
    return result


def _build_drafts(
    reader: _Reader, item_rows, sub_rows, material_rows, review_rows, *, by, publish: bool
) -> list[tuple[int, ItemDraft]]:
    licenses = {lt.code: lt for lt in LicenseType.objects.all()}
    material_types = set(MaterialType.objects.values_list("code", flat=True))
    drafts: dict[str, ItemDraft] = {}
    rows_of: dict[str, int] = {}

    for row in item_rows:
        values = dict(row.values)
        code = values.get("code")
        if code in drafts:
            reader.problems.append(Problem(row.sheet, row.row, "事项编码", _("事项编码 %s 在本文件中重复。") % code))
            continue
        license_code = values.get("result_license_type")
        if license_code and license_code not in licenses:
            reader.problems.append(
                Problem(row.sheet, row.row, "结果证照类型", _("证照类型“%s”不存在。") % license_code)
            )
        values["result_license_type"] = licenses.get(license_code)
        if len(values) == len(ITEM_COLUMNS):
            try:
                Item(**values).full_clean(
                    exclude=["search_text", "valid_from"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                reader.model_errors(row, ITEM_COLUMNS, exc)
        if values.get("authority_kind"):
            try:
                check_catalog_rights(by, values["authority_kind"], publish=publish)
            except ServiceError as exc:
                reader.problems.append(Problem(row.sheet, row.row, "实施部门类别", exc.message))
        if publish and not values.get("result_name") and values.get("result_license_type") is None:
            reader.problems.append(Problem(row.sheet, row.row, "办理结果", _("发布前须填写办理结果名称。")))
        if code:
            drafts[code] = ItemDraft(fields=values)
            rows_of[code] = row.row

    def owner(row: ParsedRow) -> ItemDraft | None:
        draft = drafts.get(row.values.get("item"))
        if draft is None and "item" in row.values:
            reader.problems.append(
                Problem(row.sheet, row.row, "事项编码", _("事项编码 %s 不在“事项”工作表中。") % row.values["item"])
            )
        return draft

    sub_names: dict[str, set[str]] = {}
    for row in sub_rows:
        draft = owner(row)
        if draft is None or len(row.values) != len(SUB_ITEM_COLUMNS):
            continue
        data = {k: v for k, v in row.values.items() if k != "item"}
        if data["name"] in sub_names.setdefault(draft.code, set()):
            reader.problems.append(Problem(row.sheet, row.row, "办理项名称", _("办理项“%s”重复。") % data["name"]))
        legal = draft.fields.get("legal_limit", 0) if data["legal_limit"] is None else data["legal_limit"]
        promised = draft.fields.get("promised_limit", 0) if data["promised_limit"] is None else data["promised_limit"]
        if promised > legal:
            reader.problems.append(Problem(row.sheet, row.row, "承诺时限", _("承诺时限不能超过法定时限。")))
        try:
            SubItem(**data).full_clean(exclude=["item"], validate_constraints=False)
        except ValidationError as exc:
            reader.model_errors(row, SUB_ITEM_COLUMNS, exc)
        sub_names[draft.code].add(data["name"])
        draft.sub_items.append(data)

    def sub_item_known(row: ParsedRow, draft: ItemDraft) -> str | None:
        name = row.values.get("sub_item") or None
        if name and name not in sub_names.get(draft.code, set()):
            reader.problems.append(
                Problem(row.sheet, row.row, "业务办理项", _("办理项“%s”未在“业务办理项”工作表中定义。") % name)
            )
        return name

    for row in material_rows:
        draft = owner(row)
        if draft is None or len(row.values) != len(MATERIAL_COLUMNS):
            continue
        data = {k: v for k, v in row.values.items() if k != "item"}
        data["sub_item"] = sub_item_known(row, draft)
        if data["material_type"] not in material_types:
            reader.problems.append(
                Problem(row.sheet, row.row, "材料类型编码", _("材料类型“%s”不存在。") % data["material_type"])
            )
        unknown = [c for c in data["replaceable_by"] if c not in licenses]
        if unknown:
            reader.problems.append(
                Problem(row.sheet, row.row, "可替代证照", _("证照类型不存在：%s") % "、".join(unknown))
            )
        probe = {k: v for k, v in data.items() if k not in {"sub_item", "material_type", "replaceable_by"}}
        try:
            Material(**probe).full_clean(exclude=["item", "sub_item", "material_type"])
        except ValidationError as exc:
            reader.model_errors(row, MATERIAL_COLUMNS, exc)
        draft.materials.append(data)

    for row in review_rows:
        draft = owner(row)
        if draft is None or len(row.values) != len(REVIEW_COLUMNS):
            continue
        data = {k: v for k, v in row.values.items() if k != "item"}
        data["sub_item"] = sub_item_known(row, draft)
        try:
            ReviewPoint(**{k: v for k, v in data.items() if k != "sub_item"}).full_clean(exclude=["item", "sub_item"])
        except ValidationError as exc:
            reader.model_errors(row, REVIEW_COLUMNS, exc)
        draft.review_points.append(data)
    return [(rows_of[code], draft) for code, draft in drafts.items()]


def export_items(items: Iterable[Item]) -> bytes:
    """The workbook for ``items`` in the import layout (export → import round-trips)."""
    items = (
        Item.objects.filter(pk__in=[i.pk for i in items])
        .select_related("result_license_type")
        .prefetch_related(
            "sub_items",
            "materials__material_type",
            "materials__sub_item",
            "materials__replaceable_by",
            "review_points__sub_item",
        )
        .order_by("code", "version")
    )
    workbook = Workbook()
    sheets = {}
    for index, (title, columns, _required) in enumerate(SHEETS):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        sheet.append([c.header for c in columns])
        sheets[title] = (sheet, columns)

    def append(title: str, values: dict[str, Any]) -> None:
        sheet, columns = sheets[title]
        sheet.append([c.export(values[c.field]) for c in columns])

    for item in items:
        append(ITEMS_SHEET, {c.field: getattr(item, c.field) for c in ITEM_COLUMNS})
        for sub in item.sub_items.all():
            append(SUB_ITEMS_SHEET, {"item": item.code, **sub_item_entry(sub)})
        for material in item.materials.all():
            append(
                MATERIALS_SHEET,
                {
                    "item": item.code,
                    **material_entry(material),
                    "sub_item": material.sub_item.name if material.sub_item_id else "",
                },
            )
        for point in item.review_points.all():
            append(
                REVIEW_SHEET,
                {
                    "item": item.code,
                    **review_point_entry(point),
                    "sub_item": point.sub_item.name if point.sub_item_id else "",
                },
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
