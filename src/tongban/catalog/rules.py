"""秒批 rules: CEL expressions, checked when saved and evaluated without ``eval``.

A rule reads four names: ``applicant`` (kind, id_type, name, region, age), ``form`` (the item's
form fields by name), ``licences`` (the applicant's valid e-licences by type code: number, issuer,
issue_date, valid_until, region, trust_level, fields) and ``today``. Names are checked against the
item when the rule is saved and again when the item is published, so a broken rule never runs.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from typing import Any

import cel
from django.utils.translation import gettext as _

from tongban.core.errors import InvalidInput

RULE_VARIABLES = frozenset({"applicant", "form", "licences", "today"})
APPLICANT_FIELDS = frozenset({"kind", "id_type", "name", "region", "age"})
LICENCE_FIELDS = frozenset(
    {"number", "holder_name", "issuer", "issue_date", "valid_until", "region", "trust_level", "fields"}
)

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"' + r"|'(?:[^'\\]|\\.)*'")
_MEMBER = re.compile(r"\b(form|applicant)\s*\.\s*([A-Za-z_]\w*)")
_LICENCE_INDEX = re.compile(r"\blicences\s*\[\s*[\"']([^\"']+)[\"']\s*\]\s*(?:\.\s*([A-Za-z_]\w*))?")
_LICENCE_IN = re.compile(r"[\"']([^\"']+)[\"']\s+in\s+licences\b")


@functools.lru_cache(maxsize=1024)
def compile_rule(expression: str) -> cel.Program:
    """The compiled program (cached: published rules never change); ``InvalidInput`` on a syntax error."""
    try:
        return cel.compile(expression)
    except ValueError as exc:
        raise InvalidInput(
            _("规则表达式语法错误：%s") % str(exc).splitlines()[0],
            code="invalid_rule",
            details={"expression": expression},
        ) from None


@dataclass(frozen=True)
class Reference:
    """One value a rule reads: ``form.vehicle_count``, ``applicant.kind``, ``licences["DLYS0001"]``."""

    variable: str
    name: str = ""

    def __str__(self) -> str:
        if self.variable == "licences":
            return f'licences["{self.name}"]'
        return f"{self.variable}.{self.name}" if self.name else self.variable


def references(expression: str) -> list[Reference]:
    """The form fields, applicant fields, licences and ``today`` a rule reads, in order of appearance."""
    without_strings = _STRING.sub('""', expression)
    found = [Reference(m[1], m[2]) for m in _MEMBER.finditer(without_strings)]
    found += [Reference("licences", m[1]) for m in _LICENCE_INDEX.finditer(expression)]
    found += [Reference("licences", m[1]) for m in _LICENCE_IN.finditer(expression)]
    if re.search(r"\btoday\b", without_strings):
        found.append(Reference("today"))
    return list(dict.fromkeys(found))


MAX_EXPRESSION_LENGTH = 1000
# Comprehension macros can loop without bound over data the applicant controls: rules need none.
_MACRO = re.compile(r"\.\s*(all|exists|exists_one|map|filter)\s*\(")
# Names must be written so they can be checked: form.name, applicant.name, licences["CODE"].
_BRACKETED_FIELD = re.compile(r"\b(form|applicant)\s*\[")
_DOTTED_LICENCE = re.compile(r"\blicences\s*\.")
_LICENCE_INDEX_OPEN = re.compile(r"\blicences\s*\[")


def check_rule(expression: str, *, form_fields: dict[str, str], licence_codes: set[str]) -> None:
    """Syntax, names and type: the rule must read only what exists for this item and yield true or false.

    ``form_fields`` maps the item's field names to their types. ``InvalidInput`` names every problem.
    """
    if not expression.strip():
        raise InvalidInput(_("规则表达式不能为空。"), code="invalid_rule")
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise InvalidInput(_("规则表达式过长（最多 %d 个字符）。") % MAX_EXPRESSION_LENGTH, code="invalid_rule")
    program = compile_rule(expression)
    problems = [_("未知变量 %s") % name for name in sorted(set(program.variables()) - RULE_VARIABLES)]
    without_strings = _STRING.sub('""', expression)
    if _MACRO.search(without_strings):
        problems.append(_("不允许使用 all、exists、map、filter 等循环宏"))
    if _BRACKETED_FIELD.search(without_strings):
        problems.append(_("请用 form.字段名、applicant.属性名 的写法"))
    if _DOTTED_LICENCE.search(without_strings):
        problems.append(_('证照请写作 licences["类型代码"]'))
    if len(_LICENCE_INDEX_OPEN.findall(without_strings)) != len(_LICENCE_INDEX.findall(expression)):
        problems.append(_("证照类型代码须为字符串常量"))
    if not program.variables():
        problems.append(_("规则不读取任何数据，结果恒定"))
    for ref in references(expression):
        if ref.variable == "form" and ref.name not in form_fields:
            problems.append(_("申请表没有字段 %s") % ref.name)
        elif ref.variable == "applicant" and ref.name not in APPLICANT_FIELDS:
            problems.append(_("申请人没有属性 %s") % ref.name)
        elif ref.variable == "licences" and ref.name not in licence_codes:
            problems.append(_("证照类型 %s 不存在") % ref.name)
    for match in _LICENCE_INDEX.finditer(expression):
        if match[2] and match[2] not in LICENCE_FIELDS:
            problems.append(_("证照没有属性 %s") % match[2])
    if not problems:
        outcome = evaluate(expression, sample_context(form_fields, licence_codes))
        if outcome.error and not outcome.missing:
            problems.append(_("用示例数据试算出错，请检查类型：%s") % outcome.error[:80])
    if problems:
        raise InvalidInput(
            _("规则有误：%s。") % "；".join(problems),
            code="invalid_rule",
            details={"expression": expression, "problems": problems},
        )


SAMPLE_VALUES = {"number": 1, "date": "2026-01-01"}


def sample_context(form_fields: dict[str, str], licence_codes: set[str]) -> dict[str, Any]:
    """Every name a rule may read, with a value of its type: a dry run finds type errors and non-boolean rules."""
    stamp = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    licence = {
        "number": "X",
        "holder_name": "X",
        "issuer": "X",
        "issue_date": stamp,
        "valid_until": stamp,
        "region": "350100",
        "trust_level": "A",
        "fields": {},
    }
    return {
        "applicant": {"kind": "person", "id_type": "111", "name": "X", "region": "350100", "age": 30},
        "form": {name: SAMPLE_VALUES.get(kind, "X") for name, kind in form_fields.items()},
        "licences": dict.fromkeys(licence_codes, licence),
        "today": stamp,
    }


@dataclass(frozen=True)
class Outcome:
    passed: bool
    missing: bool = False  # the data the rule needs is absent: a human decides
    error: str = ""


def evaluate(expression: str, context: dict[str, Any]) -> Outcome:
    """Run one rule. A missing value or a type mismatch is not a pass: the case goes to a human."""
    try:
        value = compile_rule(expression).execute(context)
    except KeyError as exc:
        return Outcome(False, missing=True, error=_("缺少数据：%s") % exc.args[0])
    except Exception as exc:  # whatever the data makes the rule raise (types, overflow, index): a human decides
        return Outcome(False, error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    if not isinstance(value, bool):
        return Outcome(False, error=_("规则结果不是真假值：%r") % (value,))
    return Outcome(value)
