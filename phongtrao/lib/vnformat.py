"""Vietnamese number, percentage and date formatting: 1.234,5 · 95,81% · 15/12/2023.

``number`` and ``percent_text`` always write Vietnamese (documents, Markdown reports, exports);
``localized_number`` and ``localized_percent`` follow the active language (pages: 1,234.5 in English).
Years are never numbers here: write them as they are (2025, not 2.025).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation


def round_half_up(value: float | Decimal, places: int = 2) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def percent(part: int, whole: int, places: int = 2) -> float:
    """100 × part / whole rounded half-up (0 when whole is 0), as INTERCHANGE.md defines it."""
    if not whole:
        return 0.0
    return float((Decimal(100) * Decimal(part) / Decimal(whole)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def number(value: int | float | Decimal | None, places: int | None = None, *, thousands: str = ".",
           decimal: str = ",") -> str:
    """1234567 -> "1.234.567"; 1234.5 -> "1.234,5"; places fixes the decimals."""
    if value is None:
        return ""
    dec = Decimal(str(value))
    if places is not None:
        dec = round_half_up(dec, places)
    sign = "-" if dec < 0 else ""
    dec = abs(dec)
    text = format(dec, "f")
    whole, _, frac = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = thousands.join(groups)
    if places is None:
        frac = frac.rstrip("0")
    if frac:
        out += decimal + frac
    return sign + out


def percent_text(value: float | Decimal, places: int = 2) -> str:
    """95.81 -> "95,81%"; 90.0 -> "90,00%"."""
    return number(value, places) + "%"


def _separators() -> tuple[str, str]:
    """(thousands, decimal) of the active language: Vietnamese "." and ","; English "," and "."."""
    return (",", ".") if (translation.get_language() or "vi").startswith("en") else (".", ",")


def localized_number(value: int | float | Decimal | None, places: int | None = None) -> str:
    """Like ``number`` in the active language: 1.234,5 in Vietnamese, 1,234.5 in English."""
    thousands, decimal = _separators()
    return number(value, places, thousands=thousands, decimal=decimal)


def localized_percent(value: float | Decimal, places: int = 2) -> str:
    """Like ``percent_text`` in the active language: 95,81% in Vietnamese, 95.81% in English."""
    return localized_number(value, places) + "%"


def date_text(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")
