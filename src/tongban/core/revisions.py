"""Per-process caches that are never stale: each lookup first reads a revision token.

Whoever changes the rows behind a cache replaces its token with ``bump_revision`` in the same
transaction. A lookup reads the token (one single-row read by primary key), drops everything
filed under another token, and loads what is missing only after that read: a change committed
in any process is seen by the next lookup in every process, and a value loaded concurrently
with a change can only be newer than the token it is filed under. Rolled-back changes restore
the old token, which differs from the one the cache saw, so nothing from them survives either.
"""

import threading
import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection

from tongban.core.models import Revision

MAX_ENTRIES = 10_000  # per cache; past it the cache starts again (bounded memory, no LRU bookkeeping)
_TABLE = Revision._meta.db_table
_READ_TOKEN = f'SELECT "token" FROM "{_TABLE}" WHERE "name" = %s'
_READ_ALL_TOKENS = f'SELECT "name", "token" FROM "{_TABLE}"'
_to_uuid = Revision._meta.get_field("token").to_python  # SQLite hands back text
_tokens_read: ContextVar[dict | None] = ContextVar("revision_tokens_read", default=None)


def bump_revision(name: str) -> None:
    """The rows behind cache ``name`` change in the current transaction: every process reloads them."""
    token = uuid.uuid4()
    if not Revision.objects.filter(name=name).update(token=token):
        token = Revision.objects.get_or_create(name=name, defaults={"token": token})[0].token
    read = _tokens_read.get()
    if read:
        read[name] = token  # a block that changes the rows sees its own change


@contextmanager
def revisions_read_once() -> Iterator[None]:
    """Inside the block (a request, an intake) the tokens are read once, all together: one round trip
    however many caches the block uses, and its lookups see one state."""
    if _tokens_read.get() is not None:
        yield
        return
    reset = _tokens_read.set({})
    try:
        yield
    finally:
        _tokens_read.reset(reset)


def read_revision(name: str) -> uuid.UUID | None:
    # Static statements, not querysets: they run before cached lookups on busy paths.
    read = _tokens_read.get()
    if read is None:
        with connection.cursor() as cursor:
            cursor.execute(_READ_TOKEN, [name])
            row = cursor.fetchone()
        return _to_uuid(row[0]) if row else None
    if not read:
        with connection.cursor() as cursor:
            cursor.execute(_READ_ALL_TOKENS)
            read.update((row_name, _to_uuid(token)) for row_name, token in cursor.fetchall())
        read.setdefault(name, None)
    return read.get(name)


class RevisionCache:
    """Values loaded from the database, kept in this process while revision ``name`` is unchanged.

    Values are shared by every request of the process: callers read them, never change them.
    """

    def __init__(self, name: str):
        self.name = name
        self._token = object()  # equal to no token read from the database
        self._values: dict = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], object]):
        """The value for ``key``, from ``load()`` if it is not kept under the current token."""
        token = read_revision(self.name)
        with self._lock:
            if token != self._token:
                self._token, self._values = token, {}
            values = self._values
        if key in values:
            return values[key]
        value = load()
        with self._lock:
            if len(values) >= MAX_ENTRIES:
                values.clear()
            values[key] = value
        return value
