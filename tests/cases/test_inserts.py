"""Rows inserted by a kept statement read back as the ORM would have written them."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.cases.models import Case, CaseEvent, CaseMaterial, IdempotencyRecord
from tongban.core.inserts import insert

pytestmark = pytest.mark.django_db


def as_saved(row) -> dict:
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}


def test_an_event_reads_back_as_written(window_case, user_of):
    case = window_case()
    at = timezone.make_aware(datetime.datetime(2026, 11, 21, 9, 30))
    event = CaseEvent(case=case, action="note", actor=user_of("clerk_gulou"), data={"名": ["值", 1]}, at=at)
    insert(event)
    assert event.pk and not event._state.adding
    assert as_saved(CaseEvent.objects.get(pk=event.pk)) == as_saved(event)


def test_several_rows_get_their_own_keys(window_case):
    case = window_case()
    materials = list(case.materials.order_by("pk"))
    case.materials.all().delete()
    again = [
        CaseMaterial(case=case, material=m.material, due_date=datetime.date(2026, 12, i + 1))
        for i, m in enumerate(materials)
    ]
    insert(*again)
    assert [as_saved(m) for m in again] == [as_saved(m) for m in case.materials.order_by("pk")]


def test_auto_now_is_set_and_conflicts_raise(window_case, user_of):
    case, clerk = window_case(), user_of("clerk_gulou")
    record = IdempotencyRecord(user=clerk, key="k", body_hash="h", case=case)
    insert(record)
    assert IdempotencyRecord.objects.get(pk=record.pk).created_at == record.created_at is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(IdempotencyRecord(user=clerk, key="k", body_hash="other", case=case))


def test_an_unsaved_parent_is_refused(user_of):
    with pytest.raises(ValueError):
        insert(CaseEvent(case=Case(), action="note"))
