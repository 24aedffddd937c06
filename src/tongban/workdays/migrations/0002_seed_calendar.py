from django.db import migrations


def seed(apps, schema_editor):
    from tongban.workdays.services import chinese_calendar_days

    CalendarYear = apps.get_model("workdays", "CalendarYear")
    SpecialDay = apps.get_model("workdays", "SpecialDay")
    days = chinese_calendar_days()
    years = sorted({day.year for day, _kind, _name in days})
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, published=True, source="chinese-calendar") for y in years], ignore_conflicts=True
    )
    SpecialDay.objects.bulk_create(
        [SpecialDay(year_id=day.year, date=day, kind=kind, name=name) for day, kind, name in days],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
