"""Working-day arithmetic over the calendar in the database.

``add_working_days(start, n)`` is the n-th working day after ``start`` (``start`` not counted);
the result says whether any day counted lies in a year without a published schedule.
"""

import datetime
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save

from tongban.core.revisions import RevisionCache, bump_revision
from tongban.workdays.models import CalendarYear, DayKind, SpecialDay

ONE_DAY = datetime.timedelta(days=1)
# chinese-calendar names its holidays in English; the calendar shows them in Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass(frozen=True)
class CountedDate:
    date: datetime.date
    unscheduled: bool  # some day counted lies in a year with no published holiday schedule


CALENDAR_REVISION = "workdays"
# Years of the calendar, kept per process: every deadline reads them, an admin changes them once a year.
calendar_cache = RevisionCache(CALENDAR_REVISION)


@dataclass(frozen=True)
class CalendarYearData:
    published: bool
    special: dict[datetime.date, str]


def _load_year(year: int) -> CalendarYearData:
    return CalendarYearData(
        published=CalendarYear.objects.filter(year=year, published=True).exists(),
        special=dict(SpecialDay.objects.filter(date__year=year).values_list("date", "kind")),
    )


class Calendar:
    """The special days and published years of a date range (whole years, from the per-process cache)."""

    def __init__(self, start: datetime.date, end: datetime.date):
        years = {
            year: calendar_cache.get(year, lambda y=year: _load_year(y)) for year in range(start.year, end.year + 1)
        }
        self.published = {year for year, data in years.items() if data.published}
        self.special = {day: kind for data in years.values() for day, kind in data.special.items()}

    def is_working_day(self, day: datetime.date) -> bool:
        kind = self.special.get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.MAKEUP_WORKDAY:
            return True
        return day.weekday() < 5


def _calendar_changed(**kwargs) -> None:
    bump_revision(CALENDAR_REVISION)


def watch_calendar_rows() -> None:
    for model in (CalendarYear, SpecialDay):
        post_save.connect(_calendar_changed, sender=model, dispatch_uid=f"calendar-save-{model._meta.label}")
        post_delete.connect(_calendar_changed, sender=model, dispatch_uid=f"calendar-delete-{model._meta.label}")


def _span(start: datetime.date, working_days: int) -> datetime.date:
    # Never more than ~2 calendar days per working day, even across Spring Festival; margin for long holidays.
    return start + datetime.timedelta(days=working_days * 2 + 20)


def add_working_days(start: datetime.date, working_days: int) -> CountedDate:
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    end = _span(start, working_days)
    while True:
        calendar = Calendar(start, end)
        day, counted, unscheduled = start, 0, False
        while counted < working_days and day < end:
            day += ONE_DAY
            if calendar.is_working_day(day):
                counted += 1
                unscheduled |= day.year not in calendar.published
        if counted == working_days:
            return CountedDate(day, unscheduled)
        end = _span(end, working_days)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in [start, end): the days a suspension from ``start`` to ``end`` takes off the clock."""
    if end <= start:
        return 0
    calendar = Calendar(start, end)
    days, day = 0, start
    while day < end:
        days += calendar.is_working_day(day)
        day += ONE_DAY
    return days


def is_working_day(day: datetime.date) -> bool:
    return Calendar(day, day).is_working_day(day)


def chinese_calendar_days() -> list[tuple[datetime.date, str, str]]:
    """(date, kind, Chinese name) of every holiday and make-up day chinese-calendar knows (2004 onwards).

    Seeds the calendar once (migration ``0002``); later years are entered by an admin.
    """
    from chinese_calendar import constants

    days = [(d, DayKind.HOLIDAY.value, HOLIDAY_NAMES.get(n, n)) for d, n in constants.holidays.items()]
    days += [(d, DayKind.MAKEUP_WORKDAY.value, HOLIDAY_NAMES.get(n, n)) for d, n in constants.workdays.items()]
    return sorted(days)
