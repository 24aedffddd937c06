import pytest

from tests.cases.conftest import PERSON_ID
from tongban.cases import services
from tongban.cases.choices import ApplicantKind, IdType
from tongban.cases.models import Applicant, IdentityAccess
from tongban.cases.services import identify_applicant, reveal_id_number
from tongban.core.errors import Forbidden, InvalidInput
from tongban.core.identifiers import make_credit_code

pytestmark = pytest.mark.django_db


def test_person_is_identified_once_and_masked():
    first = identify_applicant(kind=ApplicantKind.PERSON, id_number=PERSON_ID.lower(), name="张三")
    again = identify_applicant(kind=ApplicantKind.PERSON, id_number=PERSON_ID, name="张三", phone="139")
    assert first == again and again.phone == "139"
    assert first.masked_id == "1101**********002X"
    assert PERSON_ID not in str(first)


def test_an_applicant_taken_in_meanwhile_is_found_not_created_twice(monkeypatch):
    """Two intakes of a new applicant at once: the one that loses the insert gets the other's row."""
    first = identify_applicant(kind=ApplicantKind.PERSON, id_number=PERSON_ID, name="张三")
    found = services._known_applicant
    looks = iter([None])  # the first look misses, as it would have just before the other insert
    monkeypatch.setattr(services, "_known_applicant", lambda *key: next(looks, None) or found(*key))
    again = identify_applicant(kind=ApplicantKind.PERSON, id_number=PERSON_ID, name="张三", phone="139")
    assert again == first and again.phone == "139" and Applicant.objects.filter(id_number=PERSON_ID).count() == 1


def test_residence_permit_number():
    applicant = identify_applicant(kind=ApplicantKind.PERSON, id_number="810000199408230021", name="陈大文")
    assert applicant.id_type == IdType.RESIDENCE_PERMIT


def test_enterprise_by_credit_code():
    code = make_credit_code("91350104", "MA2XYE01")
    assert (
        identify_applicant(kind=ApplicantKind.ENTERPRISE, id_number=code, name="某公司").id_type == IdType.CREDIT_CODE
    )


def test_wrong_check_digit_is_refused_with_position():
    with pytest.raises(InvalidInput) as exc:
        identify_applicant(kind=ApplicantKind.PERSON, id_number="110105194912310021", name="张三")
    assert exc.value.code == "invalid_id_number" and "第 18 位" in exc.value.message


def test_full_number_view_is_audited(person, user_of):
    clerk = user_of("clerk_gulou")
    assert reveal_id_number(person, by=clerk, purpose="核验身份") == PERSON_ID
    access = IdentityAccess.objects.get(applicant=person)
    assert access.user == clerk and access.purpose == "核验身份"


def test_full_number_needs_role_and_purpose(person, user_of):
    with pytest.raises(Forbidden):
        reveal_id_number(person, by=user_of("hall_gulou"), purpose="好奇")
    with pytest.raises(InvalidInput):
        reveal_id_number(person, by=user_of("clerk_gulou"), purpose=" ")
    assert not IdentityAccess.objects.filter(applicant=person).exists()
