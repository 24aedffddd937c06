"""Item search: Chinese name, full pinyin, pinyin initials, code and result name.

``spjy`` finds 食品经营许可, ``shipin`` finds it too, ``yyzz`` finds 企业设立登记 by its result 营业执照.

Substring search over 15 000 rows costs a full scan per query in the database (no index
serves ``LIKE '%登记%'``), so the in-force catalog's rows and search texts are held in each
process (a few MB) and rebuilt when the catalog changes: the index is keyed on the date
(validity windows open and close at midnight) and ``CatalogRevision``, whose token publishing
and retiring replace in their own transaction. Each process reads that token at most once every
FRESHNESS_SECONDS (a publish in the same process invalidates at once), so a search is usually
nothing but a scan in memory, and another process's publish shows within a second.
"""

import datetime
import threading
import time
from typing import NamedTuple

from django.utils import timezone
from pypinyin import Style, lazy_pinyin


def build_search_text(*, code: str, name: str, also: str = "") -> str:
    """``also`` is a second name to find the row by (an item's result, e.g. 营业执照 for 企业设立登记)."""
    parts = [code.lower()]
    for text in filter(None, [name, also]):
        parts += [
            text.lower(),
            "".join(lazy_pinyin(text, errors="ignore")),
            "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")),
        ]
    return " ".join(parts)


def normalize_query(query: str) -> str:
    return "".join((query or "").split()).lower()


class ItemRow(NamedTuple):
    """What the item list shows of one in-force item (held in memory by the index)."""

    pk: int
    code: str
    version: int
    name: str
    item_type: str
    service_object: str
    authority_kind: str
    handling_kind: str
    promised_limit: int
    scope: str
    on_negative_list: bool


FILTER_FIELDS = ("item_type", "scope", "service_object", "handling_kind", "authority_kind")
_ROW_COLUMNS = [f for f in ItemRow._fields if f != "on_negative_list"]
MATCH_CACHE_SIZE = 512  # distinct recent queries remembered per catalog revision
FRESHNESS_SECONDS = 1.0


class ItemSearchIndex:
    """The in-force items as rows plus their search texts, ordered by code."""

    def __init__(self):
        self._key: tuple | None = None
        self._rows: list[ItemRow] = []
        self._texts: list[str] = []
        self._matches: dict[str, list[int]] = {}
        self._positions: dict[str, int] = {}  # code → index in _rows
        self._versions: dict[int, object] = {}  # pk → Item with sub-items and materials (published rows never change)
        self._checked_at = 0.0  # monotonic time of the last revision read
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """The catalog changed in this process: read the revision again on the next search."""
        self._checked_at = 0.0

    @staticmethod
    def _current_key(on: datetime.date) -> tuple:
        from tongban.catalog.models import CatalogRevision

        return on, CatalogRevision.objects.filter(pk=1).values_list("token", flat=True).first()

    def _refresh(self, on: datetime.date) -> tuple[list[ItemRow], list[str], dict[str, list[int]]]:
        from tongban.catalog.models import Item

        if self._key is not None and self._key[0] == on and time.monotonic() - self._checked_at < FRESHNESS_SECONDS:
            return self._rows, self._texts, self._matches
        key = self._current_key(on)
        self._checked_at = time.monotonic()
        with self._lock:
            if key != self._key:
                values = (
                    Item.objects.in_force(on)
                    .order_by("code")
                    .values_list("search_text", *_ROW_COLUMNS, "negative_reason")
                )
                rows, texts = [], []
                for text, *fields, negative_reason in values:
                    texts.append(text)
                    rows.append(ItemRow(*fields, negative_reason is not None))
                self._rows, self._texts, self._matches, self._key = rows, texts, {}, key
                self._positions = {row.code: i for i, row in enumerate(rows)}
                self._versions = {}
            return self._rows, self._texts, self._matches

    def version_in_force(self, code: str, on: datetime.date | None = None):
        """The in-force Item of ``code`` with sub-items, materials (type, licences) and 秒批 rules prefetched, or None.

        Shared by every request of this process until the catalog changes: callers read it, never change it.
        """
        rows, _texts, _matches = self._refresh(on or timezone.localdate())
        position = self._positions.get(code)
        if position is None:
            return None
        return self._version(rows[position].pk)

    def version(self, pk: int):
        """A version a case was made under, by primary key, prefetched and shared like ``version_in_force``.

        Only for published or retired versions (their content never changes), never for drafts.
        """
        self._refresh(timezone.localdate())
        return self._version(pk)

    def _version(self, pk: int):
        from tongban.catalog.models import Item

        item = self._versions.get(pk)
        if item is None:
            item = (
                Item.objects.select_related("result_license_type")
                .prefetch_related(
                    "sub_items", "materials__material_type", "materials__replaceable_by", "approval_rules"
                )
                .get(pk=pk)
            )
            with self._lock:
                self._versions[pk] = item
        return item

    def search(
        self, query: str = "", *, on: datetime.date | None = None, negative: bool | None = None, **filters
    ) -> list[ItemRow]:
        """Matching in-force items, ordered by code; ``filters`` are exact matches on FILTER_FIELDS."""
        rows, texts, matches = self._refresh(on or timezone.localdate())
        query = normalize_query(query)
        if not query:
            found = rows
        else:
            positions = matches.get(query)
            if positions is None:
                positions = [i for i, text in enumerate(texts) if query in text]
                with self._lock:
                    if len(matches) >= MATCH_CACHE_SIZE:
                        matches.pop(next(iter(matches)), None)
                    matches[query] = positions
            found = [rows[i] for i in positions]
        wanted = [(name, value) for name, value in filters.items() if value]
        if negative is not None:
            wanted.append(("on_negative_list", negative))
        if wanted:
            found = [row for row in found if all(getattr(row, name) == value for name, value in wanted)]
        return found


item_index = ItemSearchIndex()
