"""Vietnamese text: diacritic-insensitive search keys and collation (sort) keys."""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

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
def _collator(numeric: bool = True) -> icu.Collator:
    collator = icu.Collator.createInstance(icu.Locale("vi_VN"))
    if numeric:
        # Numbers compare by value: "Tổ dân phố 2" < "Tổ dân phố 10" (ICU pads the digits in the key).
        collator.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)
    return collator


def sort_key(text: str, *, numeric: bool = True) -> str:
    """An ASCII key whose plain byte order is Vietnamese alphabetical order, numbers by their value.

    ICU's Vietnamese collation gives An Bình < Anh Sơn < Ân Thi < Bạch Mai < Dương < Đà Nẵng, and with
    numeric collation Tổ dân phố 2 < Tổ dân phố 10 < Tổ dân phố 100. The key is hex-encoded so that it
    sorts identically under SQLite's BINARY collation and any PostgreSQL collation ([0-9a-f] only).
    ``numeric=False`` is the key stored before numbers sorted by value (for reversing the migration
    that recomputed the stored keys, ``units.0002_natural_sort_keys``).
    """
    key: bytes = _collator(numeric).getSortKey(unicodedata.normalize("NFC", text))
    return key.hex()


def vi_sorted(items: list[str]) -> list[str]:
    return sorted(items, key=sort_key)


def restamp_sort_keys(model: Any, *, numeric: bool = True, batch: int = 2000) -> int:
    """Recompute the stored ``sort_key`` of every row of ``model`` (a model with ``name`` and
    ``sort_key``, e.g. a migration's historical model) from its name; returns the rows changed.

    Used by the data migrations that brought in numeric collation. Keys are computed in Python (ICU
    is not in the database) and written back in batches with one UPDATE per batch.
    """
    changed = 0
    pending: list[Any] = []
    for row in model.objects.only("pk", "name", "sort_key").order_by("pk").iterator(chunk_size=batch):
        key = sort_key(row.name, numeric=numeric)[:600]
        if row.sort_key != key:
            row.sort_key = key
            pending.append(row)
        if len(pending) >= batch:
            model.objects.bulk_update(pending, ["sort_key"])
            changed, pending = changed + len(pending), []
    if pending:
        model.objects.bulk_update(pending, ["sort_key"])
        changed += len(pending)
    return changed
