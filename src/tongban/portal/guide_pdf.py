"""The item guide as an A4 PDF, set like the case documents (the shared ``core.pdf_layout``)."""

from django.utils import translation
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from tongban.core.pdf_layout import LABEL_BG, WIDTH, build_a4, paragraph, table
from tongban.demo.models import DemoDataset
from tongban.portal.guide import Guide

PLACES_IN_PDF = 12


def _facts(guide: Guide) -> list[list]:
    item = guide.item
    fee = "不收费" if not item.fee else f"{item.fee} 元"
    if item.fee_note and item.fee_note != fee:
        fee += f"（{item.fee_note}）"
    departments = "、".join(i.department.name for i in guide.implementations[:6])
    if len(guide.implementations) > 6:
        departments += f" 等 {len(guide.implementations)} 个部门"
    rows = [
        ("事项编码", item.code),
        ("事项类型", item.get_item_type_display()),
        ("办件类型", item.get_handling_kind_display()),
        ("服务对象", item.get_service_object_display()),
        ("法定时限", f"{item.legal_limit} 个工作日"),
        ("承诺时限", f"{item.promised_limit} 个工作日" if item.promised_limit else "即办"),
        ("收费标准", fee),
        ("通办范围", item.get_scope_display()),
        ("网上办理深度", f"{item.online_depth_stars} 星" if item.online_depth_stars else "不支持网上办理"),
        ("到现场次数", f"{item.required_visits} 次"),
        ("办理结果", item.result_name or (item.result_license_type.name if item.result_license_type else "—")),
        ("实施部门", departments or "—"),
    ]
    if item.on_negative_list:
        rows.append(("负面清单", f"{item.get_negative_reason_display()}：{item.negative_note}"))
    return [[paragraph(label, "label"), paragraph(value, "cell")] for label, value in rows]


def _materials(guide: Guide) -> list[list]:
    head = [paragraph(t, "label") for t in ("序号", "材料名称", "形式及份数", "必要性", "受理标准")]
    rows = [head]
    for number, m in enumerate(guide.materials, start=1):
        name = m.name + (f"（{m.sub_item.name}）" if m.sub_item_id else "")
        licences = "、".join(lt.name for lt in m.replaceable_by.all())
        if licences:
            name += f"\n可用电子证照代替：{licences}"
        form = f"{m.get_form_display()} {m.copies} 份" + ("，核验原件" if m.original_checked else "")
        rows.append(
            [
                paragraph(str(number), "cell"),
                paragraph(name, "cell"),
                paragraph(form, "cell"),
                paragraph(m.get_necessity_display(), "cell"),
                paragraph(m.acceptance_standard or "—", "cell"),
            ]
        )
    return rows


def guide_pdf(guide: Guide) -> bytes:
    item = guide.item
    with translation.override("zh-hans"):  # choice labels are printed in Chinese, like every official text
        story = [
            paragraph("办事指南", "issuer"),
            paragraph(item.name, "title"),
            paragraph(f"版本 v{item.version}", "number"),
            table(_facts(guide), [30 * mm, WIDTH - 30 * mm], extra=[("BACKGROUND", (0, 0), (0, -1), LABEL_BG)]),
            paragraph("受理条件", "heading"),
            paragraph(item.conditions or "—", "body"),
            paragraph("设定依据", "heading"),
            paragraph(item.legal_basis or "—", "body"),
            paragraph("申请材料", "heading"),
            table(_materials(guide), [12 * mm, 56 * mm, 30 * mm, 16 * mm, WIDTH - 114 * mm], header=True),
            paragraph("审批导图（审查要点）", "heading"),
        ]
        step = 0
        for stage in guide.stages:
            if stage.title:
                story.append(paragraph(f"【{stage.title}】", "cell"))
            for point in stage.points:
                step += 1
                mark = "必查" if point.required else "提示"
                story.append(paragraph(f"{step}. {point.question}（{mark}）", "step"))
        if not step:
            story.append(paragraph("—", "cell"))
        story.append(paragraph("办理地点", "heading"))
        for point in guide.halls[:PLACES_IN_PDF]:
            story.append(paragraph(f"· {point.name}：{point.address}　{point.phone}", "step"))
        if len(guide.halls) > PLACES_IN_PDF:
            story.append(paragraph(f"另有 {len(guide.halls) - PLACES_IN_PDF} 处，详见网上办事指南。", "step"))
        if not guide.halls:
            story.append(paragraph("请咨询实施部门。", "step"))
        story.append(Spacer(1, 8))
        story.append(paragraph("异地办理以属地部门的授权为准；本指南以办理时的现行版本为准。", "small"))

    demo = DemoDataset.objects.exists()
    return build_a4(
        story,
        title=f"办事指南 {item.name}",
        footer=f"办事指南  {item.name}（{item.code} v{item.version}）",
        demo_note="演示数据：本指南由演示数据生成，仅供演示。" if demo else "",
        bottom_margin=20 * mm,
    )
