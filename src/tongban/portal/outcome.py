"""How a case was decided, in words: 秒批 with every rule's reading (个人信息保护法 art. 24), the hand-over
to a human, or the signed commitment with its post-check. Shown to the applicant and to staff.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.cases.choices import Action, ApplicantKind, State
from tongban.cases.models import Case, PostCheck
from tongban.catalog.models import LicenseType

AUTO_APPROVED, TO_HUMAN, OPTED_OUT, COMMITMENT = "auto_approved", "to_human", "opted_out", "commitment"
WAITING_FOR_FILES = "waiting_for_files"
LICENCE_REF = 'licences["'
APPLICANT_FACTS = {
    "applicant.kind": gettext_lazy("申请人类别"),
    "applicant.id_type": gettext_lazy("证件类型"),
    "applicant.name": gettext_lazy("申请人名称"),
    "applicant.region": gettext_lazy("申请人所在地区划"),
    "applicant.age": gettext_lazy("申请人年龄"),
    "today": gettext_lazy("当天日期"),
}


@dataclass
class Reading:
    name: str  # what was read, in words
    value: str
    source: str
    read_at: str


@dataclass
class RuleResult:
    code: str
    rule_id: int | None
    item_version: int | None
    description: str
    expression: str
    passed: bool
    readings: list[Reading]
    note: str  # why a rule without its data, or with a type error, did not pass


@dataclass
class Outcome:
    kind: str
    rules: list[RuleResult] = field(default_factory=list)
    seconds: float | None = None  # submission → automatic decision
    commitment_text: str = ""
    committed_materials: list[str] = field(default_factory=list)
    post_check: PostCheck | None = None
    waiting_for: list[str] = field(default_factory=list)  # required materials 秒批 still waits for

    @property
    def failed(self) -> list[RuleResult]:
        return [r for r in self.rules if not r.passed]


def _shown(value) -> str:
    if value is None or value == []:
        return _("（无）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict) and "number" in value:  # a licence as 秒批 read it
        until = value.get("valid_until") or _("长期")
        return _("证照编号 %(number)s，有效期至 %(until)s") % {"number": value["number"], "until": until}
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if value in ApplicantKind.values:
        return str(ApplicantKind(value).label)
    return str(value)


def _moment(iso: str) -> str:
    """When a value was read, in local time to the second."""
    try:
        return f"{timezone.localtime(datetime.datetime.fromisoformat(iso)):%Y-%m-%d %H:%M:%S}"
    except ValueError:
        return iso


def _name(name: str, form_labels: dict, licence_names: dict) -> str:
    """``form.vehicle_count`` → 车辆数量（辆）; ``licences["DLYS0001"]`` → 道路运输经营许可证."""
    if name.startswith("form."):
        return form_labels.get(name[5:], name[5:])
    if name.startswith(LICENCE_REF):
        code = name[len(LICENCE_REF) : -2]
        return licence_names.get(code, code)
    return str(APPLICANT_FACTS.get(name, name))


def _rules(case: Case, decision: dict) -> list[RuleResult]:
    form_labels = {f["name"]: f.get("label") or f["name"] for f in case.item.form_fields or []}
    names = [v["name"] for r in decision.get("rules", []) for v in r.get("values", [])]
    codes = [name[len(LICENCE_REF) : -2] for name in names if name.startswith(LICENCE_REF)]
    licence_names = dict(LicenseType.objects.filter(code__in=codes).values_list("code", "name"))
    results = []
    for rule in decision.get("rules", []):
        note = ""
        if rule.get("error"):
            note = _("规则无法计算：%s") % rule["error"]
        elif rule.get("missing_data") and not rule["passed"]:
            note = _("缺少所需数据，不视为满足")
        results.append(
            RuleResult(
                code=rule.get("rule", ""),
                rule_id=rule.get("rule_id"),
                item_version=rule.get("item_version"),
                description=rule.get("description", ""),
                expression=rule.get("expression", ""),
                passed=bool(rule.get("passed")),
                readings=[
                    Reading(
                        _name(v["name"], form_labels, licence_names),
                        _shown(v.get("value")),
                        v.get("source", ""),
                        _moment(v.get("read_at", "")),
                    )
                    for v in rule.get("values", [])
                ],
                note=note,
            )
        )
    return results


def case_outcome(case: Case) -> Outcome | None:
    """None when the case was neither checked by 秒批 rules nor decided by commitment."""
    if case.commitment_signed_at:
        event = case.events.filter(action=Action.APPROVE_BY_COMMITMENT).first()
        data = event.data if event else {}
        return Outcome(
            COMMITMENT,
            commitment_text=data.get("commitment") or case.item.commitment_text,
            committed_materials=data.get("committed_materials", []),
            post_check=PostCheck.objects.filter(case=case).first(),
        )
    decision = case.auto_decision or {}
    if not decision:
        return None
    if decision.get("opted_out"):
        return Outcome(OPTED_OUT)
    if decision.get("waiting_for") and case.state == State.SUBMITTED:
        return Outcome(WAITING_FOR_FILES, waiting_for=decision["waiting_for"])
    if decision.get("passed"):
        seconds = (case.decided_at - case.submitted_at).total_seconds() if case.decided_at else None
        return Outcome(AUTO_APPROVED, _rules(case, decision), seconds=seconds)
    return Outcome(TO_HUMAN, _rules(case, decision))
