"""New rows inserted by a statement built once per model and row count.

``Model.objects.create`` and ``bulk_create`` compile their INSERT on every call: for an intake's
case, materials, audit event and Idempotency-Key record that was more CPU than everything the
intake checks. The statement depends only on the model, the database and the number of rows,
so it is kept; each call only converts the values, by the same field methods the ORM uses
(``pre_save`` as on a first save, then ``get_db_prep_save``). As with ``bulk_create``, no
``save()`` override or save signal runs: use it for models that have neither.
"""

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model


def insert(*rows: Model) -> None:
    """INSERT the new instances ``rows`` (all of one model) in one statement; set their primary keys."""
    if not rows:
        return
    database = connections[DEFAULT_DB_ALIAS]
    sql, params = insert_statement(*rows)
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    for row, (key,) in zip(rows, keys, strict=True):
        row.pk = key
        row._state.adding, row._state.db = False, database.alias


def insert_statement(*rows: Model) -> tuple[str, list]:
    """The INSERT of ``rows`` (RETURNING their keys) and its parameters, for a statement that also does more."""
    model, database = type(rows[0]), connections[DEFAULT_DB_ALIAS]  # not the proxy: read for every value
    fields = _columns(model)
    params = []
    for row in rows:
        row._prepare_related_fields_for_save(operation_name="insert")  # as save() does: no unsaved parent
        params.extend(field.get_db_prep_save(field.pre_save(row, True), database) for field in fields)
    return _statement(model, len(rows), database.vendor), params


@cache
def _columns(model: type[Model]) -> tuple[Field, ...]:
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if f is not meta.auto_field and not f.generated)
    if any(hasattr(f, "get_placeholder") for f in fields):
        raise TypeError(f"{meta.label} has a field with its own SQL placeholder: insert it with the ORM")
    return fields


@cache
def _statement(model: type[Model], count: int, vendor: str) -> str:
    quote, meta = connections[DEFAULT_DB_ALIAS].ops.quote_name, model._meta
    row = "({})".format(", ".join(["%s"] * len(_columns(model))))
    return "INSERT INTO {} ({}) VALUES {} RETURNING {}".format(
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in _columns(model)),
        ", ".join([row] * count),
        quote(meta.pk.column),
    )
