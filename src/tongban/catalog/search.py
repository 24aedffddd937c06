"""Search text for items and bundles: Chinese name, full pinyin and pinyin initials.

``spjy`` finds 食品经营许可, ``shipin`` finds it too, and so does its code. The text is
stored on the row (``search_text``) so a search is one indexed-free LIKE over a narrow column.
"""

from pypinyin import Style, lazy_pinyin


def build_search_text(*, code: str, name: str) -> str:
    syllables = lazy_pinyin(name, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return " ".join([code.lower(), name.lower(), "".join(syllables), "".join(initials)])


def normalize_query(query: str) -> str:
    return "".join(query.split()).lower()
