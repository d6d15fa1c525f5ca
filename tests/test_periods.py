"""The shared Period type: ids, dates, moving, labels in both languages, and refusals with a message."""

import datetime as dt
import itertools

import pytest
from django.utils import translation

from phongtrao.lib.periods import Period, PeriodType, year_end, year_start, years


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ("2025S1", dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
    ("2025s2", dt.date(2025, 7, 1), dt.date(2025, 12, 31)),
    ("2025Q3", dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
    ("2024Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
    ("202402", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),  # a leap year
    ("202502", dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
    ("202512", dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
])
def test_ids_round_trip_and_dates(text, start, end):
    p = Period.parse(text)
    assert (p.start, p.end, p.reference_date) == (start, end, end)
    assert p.id == text.upper() and Period.parse(p.id) == p
    assert p.contains(start) and p.contains(end)
    assert not p.contains(start - dt.timedelta(days=1)) and not p.contains(end + dt.timedelta(days=1))


@pytest.mark.parametrize("bad", ["", "25", "2025Q5", "2025Q0", "2025S3", "202513", "202500", "2025-08", "abcd",
                                 "1899", "2201", "2025\x00", "٢٠٢٥"])
def test_bad_ids_are_refused_with_a_message(bad):
    with translation.override("vi"), pytest.raises(ValueError) as e:
        Period.parse(bad)
    assert str(e.value)  # a sentence for the officer, never an empty error


def test_previous_next_and_last_year_cross_the_year():
    assert Period.parse("2025Q1").previous() == Period.parse("2024Q4")
    assert Period.parse("2024Q4").next() == Period.parse("2025Q1")
    assert Period.parse("202501").previous().id == "202412"
    assert Period.parse("2025S1").previous().id == "2024S2"
    assert Period.parse("2025").previous().id == "2024"
    assert Period.parse("2025Q3").same_period_last_year().id == "2024Q3"
    assert Period.parse("202508").year_period.id == "2025"


def test_containing_and_subperiods():
    day = dt.date(2025, 8, 15)
    assert [Period.containing(day, t).id for t in PeriodType] == ["2025", "2025S2", "2025Q3", "202508"]
    assert [p.id for p in Period.year_of(2025).subperiods("quarter")] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert [p.id for p in Period.half(2025, 2).subperiods(PeriodType.MONTH)] == [f"2025{m:02d}" for m in range(7, 13)]
    with pytest.raises(ValueError):
        Period.quarter(2025, 1).subperiods("year")
    # a year is the union of its months, without gaps or overlaps
    months = Period.year_of(2024).subperiods("month")
    assert sum((m.end - m.start).days + 1 for m in months) == 366
    assert all(a.end + dt.timedelta(days=1) == b.start for a, b in itertools.pairwise(months))


def test_overlaps_and_clamp():
    q = Period.quarter(2025, 3)
    assert q.overlaps(None, None) and q.overlaps(dt.date(2025, 9, 30), None) and q.overlaps(None, dt.date(2025, 7, 1))
    assert not q.overlaps(dt.date(2025, 10, 1), None) and not q.overlaps(None, dt.date(2025, 6, 30))
    assert q.clamp(dt.date(2026, 1, 5)) == dt.date(2025, 9, 30) and q.clamp(dt.date(2025, 1, 5)) == dt.date(2025, 7, 1)


def test_labels_in_vietnamese_and_english():
    with translation.override("vi"):
        assert [Period.parse(i).label for i in ("2025", "2025S1", "2025S2", "2025Q3", "202508")] == [
            "Năm 2025", "6 tháng đầu năm 2025", "6 tháng cuối năm 2025", "Quý III/2025", "Tháng 8/2025"]
    with translation.override("en"):
        labels = [Period.parse(i).label for i in ("2025", "2025S1", "2025S2", "2025Q3", "202508")]
    assert labels == ["Year 2025", "First half of 2025", "Second half of 2025", "Q3/2025", "Month 8/2025"]


def test_year_shorthands_and_order():
    assert (year_start(2023), year_end(2023)) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert [p.id for p in years(2021, 2023)] == ["2021", "2022", "2023"]
    assert sorted([Period.parse("2025"), Period.parse("2024")]) == [Period.parse("2024"), Period.parse("2025")]
