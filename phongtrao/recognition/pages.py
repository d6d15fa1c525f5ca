"""Reads behind the ANTT pages: the unit of a page, the commune's grid rows, criteria totals.

Every unit comes from ``visible_units(user)``; lists are QuerySets; the rows of one page are
completed with a fixed number of queries (never one per unit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from phongtrao.accounts.access import visible_units
from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR, year_end
from phongtrao.lib.xlsx import ListSheet
from phongtrao.recognition.actions import allowed_moves
from phongtrao.recognition.authority import Authority
from phongtrao.recognition.models import (
    DECIDED_STATUSES,
    RECOGNITIONS,
    CriteriaSet,
    Recognition,
    Status,
    evaluation_window,
)
from phongtrao.units.models import STANDARD_KINDS, Kind, Unit, UnitQuerySet

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

YEAR_MIN, YEAR_MAX = FIRST_RECORD_YEAR, LAST_RECORD_YEAR


def year_choices(year: int) -> list[int]:
    """The years offered by the year selector: five back from this year, the next one, and ``year``."""
    this_year = timezone.localdate().year
    return sorted({*range(this_year - 5, this_year + 2), year})


def year_param(value: str | None) -> int:
    """The year asked for in the query string (``?year=2024``), else this year; never an error."""
    text = (value or "").strip()
    if text.isascii() and text.isdigit() and len(text) == 4 and YEAR_MIN <= int(text) <= YEAR_MAX:
        return int(text)
    return timezone.localdate().year


def unit_for_year(request: HttpRequest, code: str, year: int, kinds: tuple[str, ...] = STANDARD_KINDS) -> Unit:
    """The visible unit of ``code`` (of one of ``kinds``) valid on 31 December of ``year``, else 404."""
    if not YEAR_MIN <= year <= YEAR_MAX or len(code) > 40:
        raise Http404("Năm hoặc mã không hợp lệ.")
    unit = (visible_units(request.user).with_code(code, year_end(year)).of_kind(*kinds)
            .order_by("depth", "pk").first())
    if unit is None:
        raise Http404("Không tìm thấy đơn vị.")
    return unit


def grid_units(commune: Unit, year: int, *, kind: str = "", status: str = "", q: str = "") -> UnitQuerySet:
    """The units of ``commune`` (itself included) subject to the standard and valid on 31 December,
    each annotated with its status of the year (``not_registered`` without a record), in Vietnamese order."""
    units = Unit.objects.in_subtree(commune).valid_on(year_end(year)).subject_to_standard()
    if kind:
        units = units.of_kind(kind)
    if q:
        units = units.search(q)
    status_of_year = Recognition.objects.filter(unit=OuterRef("pk"), year=year).values("status")[:1]
    units = units.annotate(rec_status=Coalesce(Subquery(status_of_year), Value(Status.NOT_REGISTERED.value)))
    if status:
        units = units.filter(rec_status=status)
    return units.vi_ordered()


def criteria_totals(unit: Unit, year: int) -> dict[str, int]:
    """Number of criteria that apply in ``year`` to each unit kind under ``unit``'s province (one query):
    the newest national set for the kind plus every set its province added (``CriteriaSet.for_unit``)."""
    provinces = Unit.objects.filter(Q(descendant_links__unit=unit) | Q(pk=unit.pk), kind=Kind.PROVINCE).values("pk")
    sets = list(CriteriaSet.objects.filter(Q(province__isnull=True) | Q(province_id__in=provinces))
                .annotate(n=Count("criteria")).order_by("-effective_from", "pk"))
    totals: dict[str, int] = {}
    for kind in STANDARD_KINDS:
        day = evaluation_window(kind, year)[1]
        live = [s for s in sets if kind in s.kinds and s.effective_from <= day
                and (s.effective_to is None or s.effective_to >= day)]
        national = [s for s in live if s.province_id is None][:1]
        totals[kind] = sum(s.n for s in national + [s for s in live if s.province_id is not None])
    return totals


@dataclass
class GridLine:
    """One row of the grid: the unit, its record of the year (or None) and what the user may do."""

    unit: Unit
    rec: Recognition | None
    answered: int
    total: int
    overdue: bool
    moves: frozenset[str]
    errors: list[str] = field(default_factory=list)
    posted: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.rec.status if self.rec else Status.NOT_REGISTERED

    @property
    def status_label(self) -> StrPromise:
        return Status(self.status).label

    @property
    def version(self) -> int:
        return self.rec.version if self.rec else 0

    @property
    def registered(self) -> bool:
        return self.rec is not None and self.rec.registered_on is not None and self.status != Status.WITHDRAWN

    @property
    def result_label(self) -> str | StrPromise:
        return Status(self.status).label if self.status in DECIDED_STATUSES else ""

    @property
    def can_register(self) -> bool:
        return "register" in self.moves and RECOGNITIONS.allows(self.status, "register")

    @property
    def takes_households(self) -> bool:
        return self.unit.kind == Kind.RESIDENTIAL_AREA

    @property
    def advances(self) -> list[tuple[str, str]]:
        """The next moves the grid offers for this row: (value, label)."""
        labels = {"submit": gettext("Gửi hồ sơ"), "start_review": gettext("Bắt đầu thẩm định")}
        return [(action, label) for action, label in labels.items()
                if action in self.moves and RECOGNITIONS.allows(self.status, action)]


def grid_lines(units: list[Unit], year: int, user: Any, totals: dict[str, int]) -> list[GridLine]:
    """The rows for one page of units: their records, overdue flags and allowed moves in three queries."""
    recs = {r.unit_id: r for r in Recognition.objects.filter(unit__in=[u.pk for u in units], year=year)}
    overdue = set(Recognition.objects.overdue(timezone.localdate())
                  .filter(unit__in=[u.pk for u in units], year=year).values_list("unit_id", flat=True))
    moves = allowed_moves(user, units)
    lines = []
    for unit in units:
        rec = recs.get(unit.pk)
        if rec is not None:
            rec.unit = unit  # already loaded: no query when the row reads it
        answered = len(rec.answers) if rec and isinstance(rec.answers, list) else 0
        lines.append(GridLine(unit=unit, rec=rec, answered=answered, total=totals.get(unit.kind, 0),
                              overdue=unit.pk in overdue, moves=moves[unit.pk]))
    return lines


def export_lines(units: UnitQuerySet, year: int, totals: dict[str, int]) -> list[GridLine]:
    """Every row of a filtered grid (for the Excel export): two queries."""
    unit_list = list(units)
    recs = {r.unit_id: r for r in Recognition.objects.filter(unit__in=units.values("pk"), year=year)}
    return [GridLine(unit=u, rec=recs.get(u.pk), total=totals.get(u.kind, 0), overdue=False, moves=frozenset(),
                     answered=len(recs[u.pk].answers) if u.pk in recs and isinstance(recs[u.pk].answers, list)
                     else 0) for u in unit_list]


def with_all_kinds(children: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add ``all`` (every kind subject to the standard) to each child of ``recognition_by_child``."""
    from phongtrao.lib.vnformat import percent

    for child in children:
        section = child["recognition"]
        keys = ("residential_area", "commune", "organisation")
        total = sum(section[k]["total"] for k in keys)
        recognised = sum(section[k]["recognised"] for k in keys)
        registered = sum(section[k]["registered"] for k in keys)
        child["all"] = {"total": total, "recognised": recognised, "registered": registered,
                        "percent": percent(recognised, total), "registered_percent": percent(registered, total)}
    return children


