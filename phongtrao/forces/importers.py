"""``import force_teams`` and ``import force_ratings`` (docs/interchange-forces.md).

- ``force_teams``: one row per team: the residential area it serves (its code resolved on the row's start date), the
  establishing decision, the member counts by position, the residents, and optionally its dissolution. A row whose
  area already has a team with the same decision number updates it (``TEAMS.move_many``: version and status checked
  again under the lock); an area with another active team is an error; otherwise a team is established.
- ``force_ratings``: one row per team and year: the counts of members per rating. The area's code resolves on
  31 December of the year; the team is the area's team active in the rating period (15/11 to 14/11). The commune's
  sheet must be open. Importing the same row again changes nothing.

All-or-nothing per file, one import of a kind at a time (``serialise``); every row's area must lie in the acting
user's capture scope (outside reads like an unknown code).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import CaptureScope
from phongtrao.audit.actions import Actor
from phongtrao.forces.actions import RatingInput, TeamData, derive_sizes, do_establish_teams, do_save_ratings
from phongtrao.forces.models import RATING_FIELDS, TEAMS, RatingSheet, SheetStatus, Team, TeamStatus
from phongtrao.forces.rules import rating_period
from phongtrao.lib.importing import (
    ImportKind,
    ImportResult,
    RefusedRows,
    RowCells,
    RowError,
    open_table,
    register,
    required_cell,
    resolve_unit,
    write_all_or_nothing,
)
from phongtrao.lib.locks import serialise
from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR, year_end
from phongtrao.lib.tabular import CellError, Column, Table, parse_int
from phongtrao.lib.workflow import ActionError, Move
from phongtrao.units.models import Kind, Unit

TEAM_COLUMNS = [
    Column("unit_code", "Mã khu dân cư", required=True),
    Column("decision_no", "Số quyết định", required=True),
    Column("decision_date", "Ngày quyết định", required=True),
    Column("decision_signer", "Người ký"),
    Column("started_on", "Ngày bắt đầu hoạt động", required=True),
    Column("leaders", "Tổ trưởng"),
    Column("deputies", "Tổ phó"),
    Column("members", "Tổ viên"),
    Column("residents", "Số nhân khẩu"),
    Column("dissolved_on", "Ngày giải thể"),
    Column("dissolution_decision_no", "Số quyết định giải thể"),
]
RATING_COLUMNS = [
    Column("unit_code", "Mã khu dân cư", required=True),
    Column("year", "Năm", required=True),
    Column("excellent", "Hoàn thành xuất sắc nhiệm vụ"),
    Column("good", "Hoàn thành tốt nhiệm vụ"),
    Column("completed", "Hoàn thành nhiệm vụ"),
    Column("not_completed", "Không hoàn thành nhiệm vụ"),
    Column("not_rated", "Chưa đánh giá"),
]
MAX_COUNT = 999


class _Cells(RowCells):
    """A row's cells (``lib.importing.RowCells``) and this importer's own kinds of cell."""

    def count(self, key: str, default: int | None = 0, *, maximum: int = MAX_COUNT) -> int | None:
        try:
            value = parse_int(self.raw.get(key, ""), minimum=0, maximum=maximum)
        except CellError as exc:
            self.fail(key, str(exc))
            return default
        return default if value is None else value


def _resolve(code: str, day: dt.date, candidates: dict[str, list[Unit]], scope: CaptureScope, number: int,
             errors: list[RowError]) -> Unit | None:
    return resolve_unit(code, day, candidates, scope, number, errors, kinds={Kind.RESIDENTIAL_AREA})


# --- force_teams ------------------------------------------------------------------------------------


@dataclass
class TeamRow:
    number: int
    code: str
    data: TeamData
    dissolved_on: dt.date | None
    dissolution_no: str
    area: Unit | None = None


def _parse_team(number: int, raw: dict[str, str], errors: list[RowError]) -> TeamRow | None:
    cells = _Cells(number, raw, errors)
    code = cells.text("unit_code", 40, required=True)
    decision_no = cells.text("decision_no", 60, required=True)
    signer = cells.text("decision_signer", 120)
    decision_date = cells.day("decision_date", required=True)
    started_on = cells.day("started_on", required=True)
    counts = {key: cells.count(key, 1 if key == "leaders" else 0) for key in ("leaders", "deputies", "members")}
    residents = cells.count("residents", None, maximum=10_000_000)
    dissolved_on = cells.day("dissolved_on")
    dissolution_no = cells.text("dissolution_decision_no", 60)
    if dissolved_on is not None and not dissolution_no:
        cells.fail("dissolution_decision_no", gettext("tổ giải thể phải có số quyết định giải thể"))
    if cells.bad or decision_date is None or started_on is None:
        return None
    data = TeamData(decision_no=decision_no, decision_date=decision_date, started_on=started_on,
                    leaders=counts["leaders"] or 0, deputies=counts["deputies"] or 0, members=counts["members"] or 0,
                    residents=residents, decision_signer=signer)
    for key, messages in data.errors().items():
        for message in messages:
            cells.fail(key, message)
    if dissolved_on is not None and dissolved_on < started_on:
        cells.fail("dissolved_on", gettext("ngày giải thể trước ngày bắt đầu hoạt động"))
    return None if cells.bad else TeamRow(number, code, data, dissolved_on, dissolution_no)


def import_force_teams(name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False) -> ImportResult:
    result, table = open_table("force_teams", name, data, TEAM_COLUMNS, dry_run=dry_run)
    if table is None:
        return result
    with transaction.atomic():
        serialise("forces:teams")
        return _import_teams(result, table, actor=actor, dry_run=dry_run)


def _import_teams(result: ImportResult, table: Table, *, actor: Actor, dry_run: bool) -> ImportResult:
    errors: list[RowError] = []
    rows = [r for number, raw in table.rows if (r := _parse_team(number, raw, errors)) is not None]
    candidates = Unit.objects.by_codes(r.code for r in rows)
    scope = CaptureScope(actor.user)
    seen: dict[int, int] = {}
    for row in rows:
        row.area = _resolve(row.code, row.data.started_on, candidates, scope, row.number, errors)
        if row.area is not None:
            if row.area.pk in seen:
                errors.append(RowError(row.number, "unit_code", gettext("trùng khu dân cư với dòng %(row)s")
                                       % {"row": seen[row.area.pk]}))
            seen.setdefault(row.area.pk, row.number)
    resolved = [r for r in rows if r.area is not None]
    existing: dict[int, list[Team]] = defaultdict(list)
    for team in (Team.objects.select_for_update(of=("self",)).select_related("unit")
                 .filter(unit__in=[r.area for r in resolved])):
        existing[team.unit_id].append(team)
    new: list[TeamRow] = []
    moves: list[tuple[TeamRow, Move]] = []
    for row in resolved:
        assert row.area is not None
        teams = existing.get(row.area.pk, [])
        same = next((t for t in teams if t.decision_no == row.data.decision_no), None)
        active = next((t for t in teams if t.status == TeamStatus.ACTIVE), None)
        if same is None:
            if active is not None and row.dissolved_on is None:
                errors.append(RowError(row.number, "decision_no",
                                       gettext("%(area)s đã có tổ đang hoạt động (quyết định %(no)s)")
                                       % {"area": row.area.name, "no": active.decision_no}))
            else:
                new.append(row)
            continue
        if same.status == TeamStatus.DISSOLVED:
            result.unchanged += 1
            continue
        changes = row.data.fields()
        if row.dissolved_on is not None:
            changes |= {"dissolved_on": row.dissolved_on, "dissolution_decision_no": row.dissolution_no}
        if all(getattr(same, k) == v for k, v in changes.items()):
            result.unchanged += 1
            continue
        before = same.snapshot()
        for key, value in changes.items():
            setattr(same, key, value)
        derive_sizes([same])
        changes |= {"size_rule": same.size_rule, "required_members": same.required_members}
        action = "dissolve" if row.dissolved_on is not None else "import"
        moves.append((row, Move(same, action, changes=changes, before=before, reason=row.dissolution_no)))
    result.created, result.updated = len(new), len(moves)
    result.preview = sorted([(r.number, "create", f"{r.code} {r.data.decision_no}") for r in new]
                            + [(r.number, "update", f"{r.code} {r.data.decision_no}") for r, _ in moves])

    def write() -> None:
        import_actor = Actor(user=actor.user, channel="import")
        try:
            teams = do_establish_teams(import_actor, [(r.area, r.data) for r in new if r.area is not None],
                                       action="import", check=False)
        except ActionError as exc:
            raise RefusedRows(exc, [r.number for r in new]) from exc
        dissolving = [(team, row) for team, row in zip(teams, new, strict=True) if row.dissolved_on is not None]
        for team, row in dissolving:
            moves.append((row, Move(team, "dissolve", reason=row.dissolution_no,
                                    changes={"dissolved_on": row.dissolved_on,
                                             "dissolution_decision_no": row.dissolution_no})))
        try:
            TEAMS.move_many([m for _, m in moves], actor=import_actor)
        except ActionError as exc:
            raise RefusedRows(exc, [r.number for r, _ in moves]) from exc

    return write_all_or_nothing(result, errors, dry_run, write)


# --- force_ratings ----------------------------------------------------------------------------------


@dataclass
class RatingRow:
    number: int
    code: str
    year: int
    counts: dict[str, int]
    team: Team | None = None


def _parse_rating(number: int, raw: dict[str, str], errors: list[RowError]) -> RatingRow | None:
    cells = _Cells(number, raw, errors)
    code = cells.text("unit_code", 40, required=True)
    year: int | None = None
    if not raw.get("year", "").strip():
        cells.fail("year", required_cell())
    else:
        try:
            year = parse_int(raw["year"], minimum=FIRST_RECORD_YEAR, maximum=LAST_RECORD_YEAR)
        except CellError as exc:
            cells.fail("year", str(exc))
    counts = {name: cells.count(name) or 0 for name, _ in RATING_FIELDS}
    if cells.bad or year is None:
        return None
    return RatingRow(number, code, year, counts)


def import_force_ratings(name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False) -> ImportResult:
    result, table = open_table("force_ratings", name, data, RATING_COLUMNS, dry_run=dry_run)
    if table is None:
        return result
    with transaction.atomic():
        serialise("forces:ratings")
        return _import_ratings(result, table, actor=actor, dry_run=dry_run)


def _import_ratings(result: ImportResult, table: Table, *, actor: Actor, dry_run: bool) -> ImportResult:
    errors: list[RowError] = []
    rows = [r for number, raw in table.rows if (r := _parse_rating(number, raw, errors)) is not None]
    candidates = Unit.objects.by_codes(r.code for r in rows)
    scope = CaptureScope(actor.user)
    areas: dict[int, Unit] = {}
    for row in rows:
        area = _resolve(row.code, year_end(row.year), candidates, scope, row.number, errors)
        if area is not None:
            areas[row.number] = area
    teams: dict[int, list[Team]] = defaultdict(list)
    for team in Team.objects.select_related("unit").filter(unit__in=list(areas.values())).order_by("-started_on"):
        teams[team.unit_id].append(team)
    seen: dict[tuple[int, int], int] = {}
    groups: dict[tuple[int, int], list[RatingRow]] = defaultdict(list)
    communes: dict[int, Unit] = {}
    for row in rows:
        area = areas.get(row.number)
        if area is None:
            continue
        start, end = rating_period(row.year)
        found = next((t for t in teams.get(area.pk, []) if t.started_on <= end
                      and (t.dissolved_on is None or t.dissolved_on >= start)), None)
        if found is None:
            errors.append(RowError(row.number, "unit_code", gettext("%(area)s không có Tổ bảo vệ ANTT hoạt động trong "
                                                                    "kỳ đánh giá năm %(year)s")
                                   % {"area": area.name, "year": row.year}))
            continue
        key = (found.pk, row.year)
        if key in seen:
            errors.append(RowError(row.number, "unit_code", gettext("trùng với dòng %(row)s") % {"row": seen[key]}))
            continue
        seen[key] = row.number
        row.team = found
        assert area.parent_id is not None
        groups[(area.parent_id, row.year)].append(row)
    if groups:
        communes = {u.pk: u for u in Unit.objects.filter(pk__in={c for c, _ in groups})}
        closed = {(s.commune_id, s.year) for s in RatingSheet.objects.filter(
            commune__in=list(communes), year__in={y for _, y in groups}).exclude(status=SheetStatus.OPEN)}
        for key in closed & set(groups):
            for row in groups.pop(key):
                errors.append(RowError(row.number, "year", gettext("kết quả đánh giá năm %(year)s của %(commune)s đã "
                                                                   "gửi cấp trên, không sửa được")
                                       % {"year": row.year, "commune": communes[key[0]].name}))

    def write() -> None:
        import_actor = Actor(user=actor.user, channel="import")
        for (commune_id, year), listed in groups.items():
            try:
                saved = do_save_ratings(import_actor, communes[commune_id], year,
                                        [RatingInput(r.team, r.counts) for r in listed if r.team is not None],
                                        channel_action="import")
            except ActionError as exc:
                messages = [m for ms in exc.errors.values() for m in ms]
                raise RefusedRows(ActionError({"": messages}), []) from exc
            result.created += len(saved.created)
            result.updated += len(saved.updated)
            result.unchanged += saved.unchanged

    outcome = write_all_or_nothing(result, errors, dry_run, write)
    outcome.preview = sorted((r.number, "save", f"{r.code} {r.year}") for rs in groups.values() for r in rs)
    return outcome


@dataclass(frozen=True)
class DescribedKind(ImportKind):
    """An import kind with its own description on the import pages (``imports.guide.description``)."""

    description: Any = ""


register(DescribedKind(
    key="force_teams", label=gettext_lazy("Tổ bảo vệ an ninh, trật tự"), columns=TEAM_COLUMNS, run=import_force_teams,
    description=gettext_lazy("Tổ bảo vệ an ninh, trật tự: mỗi dòng một tổ (khu dân cư, quyết định thành lập, số tổ "
                             "trưởng, tổ phó, tổ viên). Dòng cùng khu dân cư và số quyết định thì cập nhật tổ đó.")))
register(DescribedKind(
    key="force_ratings", label=gettext_lazy("Đánh giá Tổ bảo vệ an ninh, trật tự"), columns=RATING_COLUMNS,
    run=import_force_ratings,
    description=gettext_lazy("Kết quả đánh giá, xếp loại hằng năm Tổ bảo vệ an ninh, trật tự (kỳ từ 15/11 năm trước "
                             "đến 14/11): mỗi dòng một tổ và năm, số thành viên theo từng mức xếp loại.")))
