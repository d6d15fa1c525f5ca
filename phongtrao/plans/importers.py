"""``import plans``, ``import plan_objectives`` and ``import plan_tasks`` (docs/interchange-plans.md).

- ``plans``: one row per plan: the unit whose subtree it covers (its code, resolved on the row's issuing date), the
  kind, the issuing decision's number and date, the title, the period, the status, the parent plan (its number,
  in the same unit or an ancestor), the issuing organisations of a joint plan. A row whose unit already has a plan
  with that number updates it (version checked under the lock, the status moved by the workflow); otherwise the
  plan is created.
- ``plan_objectives``: one row per objective: the plan (unit code and number), the objective's number and text,
  at most one measure (indicator, built-in figure or data element, by code), the comparator and target, the
  years, where it is measured; or, without a measure, the hand assessment. Same plan and number updates.
- ``plan_tasks``: one row per task: the plan, number, kind, year, text, due date, the organisations (codes
  separated by ";") and the lead, optionally a data element. Same plan and number updates.

All-or-nothing per file, one import of these kinds at a time (``serialise``); every row's unit must lie in the
acting user's capture scope (outside reads like an unknown code). The rows are written through the actions of
``plans.actions`` (the same checks as the pages); a refusal there is the row's error and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import CaptureScope
from phongtrao.audit.actions import Actor
from phongtrao.datasets.models import DataElement, Indicator
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
from phongtrao.lib.tabular import Column, Table
from phongtrao.lib.workflow import ActionError
from phongtrao.plans import actions
from phongtrao.plans.models import (
    Comparator,
    Objective,
    Organisation,
    Plan,
    PlanKind,
    PlanStatus,
    Scope,
    Task,
    TaskKind,
)
from phongtrao.units.models import Kind, Unit

PLAN_KINDS_OF_UNIT = {Kind.COUNTRY, Kind.PROVINCE, Kind.COMMUNE}
PLAN_COLUMNS = [
    Column("unit_code", "Mã đơn vị thực hiện", required=True),
    Column("kind", "Loại (de_an, ke_hoach, chuong_trinh_phoi_hop, ke_hoach_nam)", required=True),
    Column("number", "Số văn bản ban hành", required=True),
    Column("issued_on", "Ngày ban hành", required=True),
    Column("title", "Tên kế hoạch", required=True),
    Column("from_year", "Từ năm", required=True),
    Column("to_year", "Đến năm", required=True),
    Column("status", "Trạng thái (draft, in_force, ended, replaced)"),
    Column("parent_number", "Số văn bản của kế hoạch cấp trên"),
    Column("issuers", "Mã các cơ quan ban hành, cách nhau bởi dấu ;"),
    Column("note", "Ghi chú"),
]
PLAN_KEY = [Column("plan_unit_code", "Mã đơn vị của kế hoạch", required=True),
            Column("plan_number", "Số văn bản của kế hoạch", required=True)]
OBJECTIVE_COLUMNS = [
    *PLAN_KEY,
    Column("number", "Mục tiêu số", required=True),
    Column("text", "Nội dung mục tiêu", required=True),
    Column("indicator", "Mã chỉ số đo"),
    Column("figure", "Mã số liệu có sẵn"),
    Column("element", "Mã chỉ tiêu số liệu (tổng)"),
    Column("comparator", "So sánh (ge, gt, le, eq)"),
    Column("target", "Chỉ tiêu"),
    Column("from_year", "Áp dụng từ năm"),
    Column("to_year", "Áp dụng đến năm"),
    Column("scope", "Nơi đo (whole, each_commune, each_organisation)"),
    Column("manual_met", "Đánh giá thủ công: đạt (yes, no)"),
    Column("manual_note", "Nhận xét, căn cứ đánh giá"),
]
TASK_COLUMNS = [
    *PLAN_KEY,
    Column("number", "Nhiệm vụ số", required=True),
    Column("text", "Nội dung nhiệm vụ", required=True),
    Column("kind", "Loại (key, yearly)"),
    Column("year", "Năm thực hiện"),
    Column("due_on", "Hạn hoàn thành"),
    Column("organisations", "Mã các cơ quan thực hiện, cách nhau bởi dấu ;", required=True),
    Column("lead", "Mã cơ quan chủ trì"),
    Column("element", "Mã chỉ tiêu số liệu gắn với nhiệm vụ"),
]
COMPARATORS = {"ge": Comparator.GE, ">=": Comparator.GE, "≥": Comparator.GE, "gt": Comparator.GT, ">": Comparator.GT,
               "le": Comparator.LE, "<=": Comparator.LE, "≤": Comparator.LE, "eq": Comparator.EQ, "=": Comparator.EQ}
MOVES: dict[tuple[str, str], str] = {
         (PlanStatus.DRAFT, PlanStatus.IN_FORCE): "activate", (PlanStatus.IN_FORCE, PlanStatus.ENDED): "end",
         (PlanStatus.IN_FORCE, PlanStatus.REPLACED): "replace"}


class _Cells(RowCells):
    """A row's cells (``lib.importing.RowCells``) and this importer's own kinds of cell."""

    def decimal(self, key: str) -> Decimal | None:
        text = self.raw.get(key, "").strip().replace(" ", "")
        if not text:
            return None
        if "," in text:  # Vietnamese: 1.234,5
            text = text.replace(".", "").replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            self.fail(key, gettext("không phải là số"))
            return None
        if not value.is_finite() or abs(value) >= Decimal(10) ** 14:
            self.fail(key, gettext("số quá lớn"))
            return None
        return value

    def choice(self, key: str, choices: Mapping[str, str], *, default: str = "") -> str:
        text = self.raw.get(key, "").strip().lower()
        if not text:
            return default
        if text not in choices:
            self.fail(key, gettext("giá trị “%(value)s” không hợp lệ; dùng một trong: %(choices)s")
                      % {"value": text[:40], "choices": ", ".join(dict.fromkeys(choices))})
            return default
        return choices[text]

    def codes(self, key: str) -> list[str]:
        return [c.strip() for c in self.raw.get(key, "").split(";") if c.strip()]


def _scope(actor: Actor) -> CaptureScope:
    return CaptureScope(actor.user)


def _organisations(codes: list[str], province: Unit | None, cells: _Cells, key: str) -> list[Organisation]:
    if not codes:
        return []
    found = {o.code: o for o in Organisation.objects.for_province(province).filter(code__in=codes)
             .order_by("province_id")}  # a province's own entry wins over a national one of the same code
    missing = [c for c in codes if c not in found]
    if missing:
        cells.fail(key, gettext("không có cơ quan, tổ chức mã %(codes)s") % {"codes": ", ".join(missing[:10])})
    return [found[c] for c in codes if c in found]


def _province(unit: Unit) -> Unit | None:
    if unit.kind == Kind.PROVINCE:
        return unit
    return Unit.objects.filter(descendant_links__unit=unit, kind=Kind.PROVINCE).first()


def _run(kind: str, name: str, data: bytes | IO[bytes], columns: list[Column], body: Callable[..., ImportResult],
         *, actor: Actor, dry_run: bool) -> ImportResult:
    result, table = open_table(kind, name, data, columns, dry_run=dry_run)
    if table is None:
        return result
    with transaction.atomic():
        serialise("plans:import")
        return body(result, table, actor=actor, dry_run=dry_run)


def _write_rows(result: ImportResult, errors: list[RowError], dry_run: bool,
                steps: list[tuple[int, str, Callable[[], bool]]]) -> ImportResult:
    """Run each row's action (True: created) in one transaction; a refusal becomes the row's error."""

    def write() -> None:
        for position, (_number, _what, step) in enumerate(steps):
            try:
                created = step()
            except ActionError as exc:
                messages = [m for ms in exc.errors.values() for m in ms]
                raise RefusedRows(ActionError({str(position): messages}), [n for n, _w, _s in steps]) from exc
            if created:
                result.created += 1
            else:
                result.updated += 1

    outcome = write_all_or_nothing(result, errors, dry_run, write)
    outcome.preview = [(n, "save", what) for n, what, _s in steps]
    return outcome


# --- plans ---------------------------------------------------------------------------------------


def import_plans(name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False) -> ImportResult:
    return _run("plans", name, data, PLAN_COLUMNS, _import_plans, actor=actor, dry_run=dry_run)


def _import_plans(result: ImportResult, table: Table, *, actor: Actor, dry_run: bool) -> ImportResult:
    errors: list[RowError] = []
    kinds = {k.code: k for k in PlanKind.objects.all()}
    parsed = []
    for number, raw in table.rows:
        cells = _Cells(number, raw, errors)
        row: dict[str, Any] = {
               "code": cells.text("unit_code", 40, required=True), "kind": cells.text("kind", 60, required=True),
               "number": cells.text("number", 60, required=True), "issued_on": cells.day("issued_on", required=True),
               "title": cells.text("title", 500, required=True), "from_year": cells.year("from_year", required=True),
               "to_year": cells.year("to_year", required=True),
               "status": cells.choice("status", {s: s for s in PlanStatus.values}),
               "parent_number": cells.text("parent_number", 60), "note": cells.text("note", 5000)}
        if row["kind"] and row["kind"] not in kinds:
            cells.fail("kind", gettext("không có loại kế hoạch mã “%(code)s”") % {"code": row["kind"][:60]})
        if not cells.bad:
            parsed.append((number, raw, cells, row))
    candidates = Unit.objects.by_codes(r["code"] for _n, _raw, _c, r in parsed)
    scope = _scope(actor)
    seen: dict[tuple[int, str], int] = {}
    steps: list[tuple[int, str, Callable[[], bool]]] = []
    import_actor = Actor(user=actor.user, channel="import")
    for number, _raw, cells, row in parsed:
        issued: dt.date = row["issued_on"]
        unit = resolve_unit(row["code"], issued, candidates, scope, number, errors, kinds=PLAN_KINDS_OF_UNIT)
        if unit is None:
            continue
        key = (unit.pk, row["number"])
        if key in seen:
            errors.append(RowError(number, "number", gettext("trùng với dòng %(row)s") % {"row": seen[key]}))
            continue
        seen[key] = number
        parent: Plan | None = None
        parent_in_file: tuple[int, str] | None = None
        if row["parent_number"]:
            above = set(Unit.objects.filter(descendant_links__unit=unit).values_list("pk", flat=True))
            parent = (Plan.objects.filter(number=row["parent_number"], unit_id__in=above)
                      .order_by("-issued_on").first())
            if parent is None:  # an earlier row of the file
                parent_in_file = next(((u, n) for (u, n) in seen if n == row["parent_number"] and u in above
                                       and (u, n) != key), None)
            if parent is None and parent_in_file is None:
                cells.fail("parent_number", gettext("không có kế hoạch số “%(number)s” của đơn vị này hoặc cấp "
                                                    "trên") % {"number": row["parent_number"]})
                continue
        issuers = _organisations(cells.codes("issuers"), _province(unit), cells, "issuers")
        if cells.bad:
            continue
        data = actions.PlanData(kind=kinds[row["kind"]], number=row["number"], issued_on=issued, title=row["title"],
                                issuing_unit=unit, unit=unit, from_year=row["from_year"], to_year=row["to_year"],
                                issuers=issuers, parent=parent, note=row["note"])
        problems = data.errors()
        for field, messages in problems.items():
            for message in messages:
                errors.append(RowError(number, field, message))
        if problems:
            continue
        existing = Plan.objects.filter(unit=unit, number=row["number"]).first()
        status = row["status"]
        if existing is not None and status and status != existing.status and (existing.status, status) not in MOVES:
            cells.fail("status", gettext("không chuyển được kế hoạch từ “%(a)s” sang “%(b)s”")
                       % {"a": existing.get_status_display(), "b": PlanStatus(status).label})
            continue
        steps.append((number, f"{unit.code} {row['number']}",
                      _plan_step(import_actor, data, existing, status, parent_in_file)))
    return _write_rows(result, errors, dry_run, steps)


def _plan_step(actor: Actor, data: actions.PlanData, existing: Plan | None, status: str,
               parent_in_file: tuple[int, str] | None) -> Callable[[], bool]:
    def step() -> bool:
        if parent_in_file is not None:  # written by an earlier step
            data.parent = Plan.objects.get(unit_id=parent_in_file[0], number=parent_in_file[1])
        if existing is None:
            actions.do_create_plan(actor, data, status=status or PlanStatus.DRAFT)
            return True
        plan = actions.do_update_plan(actor, existing.pk, data, expected_version=existing.version)
        if status and status != plan.status:
            actions.do_move_plan(actor, plan.pk, MOVES[(plan.status, status)], expected_version=plan.version,
                                 reason=gettext("Cập nhật từ tệp"))
        return False

    return step


# --- objectives and tasks ------------------------------------------------------------------------------


def _plans_of(parsed: list[tuple[int, _Cells, dict[str, Any]]], actor: Actor, errors: list[RowError],
              ) -> dict[int, Plan]:
    """The plan of each row (its unit's code resolved today, inside the capture scope)."""
    candidates = Unit.objects.by_codes(r["plan_unit_code"] for _n, _c, r in parsed)
    scope = _scope(actor)
    today = timezone.localdate()
    units: dict[int, Unit] = {}
    for number, _cells, row in parsed:
        unit = resolve_unit(row["plan_unit_code"], today, candidates, scope, number, errors, kinds=PLAN_KINDS_OF_UNIT)
        if unit is not None:
            units[number] = unit
    known = {(p.unit_id, p.number): p for p in Plan.objects.select_related("unit").filter(
        unit__in=set(units.values()), number__in={r["plan_number"] for _n, _c, r in parsed})}
    out: dict[int, Plan] = {}
    for number, cells, row in parsed:
        if (unit := units.get(number)) is None:
            continue
        plan = known.get((unit.pk, row["plan_number"]))
        if plan is None:
            cells.fail("plan_number", gettext("%(unit)s không có kế hoạch số “%(number)s”")
                       % {"unit": unit.name, "number": row["plan_number"]})
            continue
        out[number] = plan
    return out


def _first_of_pair(seen: dict[tuple[int, int], int], key: tuple[int, int], number: int,
                   errors: list[RowError]) -> bool:
    """Whether row ``number`` is the first to name (plan, number) ``key``; a later one is a row error."""
    if key in seen:
        errors.append(RowError(number, "number", gettext("trùng với dòng %(row)s") % {"row": seen[key]}))
        return False
    seen[key] = number
    return True


def _note_problems(errors: list[RowError], number: int, problems: dict[str, list[str]]) -> bool:
    """The action's own validation of a row's data, as row errors; whether there were any."""
    errors.extend(RowError(number, field, message) for field, messages in problems.items() for message in messages)
    return bool(problems)


def import_plan_objectives(name: str, data: bytes | IO[bytes], *, actor: Actor,
                           dry_run: bool = False) -> ImportResult:
    return _run("plan_objectives", name, data, OBJECTIVE_COLUMNS, _import_objectives, actor=actor, dry_run=dry_run)


def _import_objectives(result: ImportResult, table: Table, *, actor: Actor, dry_run: bool) -> ImportResult:
    errors: list[RowError] = []
    indicators = {i.code: i for i in Indicator.objects.all()}
    elements = {e.code: e for e in DataElement.objects.all()}
    parsed: list[tuple[int, _Cells, dict[str, Any]]] = []
    for number, raw in table.rows:
        cells = _Cells(number, raw, errors)
        row: dict[str, Any] = {
            "plan_unit_code": cells.text("plan_unit_code", 40, required=True),
            "plan_number": cells.text("plan_number", 60, required=True),
            "number": cells.integer("number", minimum=1, maximum=999, required=True),
            "text": cells.text("text", 5000, required=True), "indicator": cells.text("indicator", 60),
            "figure": cells.text("figure", 120), "element": cells.text("element", 60),
            "comparator": cells.choice("comparator", COMPARATORS, default=Comparator.GE),
            "target": cells.decimal("target"), "from_year": cells.year("from_year"), "to_year": cells.year("to_year"),
            "scope": cells.choice("scope", {s: s for s in Scope.values}, default=Scope.WHOLE),
            "manual_met": cells.choice("manual_met", {"yes": "yes", "có": "yes", "đạt": "yes", "no": "no",
                                                      "không": "no", "chưa đạt": "no"}),
            "manual_note": cells.text("manual_note", 5000)}
        if row["indicator"] and row["indicator"] not in indicators:
            cells.fail("indicator", gettext("không có chỉ số mã “%(code)s”") % {"code": row["indicator"]})
        if row["element"] and row["element"] not in elements:
            cells.fail("element", gettext("không có chỉ tiêu số liệu mã “%(code)s”") % {"code": row["element"]})
        if not cells.bad:
            parsed.append((number, cells, row))
    plans = _plans_of(parsed, actor, errors)
    current = {(o.plan_id, o.number): o for o in Objective.objects.filter(plan__in=set(plans.values()))}
    seen: dict[tuple[int, int], int] = {}
    steps: list[tuple[int, str, Callable[[], bool]]] = []
    import_actor = Actor(user=actor.user, channel="import")
    for number, _cells, row in parsed:
        plan = plans.get(number)
        if plan is None:
            continue
        if not _first_of_pair(seen, (plan.pk, row["number"]), number, errors):
            continue
        data = actions.ObjectiveData(
            number=row["number"], text=row["text"], indicator=indicators.get(row["indicator"]), figure=row["figure"],
            element=elements.get(row["element"]), comparator=row["comparator"], target=row["target"],
            from_year=row["from_year"], to_year=row["to_year"], scope=row["scope"],
            manual_met={"yes": True, "no": False}.get(row["manual_met"]), manual_note=row["manual_note"])
        if _note_problems(errors, number, data.errors(plan)):
            continue
        existing = current.get((plan.pk, row["number"]))
        steps.append((number, f"{plan.number} #{row['number']}", _objective_step(import_actor, plan, data, existing)))
    return _write_rows(result, errors, dry_run, steps)


def _objective_step(actor: Actor, plan: Plan, data: actions.ObjectiveData,
                    existing: Objective | None) -> Callable[[], bool]:
    def step() -> bool:
        actions.do_save_objective(actor, plan.pk, data, pk=existing.pk if existing else None,
                                  expected_version=existing.version if existing else None)
        return existing is None

    return step


def import_plan_tasks(name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False) -> ImportResult:
    return _run("plan_tasks", name, data, TASK_COLUMNS, _import_tasks, actor=actor, dry_run=dry_run)


def _import_tasks(result: ImportResult, table: Table, *, actor: Actor, dry_run: bool) -> ImportResult:
    errors: list[RowError] = []
    elements = {e.code: e for e in DataElement.objects.all()}
    parsed: list[tuple[int, _Cells, dict[str, Any]]] = []
    for number, raw in table.rows:
        cells = _Cells(number, raw, errors)
        row: dict[str, Any] = {
            "plan_unit_code": cells.text("plan_unit_code", 40, required=True),
            "plan_number": cells.text("plan_number", 60, required=True),
            "number": cells.integer("number", minimum=1, maximum=999, required=True),
            "text": cells.text("text", 5000, required=True),
            "kind": cells.choice("kind", {k: k for k in TaskKind.values}, default=TaskKind.KEY),
            "year": cells.year("year"), "due_on": cells.day("due_on"), "organisations": cells.codes("organisations"),
            "lead": cells.text("lead", 60), "element": cells.text("element", 60)}
        if not row["organisations"] and not row["lead"]:
            cells.fail("organisations", required_cell())
        if row["element"] and row["element"] not in elements:
            cells.fail("element", gettext("không có chỉ tiêu số liệu mã “%(code)s”") % {"code": row["element"]})
        if not cells.bad:
            parsed.append((number, cells, row))
    plans = _plans_of(parsed, actor, errors)
    current = {(t.plan_id, t.number): t for t in Task.objects.filter(plan__in=set(plans.values()))}
    seen: dict[tuple[int, int], int] = {}
    steps: list[tuple[int, str, Callable[[], bool]]] = []
    import_actor = Actor(user=actor.user, channel="import")
    for number, cells, row in parsed:
        plan = plans.get(number)
        if plan is None:
            continue
        if not _first_of_pair(seen, (plan.pk, row["number"]), number, errors):
            continue
        province = _province(plan.unit)
        organisations = _organisations(row["organisations"], province, cells, "organisations")
        lead = _organisations([row["lead"]], province, cells, "lead")[0] if row["lead"] else None
        if cells.bad:
            continue
        data = actions.TaskData(number=row["number"], text=row["text"], kind=row["kind"], year=row["year"],
                                due_on=row["due_on"], element=elements.get(row["element"]),
                                organisations=organisations, lead=lead)
        if _note_problems(errors, number, data.errors(plan)):
            continue
        existing = current.get((plan.pk, row["number"]))
        steps.append((number, f"{plan.number} #{row['number']}", _task_step(import_actor, plan, data, existing)))
    return _write_rows(result, errors, dry_run, steps)


def _task_step(actor: Actor, plan: Plan, data: actions.TaskData, existing: Task | None) -> Callable[[], bool]:
    def step() -> bool:
        actions.do_save_task(actor, plan.pk, data, pk=existing.pk if existing else None,
                             expected_version=existing.version if existing else None)
        return existing is None

    return step


@dataclass(frozen=True)
class DescribedKind(ImportKind):
    """An import kind with its own description on the import pages (``imports.guide.description``)."""

    description: Any = ""


register(DescribedKind(
    key="plans", label=gettext_lazy("Kế hoạch, đề án"), columns=PLAN_COLUMNS, run=import_plans,
    description=gettext_lazy("Kế hoạch, đề án, chương trình phối hợp: mỗi dòng một kế hoạch (đơn vị thực hiện, số và "
                             "ngày văn bản ban hành, thời gian, trạng thái). Dòng cùng đơn vị và số văn bản thì cập "
                             "nhật kế hoạch đó.")))
register(DescribedKind(
    key="plan_objectives", label=gettext_lazy("Mục tiêu của kế hoạch"), columns=OBJECTIVE_COLUMNS,
    run=import_plan_objectives,
    description=gettext_lazy("Mục tiêu của kế hoạch: mỗi dòng một mục tiêu (kế hoạch, số thứ tự, nội dung, cách đo "
                             "và chỉ tiêu, hoặc kết quả đánh giá thủ công). Dòng cùng kế hoạch và số thì cập nhật.")))
register(DescribedKind(
    key="plan_tasks", label=gettext_lazy("Nhiệm vụ của kế hoạch"), columns=TASK_COLUMNS, run=import_plan_tasks,
    description=gettext_lazy("Nhiệm vụ của kế hoạch: mỗi dòng một nhiệm vụ (kế hoạch, số thứ tự, nội dung, hạn, các "
                             "cơ quan thực hiện và cơ quan chủ trì). Dòng cùng kế hoạch và số thì cập nhật.")))
