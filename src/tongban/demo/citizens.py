"""Demo applicants with portal accounts: a citizen logs in and applies online as themselves.

An account acts as an applicant through ``Applicant.user``; the identity is checked like any
other (``cases.services.identify_applicant``). A rerun keeps passwords people have changed.
"""

from django.contrib.auth import get_user_model

from tongban.cases.choices import ApplicantKind
from tongban.cases.services import identify_applicant

# username, name, 公民身份号码 (valid check digit, Cangshan district), phone
DEMO_CITIZENS = [("citizen_zhang", "张伟", "350104198803151230", "13905910001")]


def load_citizens(password: str) -> None:
    user_model = get_user_model()
    for username, name, id_number, phone in DEMO_CITIZENS:
        user, created = user_model.objects.get_or_create(username=username, defaults={"first_name": name})
        if created:
            user.set_password(password)
            user.save()
        applicant = identify_applicant(kind=ApplicantKind.PERSON, id_number=id_number, name=name, phone=phone)
        if applicant.user_id is None:
            applicant.user = user
            applicant.save(update_fields=["user"])
