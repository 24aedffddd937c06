import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tongban.core.models import Revision
from tongban.core.revisions import RevisionCache, bump_revision, read_revision, revisions_read_once

pytestmark = pytest.mark.django_db


class Loads:
    """A loader that counts its calls and returns the call number."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.calls


def another_process_commits_a_change(name: str) -> None:
    """What this process sees of another's change: only the token in the database, no signal here."""
    Revision.objects.filter(name=name).update(token=uuid.uuid4())


def test_values_are_kept_while_the_token_is_unchanged():
    cache, load = RevisionCache("test"), Loads()
    bump_revision("test")
    assert [cache.get("k", load) for _ in range(3)] == [1, 1, 1]
    assert cache.get("other", load) == 2


def test_a_change_in_any_process_is_seen_by_the_next_lookup():
    cache, load = RevisionCache("test"), Loads()
    bump_revision("test")
    cache.get("k", load)
    another_process_commits_a_change("test")
    assert cache.get("k", load) == 2
    bump_revision("test")
    assert cache.get("k", load) == 3


def test_first_bump_creates_the_revision():
    cache, load = RevisionCache("new"), Loads()
    assert read_revision("new") is None
    cache.get("k", load)
    bump_revision("new")
    assert read_revision("new") is not None
    assert cache.get("k", load) == 2


def test_nothing_loaded_inside_a_rolled_back_change_survives_it():
    cache, load = RevisionCache("test"), Loads()
    bump_revision("test")
    with pytest.raises(RuntimeError), transaction.atomic():
        bump_revision("test")
        assert cache.get("k", load) == 1  # sees the change it is part of
        raise RuntimeError
    assert cache.get("k", load) == 2  # the old token is back, and differs from the one seen inside


def test_inside_one_block_the_token_is_read_once():
    cache, load = RevisionCache("test"), Loads()
    bump_revision("test")
    with CaptureQueriesContext(connection) as queries, revisions_read_once():
        cache.get("a", load)
        cache.get("b", load)
        cache.get("a", load)
        with revisions_read_once():
            cache.get("b", load)
    assert sum("core_revision" in q["sql"] for q in queries.captured_queries) == 1
    with CaptureQueriesContext(connection) as queries:
        cache.get("a", load)
        cache.get("a", load)
    assert sum("core_revision" in q["sql"] for q in queries.captured_queries) == 2


def test_a_block_sees_its_own_change():
    cache, load = RevisionCache("test"), Loads()
    bump_revision("test")
    with revisions_read_once():
        assert cache.get("k", load) == 1
        bump_revision("test")
        assert cache.get("k", load) == 2


def test_memory_is_bounded(monkeypatch):
    monkeypatch.setattr("tongban.core.revisions.MAX_ENTRIES", 3)
    cache, load = RevisionCache("test"), Loads()
    bump_revision("test")
    for key in range(10):
        cache.get(key, load)
    assert len(cache._values) <= 3
