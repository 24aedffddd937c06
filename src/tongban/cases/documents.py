"""Case documents as A4 PDF: 受理承诺单, 一次性告知单 and 不予受理通知书 (DESIGN §2).

Text is set in the embedded Chinese font and the shared layout of ``core.pdf_layout``: every viewer
shows the same document, archives keep it, and the text stays extractable.
The documents are official text and always in Chinese, whatever language the user has chosen.
"""

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from tongban.cases.choices import Action, Channel, HandlingMode, MaterialStatus, State
from tongban.cases.models import Case, CaseNotice
from tongban.catalog.models import Material
from tongban.core.errors import NotFound
from tongban.core.pdf import QrCode
from tongban.core.pdf_layout import LABEL_BG, RED, WIDTH, build_a4, paragraph, table
from tongban.demo.models import DemoDataset


class DocumentKind(models.TextChoices):
    ACCEPTANCE_SLIP = "acceptance_slip", gettext_lazy("受理承诺单")
    ONE_TIME_NOTICE = "one_time_notice", gettext_lazy("一次性告知单")
    REFUSAL_NOTICE = "refusal_notice", gettext_lazy("不予受理通知书")


def available_kinds(case: Case) -> list[str]:
    """The documents this case has: each exists only once the act it records has happened."""
    kinds = []
    if case.accepted_at:
        kinds.append(DocumentKind.ACCEPTANCE_SLIP.value)
    if case.notices.exists():
        kinds.append(DocumentKind.ONE_TIME_NOTICE.value)
    if case.state == State.REFUSED:
        kinds.append(DocumentKind.REFUSAL_NOTICE.value)
    return kinds


def progress_url(case: Case, base_url: str = "") -> str:
    return f"{base_url.rstrip('/')}/progress/{case.number}"


def render_document(case: Case, kind: str, *, base_url: str = "") -> bytes:
    """The PDF of one document of the case; ``NotFound`` (document_not_available) if it has none such.

    ``base_url`` (scheme and host) makes the QR code's progress link absolute; without it the
    link is relative and the printed text points to the case number only.
    """
    available = available_kinds(case)
    if kind not in available:
        label = DocumentKind(kind).label if kind in DocumentKind.values else kind
        raise NotFound(
            _("办件 %(number)s 没有“%(kind)s”。") % {"number": case.number, "kind": label},
            code="document_not_available",
            details={"kind": kind, "available": available},
        )
    with translation.override("zh-hans"):  # choice labels below must come out in Chinese
        doc = BUILDERS[kind](case)
        return _build_pdf(case, doc, progress_url(case, base_url), show_url=bool(base_url))


# --- content ---------------------------------------------------------------------------------


@dataclass
class _Doc:
    title: str
    issued_on: datetime.date
    body: list[str]
    next_steps: list[str]
    extra_rows: list["_Row"] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, name, reason)


@dataclass
class _Row:
    label: str
    value: str
    wide: bool = False  # a long value takes the whole row of the four-column field table
    note: str = ""  # set smaller after the value


