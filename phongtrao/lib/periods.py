"""Reporting periods: a year, a half-year, a quarter or a month, named by the ids the files and URLs use.

``2025`` (the year), ``2025S1`` / ``2025S2`` (halves), ``2025Q3`` (a quarter), ``202508`` (August). A period
knows its first and last day, the reference date on which the unit tree is read for it (its last day: a
unit counts for a period when it is valid on that day), the period before it, and its Vietnamese label
("Quý III/2025"). Every app asks a period for these dates instead of writing ``date(year, 12, 31)``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_lazy

# The range of years a period may name: wide enough for any record, narrow enough that arithmetic never overflows.
MIN_YEAR, MAX_YEAR = 1900, 2200
# The years a record (a recognition, an award, a report) may be filed for: what forms, importers and URLs accept.
FIRST_RECORD_YEAR, LAST_RECORD_YEAR = 2000, 2100

_ID_RE = re.compile(r"^(?P<year>[0-9]{4})(?:(?P<kind>[SQ])(?P<index>[0-9])|(?P<month>[0-9]{2}))?$")


class PeriodType(enum.StrEnum):
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"

    @property
    def label(self) -> str:
        return str(_TYPE_LABELS[self])

    @property
    def per_year(self) -> int:
        return {"year": 1, "half": 2, "quarter": 4, "month": 12}[self.value]


_TYPE_LABELS = {
    PeriodType.YEAR: gettext_lazy("Năm"),
    PeriodType.HALF: gettext_lazy("6 tháng"),
    PeriodType.QUARTER: gettext_lazy("Quý"),
    PeriodType.MONTH: gettext_lazy("Tháng"),
}
_QUARTER_LABELS = (gettext_lazy("Quý I/%(year)s"), gettext_lazy("Quý II/%(year)s"), gettext_lazy("Quý III/%(year)s"),
                   gettext_lazy("Quý IV/%(year)s"))
PERIOD_TYPE_CHOICES = [(t.value, _TYPE_LABELS[t]) for t in PeriodType]


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period. Build it with ``Period.parse("2025Q3")`` or ``Period.year_of(2025)`` and friends."""

    year: int
    type: PeriodType
    index: int = 1  # 1 for a year; 1–2 for halves, 1–4 for quarters, 1–12 for months

    def __post_init__(self) -> None:
        if not (MIN_YEAR <= self.year <= MAX_YEAR):
            raise ValueError(gettext("Năm %(year)s nằm ngoài khoảng %(lo)s–%(hi)s.")
                             % {"year": self.year, "lo": MIN_YEAR, "hi": MAX_YEAR})
        if not (1 <= self.index <= self.type.per_year):
            raise ValueError(gettext("Kỳ %(index)s không có trong một năm.") % {"index": self.index})

    # --- building -------------------------------------------------------------------------------------------

    @classmethod
    def year_of(cls, year: int) -> Period:
        return cls(year, PeriodType.YEAR)

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        return cls(year, PeriodType.HALF, half)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls(year, PeriodType.QUARTER, quarter)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(year, PeriodType.MONTH, month)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2025``, ``2025S1``, ``2025Q3``, ``202508``; anything else is a ``ValueError`` with a Vietnamese message."""
        m = _ID_RE.match((text or "").strip().upper())
        if not m:
            raise ValueError(gettext("Kỳ “%(text)s” không đúng dạng: viết 2025 (năm), 2025S1 (6 tháng), "
                                     "2025Q3 (quý) hoặc 202508 (tháng).") % {"text": (text or "")[:20]})
        year = int(m["year"])
        if m["month"]:
            return cls.month(year, int(m["month"]))
        if m["kind"] == "S":
            return cls.half(year, int(m["index"]))
        if m["kind"] == "Q":
            return cls.quarter(year, int(m["index"]))
        return cls.year_of(year)

    @classmethod
    def containing(cls, day: dt.date, type: PeriodType | str = PeriodType.YEAR) -> Period:
        """The period of the given type that contains ``day``."""
        t = PeriodType(type)
        return cls(day.year, t, (day.month - 1) * t.per_year // 12 + 1)

    # --- reading --------------------------------------------------------------------------------------------

    @property
    def id(self) -> str:
        if self.type is PeriodType.YEAR:
            return f"{self.year}"
        if self.type is PeriodType.MONTH:
            return f"{self.year}{self.index:02d}"
        return f"{self.year}{'S' if self.type is PeriodType.HALF else 'Q'}{self.index}"

    def __str__(self) -> str:
        return self.id

    @property
    def months(self) -> int:
        return 12 // self.type.per_year

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, (self.index - 1) * self.months + 1, 1)

    @property
    def end(self) -> dt.date:
        last_month = self.index * self.months
        return dt.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def reference_date(self) -> dt.date:
        """The day the unit tree is read on for this period: its last day."""
        return self.end

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, valid_from: dt.date | None, valid_to: dt.date | None) -> bool:
        """Whether a record valid from ``valid_from`` to ``valid_to`` (``None``: open) is valid during the period."""
        return (valid_from is None or valid_from <= self.end) and (valid_to is None or valid_to >= self.start)

    def clamp(self, day: dt.date) -> dt.date:
        """``day`` moved into the period: its end when later, its start when earlier."""
        return min(max(day, self.start), self.end)

    @property
    def label(self) -> str:
        """Vietnamese (or the active language): "Năm 2025", "6 tháng đầu năm 2025", "Quý III/2025", "Tháng 8/2025"."""
        if self.type is PeriodType.YEAR:
            return gettext("Năm %(year)s") % {"year": self.year}
        if self.type is PeriodType.HALF:
            if self.index == 1:
                return gettext("6 tháng đầu năm %(year)s") % {"year": self.year}
            return gettext("6 tháng cuối năm %(year)s") % {"year": self.year}
        if self.type is PeriodType.QUARTER:
            return str(_QUARTER_LABELS[self.index - 1]) % {"year": self.year}
        return gettext("Tháng %(month)s/%(year)s") % {"month": self.index, "year": self.year}

    # --- moving ---------------------------------------------------------------------------------------------

    def _shift(self, steps: int) -> Period:
        n = self.year * self.type.per_year + (self.index - 1) + steps
        return Period(n // self.type.per_year, self.type, n % self.type.per_year + 1)

    def previous(self) -> Period:
        return self._shift(-1)

    def next(self) -> Period:
        return self._shift(1)

    def same_period_last_year(self) -> Period:
        return Period(self.year - 1, self.type, self.index)

    @property
    def year_period(self) -> Period:
        return Period.year_of(self.year)

    def subperiods(self, type: PeriodType | str) -> list[Period]:
        """The periods of a finer (or the same) type that make up this one: a year's four quarters."""
        t = PeriodType(type)
        if t.per_year < self.type.per_year:
            raise ValueError(gettext("Kỳ %(type)s không nằm gọn trong một kỳ %(outer)s.")
                             % {"type": t.label, "outer": self.type.label})
        ratio = t.per_year // self.type.per_year
        return [Period(self.year, t, (self.index - 1) * ratio + i) for i in range(1, ratio + 1)]


def years(first: int, last: int) -> Iterator[Period]:
    """The year periods from ``first`` to ``last``, both included."""
    for y in range(first, last + 1):
        yield Period.year_of(y)


def year_start(year: int) -> dt.date:
    """1 January of ``year``: shorthand for ``Period.year_of(year).start``."""
    return Period.year_of(year).start


def year_end(year: int) -> dt.date:
    """31 December of ``year``: shorthand for ``Period.year_of(year).end``, the day a year's figures are read on."""
    return Period.year_of(year).end
