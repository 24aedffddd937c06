import datetime

import pytest
from django.core.exceptions import ValidationError

from tongban.workdays.models import CalendarYear, DayKind, SpecialDay
from tongban.workdays.services import CountedDate, add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.django_db
D = datetime.date


def test_seeded_from_chinese_calendar():
    assert CalendarYear.objects.get(year=2026).published
    assert SpecialDay.objects.get(date=D(2026, 10, 1)).name == "国庆节"
    assert not CalendarYear.objects.filter(year=2027, published=True).exists()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 10, 1), False),  # 国庆节
        (D(2026, 10, 10), True),  # Saturday make-up day after 国庆节
        (D(2026, 9, 20), True),  # Sunday make-up day before 中秋/国庆
        (D(2026, 2, 14), True),  # Saturday make-up day before 春节
        (D(2026, 2, 23), False),  # Monday, last day of 春节
        (D(2026, 11, 21), False),  # ordinary Saturday
        (D(2026, 11, 20), True),
    ],
)
def test_working_days_of_2026(day, working):
    assert is_working_day(day) is working


def test_deadline_across_national_day_with_make_up_days():
    # Accepted Wednesday 2026-09-23; 24 Thu = 1; 25–27 中秋 and 1–7 国庆 off, 28–30 Sep = 2–4,
    # 8 Oct Thu = 5, 9 Oct = 6, 10 Oct Saturday make-up = 7.
    counted = add_working_days(D(2026, 9, 23), 7)
    assert counted.date == D(2026, 10, 10) and not counted.unscheduled


def test_deadline_across_spring_festival():
    # Accepted Thu 2026-02-12; 13 Fri = 1, 14 Sat make-up = 2, 15–23 春节 off, 24 Tue = 3.
    assert add_working_days(D(2026, 2, 12), 3).date == D(2026, 2, 24)


def test_acceptance_day_is_not_counted_and_zero_is_same_day():
    assert add_working_days(D(2026, 11, 20), 1).date == D(2026, 11, 23)
    assert add_working_days(D(2026, 11, 20), 0).date == D(2026, 11, 20)


def test_unpublished_year_counts_weekends_only_and_is_flagged():
    counted = add_working_days(D(2026, 12, 28), 10)
    # 29, 30, 31 Dec = 3; 2027: Jan 1 Fri counts (no schedule) = 4, then 4–8 Jan = 9, 11 Jan = 10.
    assert counted.date == D(2027, 1, 11)
    assert counted.unscheduled


def test_admin_published_year_is_used():
    year = CalendarYear.objects.create(year=2027, published=True, source="国办发明电〔2026〕X号")
    SpecialDay.objects.create(year=year, date=D(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    counted = add_working_days(D(2026, 12, 28), 10)
    assert counted.date == D(2027, 1, 12) and not counted.unscheduled


def test_suspension_days_count_working_days_only():
    # Suspended Wed 30 Sep, resumed Fri 9 Oct: 30 Sep and 8 Oct are working days.
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 9)) == 2
    assert working_days_between(D(2026, 10, 9), D(2026, 10, 9)) == 0


def test_make_up_day_must_be_a_weekend():
    year = CalendarYear.objects.get(year=2026)
    with pytest.raises(ValidationError):
        SpecialDay(year=year, date=D(2026, 11, 18), kind=DayKind.MAKEUP_WORKDAY).full_clean()


def test_a_calendar_edit_counts_at_once_although_years_are_cached():
    before = add_working_days(D(2026, 12, 28), 10)  # 2027 unpublished: loaded into the cache
    assert before.unscheduled and before.date == D(2027, 1, 11)
    year = CalendarYear.objects.create(year=2027, published=True, source="国办发明电〔2026〕X号")
    SpecialDay.objects.create(year=year, date=D(2027, 1, 4), kind=DayKind.HOLIDAY, name="元旦调休")
    after = add_working_days(D(2026, 12, 28), 10)
    assert after == CountedDate(D(2027, 1, 12), unscheduled=False)
