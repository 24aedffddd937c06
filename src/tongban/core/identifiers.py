"""Identity numbers: 公民身份号码 (GB 11643) and 统一社会信用代码 (GB 32100).

python-stdnum computes the check characters; the format rules are ours because its
``is_valid`` rejects real numbers (DESIGN §7): region codes that no longer exist, 港澳台居民
居住证 numbers (810000 / 820000 / 830000), and letters in the first 8 USCC characters.
Every refusal says which character is wrong.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$")
_RIC_SHAPE = re.compile(r"^\d{17}[\dX]$")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
RESIDENCE_PERMIT_PREFIXES = frozenset({"810000", "820000", "830000"})  # 港澳台居民居住证: 香港, 澳门, 台湾


def organization_check_char(body: str) -> str:
    """GB 11714 check character for the 8-character body of an organisation code."""
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def normalize(number: str) -> str:
    return (number or "").replace(" ", "").replace("-", "").strip().upper()


def validate_credit_code(value: str) -> str:
    """Validate a 统一社会信用代码 and return it normalised, or raise ValidationError in Chinese."""
    number = normalize(value)
    if len(number) != 18:
        raise ValidationError(_("统一社会信用代码应为 18 位，当前为 %(n)d 位。") % {"n": len(number)}, code="length")
    for position, char in enumerate(number, start=1):
        if char not in USCC_ALPHABET:
            raise ValidationError(
                _("统一社会信用代码第 %(pos)d 位“%(char)s”不是允许的字符（不使用 I、O、Z、S、V）。")
                % {"pos": position, "char": char},
                code="format",
            )
    if not _USCC_SHAPE.match(number):
        raise ValidationError(_("统一社会信用代码第 3–8 位应为登记管理机关行政区划码（数字）。"), code="format")
    org_body, org_check = number[8:16], number[16]
    if not org_body.isalnum() or org_check not in "0123456789X":
        raise ValidationError(_("统一社会信用代码第 9–17 位（组织机构代码）格式不正确。"), code="format")
    expected_org = organization_check_char(org_body)
    if org_check != expected_org:
        raise ValidationError(
            _("统一社会信用代码第 17 位（组织机构代码校验码）应为“%(expected)s”，实际为“%(actual)s”。")
            % {"expected": expected_org, "actual": org_check},
            code="checksum",
        )
    expected = uscc.calc_check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("统一社会信用代码第 18 位校验码应为“%(expected)s”，实际为“%(actual)s”。")
            % {"expected": expected, "actual": number[17]},
            code="checksum",
        )
    return number


def validate_resident_id(value: str, *, today: datetime.date | None = None) -> str:
    """Validate a 公民身份号码 (or 港澳台居民居住证 number) and return it normalised.

    Region codes are checked for shape only: codes of abolished regions stay valid for life.
    """
    number = normalize(value)
    if len(number) != 18:
        raise ValidationError(_("身份证号码应为 18 位，当前为 %(n)d 位。") % {"n": len(number)}, code="length")
    if not _RIC_SHAPE.match(number):
        position = next(i for i, c in enumerate(number, start=1) if not c.isdigit() and not (i == 18 and c == "X"))
        raise ValidationError(
            _("身份证号码第 %(pos)d 位“%(char)s”无效：前 17 位应为数字，第 18 位为数字或 X。")
            % {"pos": position, "char": number[position - 1]},
            code="format",
        )
    if (
        number[:2] in {"00", "10", "20", "30", "40", "50", "60", "70", "80", "90"}
        and number[:6] not in RESIDENCE_PERMIT_PREFIXES
    ):
        raise ValidationError(_("身份证号码前 6 位“%(code)s”不是有效的地址码。") % {"code": number[:6]}, code="region")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号码第 7–14 位“%(date)s”不是有效的出生日期。") % {"date": number[6:14]}, code="birth_date"
        ) from None
    if birth.year < 1900 or birth > (today or datetime.date.today()):
        raise ValidationError(
            _("身份证号码第 7–14 位“%(date)s”不是合理的出生日期。") % {"date": number[6:14]}, code="birth_date"
        )
    expected = ric.calc_check_digit(number)  # stdnum expects the check digit included
    if number[17] != expected:
        raise ValidationError(
            _("身份证号码第 18 位校验码应为“%(expected)s”，实际为“%(actual)s”，请核对号码。")
            % {"expected": expected, "actual": number[17]},
            code="checksum",
        )
    return number


def mask_id_number(number: str) -> str:
    """``350102199001011234`` → ``3501**********1234``: 4 first, 4 last, the rest starred."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def make_credit_code(prefix8: str, org_body: str) -> str:
    """Build a well-formed credit code (demo data and tests): 8-char prefix + 8-char org body."""
    org = org_body + organization_check_char(org_body)
    head = prefix8 + org
    return head + uscc.calc_check_digit(head)