def _day(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return f"{value.year}年{value.month}月{value.day}日"


def _moment(value: datetime.datetime | None) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{_day(local)} {local:%H:%M}"


def _item_name(case: Case) -> str:
    return f"{case.item.name}（{case.sub_item.name}）" if case.sub_item_id else case.item.name


def _where_received(case: Case) -> str:
    return case.service_point.name if case.service_point_id else str(Channel.ONLINE.label)


def _deadline(case: Case) -> str:
    if case.deadline is None and case.state == State.REFUSED:
        return "不适用（不予受理）"
    if case.deadline is None:
        return f"自受理之日起 {case.promised_limit} 个工作日内"
    note = "（所跨年份放假安排尚未公布，暂按周末休息计算）" if case.deadline_unscheduled else ""
    return _day(case.deadline) + note


def _not_accepted(case: Case) -> str:
    return "不予受理" if case.state == State.REFUSED else "尚未受理"


def _fields(case: Case) -> list[_Row]:
    applicant = case.applicant
    rows = [
        _Row("办件编号", case.number, wide=True),
        _Row("申请人", applicant.name),
        _Row("证件号码", applicant.masked_id, note=f"（{applicant.get_id_type_display()}）"),
        _Row("申请事项", case.item.name, wide=True),
    ]
    if case.sub_item_id:
        rows.append(_Row("业务办理项", case.sub_item.name))
    if case.handling_mode != HandlingMode.LOCAL:
        rows.append(_Row("办理模式", case.get_handling_mode_display()))
    rows += [
        _Row("承办部门", case.department.name),
        _Row("受理网点", _where_received(case)),
        _Row("申请时间", _moment(case.submitted_at)),
        _Row("受理时间", _moment(case.accepted_at) if case.accepted_at else _not_accepted(case)),
        _Row("承诺时限", f"{case.promised_limit} 个工作日" if case.promised_limit else "即办"),
        _Row("办结期限", _deadline(case)),
    ]
    return rows


def _originals_line(case: Case) -> list[str]:
    """受审分离: the paper originals travel from the front desk to the owning department."""
    if not (case.originals_to_send and case.originals_receiver_id):
        return []
    return [
        f"本件为受审分离办件，申请材料纸质原件由{_where_received(case)}寄递至{case.originals_receiver.name}，"
        "申请人无需另行送交。"
    ]


def _acceptance_slip(case: Case) -> _Doc:
    immediate = case.promised_limit == 0
    promise = "当场办结" if immediate else f"承诺于{_day(case.deadline)}前办结（法定节假日不计算在内）"
    body = [
        f"你（单位）于{_day(case.submitted_at)}提出的“{_item_name(case)}”申请，申请材料齐全、符合法定形式，"
        f"本机关已于{_day(case.accepted_at)}依法予以受理，{promise}。"
    ]
    steps = [
        "本机关将依法对申请进行审查，并在承诺办结日期前作出决定；依法需要听证、检验、检测、鉴定、"
        "专家评审或现场核查的，所需时间不计入办理期限，届时另行告知。",
    ]
    owed = case.materials.select_related("material").filter(status=MaterialStatus.DEFERRED).order_by("due_date")
    steps += [f"容缺受理：请于{_day(cm.due_date)}前补交“{cm.material.name}”，补齐后方可作出准予决定。" for cm in owed]
    steps += _originals_line(case)
    if case.service_point_id:
        steps.append(f"办理结果可到{case.service_point.name}领取，也可申请邮寄送达。")
    else:
        steps.append("办理结果将通过网上申请渠道告知，纸质结果也可申请邮寄送达。")
    return _Doc(
        title=str(DocumentKind.ACCEPTANCE_SLIP.label),
        issued_on=timezone.localdate(case.accepted_at),
        body=body,
        next_steps=steps,
    )


def problem_rows(case: Case, notice: CaseNotice) -> list[tuple[str, str, str]]:
    material_ids = [p["material"] for p in notice.problems if p.get("material") is not None]
    materials = Material.objects.in_bulk(material_ids)
    labels = {f["name"]: f.get("label") or f["name"] for f in case.item.form_fields or []}
    rows = []
    for problem in notice.problems:
        if problem.get("material") is not None:
            material = materials.get(problem["material"])
            faulty = problem.get("status") == MaterialStatus.FAULTY
            kind = "材料不符合要求" if faulty else "缺少材料"
            rows.append((kind, material.name if material else "—", problem["problem"]))
        else:
            field_name = problem.get("field", "")
            rows.append(("申请表内容", labels.get(field_name, field_name), problem["problem"]))
    return rows


def _one_time_notice(case: Case) -> _Doc:
    notice = case.notices.order_by("-issued_at", "-id").first()
    where = "通过网上申请渠道" if case.channel == Channel.ONLINE else f"到{_where_received(case)}"
    body = [
        f"你（单位）于{_day(case.submitted_at)}提出的“{_item_name(case)}”申请，经审查，申请材料不齐全或者"
        "不符合法定形式。现将需要补正的全部内容一次性告知如下："
    ]
    steps = [
        f"请按上述告知事项一次性补齐、补正后，{where}提交。",
        "补正材料齐全、符合法定形式的，本机关将予以受理并出具受理承诺单，办理期限自受理之日起计算。",
        "本告知为一次性告知；除出现新情况外，不再要求补正其他材料。",
    ]
    steps += _originals_line(case)
    extra = [_Row("新情况说明", notice.new_facts, wide=True)] if notice.new_facts else []
    return _Doc(
        title=str(DocumentKind.ONE_TIME_NOTICE.label),
        issued_on=timezone.localdate(notice.issued_at),
        body=body,
        next_steps=steps,
        extra_rows=[_Row("告知时间", _moment(notice.issued_at)), *extra],
        problems=problem_rows(case, notice),
    )


def _refusal_notice(case: Case) -> _Doc:
    event = case.events.filter(action=Action.REFUSE).order_by("-at", "-id").first()
    reason = event.reason if event and event.reason else "—"
    issued = event.at if event else case.completed_at or timezone.now()
    body = [
        f"你（单位）于{_day(case.submitted_at)}提出的“{_item_name(case)}”申请，经审查，本机关决定不予受理。",
        f"不予受理的理由及法律依据：{reason}",
    ]
    steps = [
        "如对本决定不服，可以自收到本通知书之日起六十日内依法申请行政复议，或者自知道或者应当知道"
        "作出本决定之日起六个月内依法向人民法院提起行政诉讼。",
    ]
    return _Doc(
        title=str(DocumentKind.REFUSAL_NOTICE.label),
        issued_on=timezone.localdate(issued),
        body=body,
        next_steps=steps,
        extra_rows=[_Row("决定时间", _moment(issued))],
    )


BUILDERS = {
    DocumentKind.ACCEPTANCE_SLIP.value: _acceptance_slip,
    DocumentKind.ONE_TIME_NOTICE.value: _one_time_notice,
    DocumentKind.REFUSAL_NOTICE.value: _refusal_notice,
}


# --- layout ---------------------------------------------------------------------------------

LABEL_WIDTH = 24 * mm
QR_SIZE = 26 * mm


def _field_table(fields: list[_Row]) -> Table:
    """Label, value, label, value: two short fields a row; a wide one spans the row."""
    value_width = (WIDTH - 2 * LABEL_WIDTH) / 2
    rows, commands, pending = [], [], []

    def flush():
        if pending:
            row = [paragraph(pending[0].label, "label"), paragraph(pending[0].value, "cell", pending[0].note), "", ""]
            if len(pending) == 2:
                row[2:] = [paragraph(pending[1].label, "label"), paragraph(pending[1].value, "cell", pending[1].note)]
                commands.append(("BACKGROUND", (2, len(rows)), (2, len(rows)), LABEL_BG))
            else:
                commands.append(("SPAN", (1, len(rows)), (3, len(rows))))
            rows.append(row)
            pending.clear()

    for row in fields:
        if row.wide:
            flush()
            pending.append(row)
            flush()
        else:
            pending.append(row)
            if len(pending) == 2:
                flush()
    flush()
    commands.append(("BACKGROUND", (0, 0), (0, -1), LABEL_BG))
    return table(rows, [LABEL_WIDTH, value_width, LABEL_WIDTH, value_width], extra=commands)


def _story(case: Case, doc: _Doc, url: str, show_url: bool) -> list:
    story = [
        paragraph(case.department.name, "issuer"),
        Spacer(1, 2),
        HRFlowable(width="100%", thickness=1.6, color=RED, spaceBefore=2, spaceAfter=1),
        HRFlowable(width="100%", thickness=0.5, color=RED, spaceAfter=4),
        paragraph(doc.title, "title"),
        paragraph(f"编号：{case.number}", "number"),
    ]
    story.append(_field_table([*_fields(case), *doc.extra_rows]))

    story.append(paragraph(f"{case.applicant.name}：", "salutation"))
    story += [paragraph(text, "body") for text in doc.body]
    if doc.problems:
        head = [paragraph(t, "label") for t in ("序号", "类别", "材料或申请表项目", "需补正的内容及原因")]
        rows = [
            [paragraph(str(i), "cell"), paragraph(k, "cell"), paragraph(n, "cell"), paragraph(r, "cell")]
            for i, (k, n, r) in enumerate(doc.problems, start=1)
        ]
        widths = [12 * mm, 32 * mm, 54 * mm, WIDTH - 98 * mm]
        story += [Spacer(1, 6), table([head, *rows], widths, header=True)]

    story.append(paragraph("后续办理", "heading"))
    where = f"访问以下网址，可查询办理进度：\n{url}" if show_url else "凭办件编号，可查询办理进度。"
    steps = [*doc.next_steps, f"扫描左下方二维码或{where}"]
    story += [paragraph(f"{i}. {text}", "step") for i, text in enumerate(steps, start=1)]

    # QR code bottom left, issuing organisation and date bottom right where a seal would go
    qr = [QrCode(url, QR_SIZE), paragraph("扫码查询办理进度", "small")]
    sign = [paragraph(case.department.name, "sign"), paragraph(_day(doc.issued_on), "sign")]
    if case.service_point_id:
        sign.insert(1, paragraph(f"经办网点：{case.service_point.name}", "sign"))
    bottom = Table([[qr, sign]], colWidths=[QR_SIZE + 6 * mm, WIDTH - QR_SIZE - 6 * mm])
    bottom.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [Spacer(1, 8), KeepTogether([bottom])]
    return story


def _build_pdf(case: Case, doc: _Doc, url: str, show_url: bool) -> bytes:
    demo = DemoDataset.objects.exists()
    return build_a4(
        _story(case, doc, url, show_url),
        title=f"{doc.title} {case.number}",
        footer=f"{doc.title}  {case.number}",
        demo_note="演示数据：本文书由演示数据生成，仅供演示，不具法律效力。" if demo else "",
        author=case.department.name,
        subject=_item_name(case),
    )
