"""Year-on-year phrases for the report's prose (issue #13, item 2).

A section's blocks get the same section built for the year before (``previous``); these helpers turn a
figure of each year into the words a report uses, in the active language (the document renders under
``override("vi")``):

    compared(27, 15, 2024, gettext("khu dân cư"))   -> "tăng 12 khu dân cư so với năm 2024"
    compared(3, 4, 2024, gettext("mô hình"))         -> "giảm 1 mô hình so với năm 2024"
    compared(9, 9, 2024)                             -> "bằng năm 2024"
    points(88.75, 90.0, 2024)                        -> "giảm 1,25 điểm phần trăm so với năm 2024"
    change(27, 15)                                   -> "tăng 12"; change(5, 5) -> "không đổi"

Numbers are formatted for the active language (``lib.vnformat.localized_number``); a difference of
decimals (percentages) is rounded half-up to ``places`` first, so 90,00% -> 88,75% is 1,25 points.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext

from phongtrao.lib.vnformat import localized_number, round_half_up

Figure = int | float | Decimal


def difference(now: Figure, before: Figure, places: int | None = None) -> Decimal:
    """``now - before`` as a Decimal, rounded half-up to ``places`` when given."""
    diff = Decimal(str(now)) - Decimal(str(before))
    return round_half_up(diff, places) if places is not None else diff


def change(now: Figure, before: Figure, what: str = "", *, places: int | None = None) -> str:
    """ "tăng 12 khu dân cư", "giảm 1,25 điểm phần trăm", "không đổi" (no year)."""
    diff = difference(now, before, places)
    if not diff:
        return gettext("không đổi")
    amount = (localized_number(abs(diff), places) + (" " + what if what else "")).strip()
    return (gettext("tăng %(amount)s") if diff > 0 else gettext("giảm %(amount)s")) % {"amount": amount}


def compared(now: Figure, before: Figure, year_before: int, what: str = "", *, places: int | None = None) -> str:
    """ "tăng 12 khu dân cư so với năm 2024", "giảm 1 mô hình so với năm 2024", "bằng năm 2024"."""
    if not difference(now, before, places):
        return gettext("bằng năm %(year)s") % {"year": year_before}
    return gettext("%(change)s so với năm %(year)s") % {"change": change(now, before, what, places=places),
                                                         "year": year_before}


def points(now: Figure, before: Figure, year_before: int) -> str:
    """A share's move in percentage points: "giảm 1,25 điểm phần trăm so với năm 2024"."""
    return compared(now, before, year_before, gettext("điểm phần trăm"), places=2)
