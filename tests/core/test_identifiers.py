import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from tongban.core.identifiers import (
    make_credit_code,
    mask_id_number,
    validate_credit_code,
    validate_resident_id,
)


def with_check_digit(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


class TestResidentId:
    def test_valid_number_with_x(self):
        assert validate_resident_id("11010519491231002x") == "11010519491231002X"

    def test_wrong_check_digit_names_the_character(self):
        with pytest.raises(ValidationError) as exc:
            validate_resident_id("110105194912310021")
        assert "第 18 位" in exc.value.messages[0]
        assert "“X”" in exc.value.messages[0]

    @pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
    def test_hk_macau_taiwan_residence_permits(self, prefix):
        number = with_check_digit(f"{prefix}19900101002")
        assert validate_resident_id(number) == number

    def test_abolished_region_code_is_accepted(self):
        # 352101 (former 南平地区) is no longer in GB/T 2260 but numbers issued there stay valid.
        number = with_check_digit("35210119700101123")
        assert validate_resident_id(number) == number

    def test_impossible_birth_date(self):
        with pytest.raises(ValidationError) as exc:
            validate_resident_id(with_check_digit("35010219900231123"))
        assert "出生日期" in exc.value.messages[0]

    def test_future_birth_date(self):
        number = with_check_digit("35010220300101123")
        with pytest.raises(ValidationError):
            validate_resident_id(number, today=datetime.date(2026, 11, 21))

    def test_letter_inside_names_position(self):
        with pytest.raises(ValidationError) as exc:
            validate_resident_id("3501021990A101123X")
        assert "第 11 位" in exc.value.messages[0]

    def test_wrong_length(self):
        with pytest.raises(ValidationError) as exc:
            validate_resident_id("35010219900101")
        assert "18 位" in exc.value.messages[0]


class TestCreditCode:
    def test_valid(self):
        assert validate_credit_code("91110000600037341l") == "91110000600037341L"

    def test_wrong_final_check_character(self):
        with pytest.raises(ValidationError) as exc:
            validate_credit_code("91110000600037341M")
        assert "第 18 位" in exc.value.messages[0] and "“L”" in exc.value.messages[0]

    def test_wrong_organisation_code_check(self):
        with pytest.raises(ValidationError) as exc:
            validate_credit_code("9111000060003734XL")
        assert "第 17 位" in exc.value.messages[0]

    @pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
    def test_forbidden_letters(self, letter):
        with pytest.raises(ValidationError) as exc:
            validate_credit_code(f"9111000060003734{letter}L")
        assert "第 17 位" in exc.value.messages[0]

    def test_letters_in_registration_prefix_are_allowed(self):
        # GB 32100 allows letters in the first two characters; stdnum's validate() does not.
        code = make_credit_code("Y1350100", "A1234567")
        assert validate_credit_code(code) == code


def test_masking_keeps_four_and_four():
    assert mask_id_number("35010219900101123X") == "3501**********123X"
    assert mask_id_number("") == ""
