"""The test database's rows, copied once and written back before each transactional test.

Django's serialized rollback rebuilds the demo city object by object through the JSON serializer
and ``Model.save()`` (about 15 s a test on PostgreSQL for 8 000 rows); writing the rows back with
one batched INSERT per table takes a fraction of a second. Foreign keys are deferred on both
backends, so tables are emptied and filled in any order inside one transaction. Sequences are left
alone: they only move forward, past every id in the snapshot.
"""

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper


class TableSnapshot:
    def __init__(self, connection: BaseDatabaseWrapper):
        quote = connection.ops.quote_name
        self.tables: dict[str, tuple[list[str], list[tuple]]] = {}
        # SQLite hands declared types (date, time, decimal…) back as Python objects it cannot bind again;
        # a unary + (a no-op on any value) makes the column an expression, read as stored.
        as_stored = "+" if connection.vendor == "sqlite" else ""
        with connection.cursor() as cursor:
            for table in sorted(connection.introspection.django_table_names(only_existing=True, include_views=False)):
                columns = [column.name for column in connection.introspection.get_table_description(cursor, table)]
                select = ", ".join(as_stored + quote(column) for column in columns)
                cursor.execute(f"SELECT {select} FROM {quote(table)}")
                self.tables[table] = (columns, cursor.fetchall())

    def restore(self, connection: BaseDatabaseWrapper) -> None:
        quote = connection.ops.quote_name
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("TRUNCATE " + ", ".join(quote(table) for table in self.tables))
            else:
                for table in self.tables:
                    cursor.execute(f"DELETE FROM {quote(table)}")
            for table, (columns, rows) in self.tables.items():
                if rows:
                    names = ", ".join(quote(column) for column in columns)
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)
