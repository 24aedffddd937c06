import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tongban.appointments.services import slot_starts
from tongban.cases.choices import ApplicantKind
from tongban.cases.services import identify_applicant
from tongban.directory.models import ServicePoint

# Valid resident ID numbers (check digit correct) for distinct applicants.
PEOPLE = ["11010519491231002X", "110105194912310038", "110105194912310046", "110105194912310054", "110105194912310062"]


@pytest.fixture
def point():
    def get(code: str) -> ServicePoint:
        return ServicePoint.objects.prefetch_related("windows", "opening_periods").get(code=code)

    return get


@pytest.fixture
def citizen():
    """An applicant with their own login: ``citizen(0)``."""

    def make(index: int = 0):
        applicant = identify_applicant(kind=ApplicantKind.PERSON, id_number=PEOPLE[index], name=f"市民{index}")
        if applicant.user_id is None:
            applicant.user = get_user_model().objects.create(username=f"citizen{index}")
            applicant.save()
        return applicant

    return make


def next_open_day(point: ServicePoint, *, after: int = 1) -> datetime.date:
    """The first day from ``after`` days on with slots at ``point`` (skips weekends and holidays)."""
    day = timezone.localdate() + datetime.timedelta(days=after)
    while not slot_starts(point, day, 15):
        day += datetime.timedelta(days=1)
    return day


@pytest.fixture
def open_day(point):
    return next_open_day(point("fz-cangshan"))
