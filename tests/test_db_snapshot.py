import datetime

import pytest
from django.db import connection

from tests.db_snapshot import TableSnapshot
from tongban.directory.models import OpeningPeriod, Region, Window
from tongban.queueing.models import Ticket


def _sorted(snapshot: TableSnapshot) -> dict:
    return {table: (columns, sorted(rows, key=repr)) for table, (columns, rows) in snapshot.tables.items()}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transactional_test_starts_from_the_rows_as_loaded_and_they_are_written_back_exactly(demo_city_rows):
    assert _sorted(TableSnapshot(connection)) == _sorted(demo_city_rows)

    # Rows of every kind of column changed, removed and added (times, dates, JSON, foreign keys).
    OpeningPeriod.objects.update(opens=datetime.time(6, 0))
    Ticket.objects.filter(pk__in=Ticket.objects.values("pk")[:100]).delete()
    Window.objects.update(zone_item_codes=["000101009000"])
    Region.objects.create(code="350199", name="测试区", level="county", prefix="350199")
    assert _sorted(TableSnapshot(connection)) != _sorted(demo_city_rows)

    demo_city_rows.restore(connection)
    assert _sorted(TableSnapshot(connection)) == _sorted(demo_city_rows)