def signer_for(authority: Authority) -> tuple[str, str]:
    """The signer a decision of ``authority`` is pre-filled with: the name on its latest recognition
    decision ("" when it has none yet) and the title of the competent chairman."""
    name = (Recognition.objects.filter(authority=authority.unit).exclude(signer_name="")
            .order_by("-decision_date", "-pk").values_list("signer_name", flat=True).first())
    return name or "", authority.official_label


def bulk_candidates(root: Unit, year: int, decided_on: dt.date) -> tuple[list[Recognition], list[Recognition]]:
    """Records in ``root``'s subtree that ``root``'s chairman decides on ``decided_on``: under review
    (ready for a decision) and those still self-assessed or submitted (listed with a note). Vietnamese order."""
    from phongtrao.recognition.authority import NoAuthority, deciding_level, managing_level

    recs = (Recognition.objects.for_year(year).in_subtree(root)
            .filter(status__in=(Status.SELF_ASSESSED, Status.SUBMITTED, Status.UNDER_REVIEW))
            .select_related("unit__parent").order_by("unit__sort_key", "unit__code"))
    mine = []
    for rec in recs:
        try:
            level = deciding_level(rec.unit.kind, managing_level(rec.unit), decided_on)
        except NoAuthority:
            continue
        if level == root.kind and rec.unit_id != root.pk:
            mine.append(rec)
    return ([r for r in mine if r.status == Status.UNDER_REVIEW], [r for r in mine if r.status != Status.UNDER_REVIEW])


class DecisionRow(TypedDict):
    decision_no: str
    decision_date: dt.date | None
    n: int  # units recognised by the decision


def decisions(root: Unit, year: int) -> list[DecisionRow]:
    """The recognition decisions of ``root``'s chairman in ``year``: number, date and how many units (one query)."""
    return list(Recognition.objects.for_year(year).passed().filter(authority=root).exclude(decision_no="")
                .values("decision_no", "decision_date").annotate(n=Count("pk"))
                .order_by("-decision_date", "decision_no"))


def decision_recognitions(root: Unit, year: int, decision_no: str) -> list[Recognition]:
    """The units recognised by one decision of ``root``'s chairman."""
    if not decision_no:
        return []
    return list(Recognition.objects.for_year(year).passed().filter(authority=root, decision_no=decision_no)
                .select_related("unit", "authority"))


GRID_HEADERS = ("Mã", "Tên đơn vị", "Loại", "Ngày đăng ký", "Số hộ ký cam kết", "Số hộ",
                "Tiêu chí đã trả lời", "Tổng số tiêu chí", "Trạng thái", "Kết quả", "Số quyết định",
                "Ngày quyết định")


def grid_workbook(commune: Unit, year: int, lines: list[GridLine]) -> bytes:
    """The grid as an .xlsx: one row per unit, texts never read as formulas, dates as dates."""
    sheet = ListSheet(gettext("ANTT %(year)s") % {"year": year}, [gettext(h) for h in GRID_HEADERS],
                      widths=(16, 40, 22, 14, 12, 10, 12, 12, 18, 12, 18, 14),
                      title=gettext("Tiêu chuẩn “An toàn về an ninh, trật tự” năm %(year)s: %(name)s")
                      % {"year": year, "name": commune.name})
    text, day = sheet.text, sheet.day
    for line in lines:
        rec, unit = line.rec, line.unit
        sheet.append([
            text(unit.code), text(unit.name), text(Kind(unit.kind).label),
            day(rec.registered_on if rec else None), rec.households_committed if rec else None, unit.households,
            line.answered, line.total, text(line.status_label), text(line.result_label),
            text(rec.decision_no if rec else ""), day(rec.decision_date if rec else None),
        ])
    return sheet.to_bytes()
