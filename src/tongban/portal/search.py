"""Search that forgives: what people type (开饭店, yyzz, 社保卡) finds what the catalog calls it.

Items come from the in-process ``catalog.search.item_index`` (Chinese, pinyin, initials, result
name); this adds the words people use (``data/search_terms.json``), all-words matching for queries
with spaces, and bundles (一件事) first, matched also by their characters in order so that 开餐饮店
finds 开办餐饮店一件事.
"""

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from tongban.catalog.choices import BundleStatus
from tongban.catalog.models import Bundle
from tongban.catalog.search import ItemRow, item_index, normalize_query

TERMS_FILE = Path(__file__).resolve().parent / "data" / "search_terms.json"
MAX_ITEMS_SHOWN = 50
MIN_IN_ORDER_LENGTH = 2  # one character in order would match nearly every bundle


@functools.cache
def search_terms() -> dict:
    return json.loads(TERMS_FILE.read_text(encoding="utf-8"))


def _synonyms() -> list[tuple[str, str]]:
    """(what people say, what the catalog says), longest saying first so 开饭店 wins over 饭店."""
    pairs = [(said, term) for term, sayings in search_terms()["synonyms"].items() for said in sayings]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def expand(query: str) -> tuple[list[str], list[str]]:
    """The normalised query and its catalog wordings; second, the catalog terms used (to tell the user)."""
    base = normalize_query(query)
    if not base:
        return [], []
    variants, used = [base], []
    rewritten = base
    for said, term in _synonyms():
        if said in rewritten:
            rewritten = rewritten.replace(said, term)
            if term not in used:
                used.append(term)
    if rewritten != base:
        variants.append(rewritten)
    variants += [term for term in used if term not in variants]
    return variants, used


def _in_order(query: str, text: str) -> bool:
    """Every character of ``query`` appears in ``text`` in the same order (开餐饮店 → 开办餐饮店一件事)."""
    position = 0
    for char in query:
        position = text.find(char, position) + 1
        if position == 0:
            return False
    return True


def _rank(row: ItemRow, variants: list[str]) -> tuple:
    name = row.name.lower()
    if name in variants:
        closeness = 0
    elif any(name.startswith(v) for v in variants):
        closeness = 1
    elif any(v in name for v in variants):
        closeness = 2
    else:
        closeness = 3  # found by pinyin, initials, code or result name
    return closeness, row.on_negative_list, len(row.name), row.code


@dataclass
class SearchResult:
    query: str
    bundles: list[Bundle] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)
    item_count: int = 0
    also_searched: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.bundles and not self.items


def _items_for(variant: str, words: list[str]) -> list[ItemRow]:
    if len(words) > 1:  # 食品 许可: every word must match
        found = None
        for word in words:
            codes = {row.code: row for row in item_index.search(word)}
            found = codes if found is None else {c: r for c, r in found.items() if c in codes}
        return list((found or {}).values())
    return item_index.search(variant)


def search(query: str) -> SearchResult:
    variants, used = expand(query)
    result = SearchResult(query=(query or "").strip(), also_searched=used)
    if not variants:
        return result
    words = [normalize_query(w) for w in (query or "").split() if w.strip()]
    found: dict[str, ItemRow] = {}
    for index, variant in enumerate(variants):
        for row in _items_for(variant, words if index == 0 else [variant]):
            found.setdefault(row.code, row)
    ranked = sorted(found.values(), key=lambda row: _rank(row, variants))
    result.items, result.item_count = ranked[:MAX_ITEMS_SHOWN], len(ranked)
    result.bundles = [
        bundle
        for bundle in Bundle.objects.filter(status=BundleStatus.PUBLISHED).order_by("code")
        if any(v in bundle.search_text for v in variants)
        or (len(variants[0]) >= MIN_IN_ORDER_LENGTH and _in_order(variants[0], bundle.name))
    ]
    return result
