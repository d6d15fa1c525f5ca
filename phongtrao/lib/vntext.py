"""Vietnamese text: diacritic-insensitive search keys and collation (sort) keys."""

from __future__ import annotations

import functools
import unicodedata

import icu


def fold(text: str) -> str:
    """Lower-case, strip diacritics and map đ to d: "Đà Nẵng" -> "da nang".

    Used both for the stored search column and for the query, so search ignores
    diacritics and case on every database.
    """
    text = unicodedata.normalize("NFD", text.casefold())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d")
    return " ".join(unicodedata.normalize("NFC", text).split())


@functools.cache
def _collator() -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale("vi_VN"))


def sort_key(text: str) -> str:
    """An ASCII key whose plain byte order is Vietnamese alphabetical order.

    ICU's Vietnamese collation gives An Bình < Anh Sơn < Ân Thi < Bạch Mai < Dương < Đà Nẵng.
    The key is hex-encoded so that it sorts identically under SQLite's BINARY
    collation and any PostgreSQL collation ([0-9a-f] only).
    """
    key: bytes = _collator().getSortKey(unicodedata.normalize("NFC", text))
    return key.hex()


def vi_sorted(items: list[str]) -> list[str]:
    return sorted(items, key=sort_key)
