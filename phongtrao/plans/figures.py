"""Figures of plans: a task's state (reported, or done by data), and the ``plans`` section of ``report annual``.

The section lists the plans in force in the unit's subtree whose period covers the year: for each, the
objectives met out of all (measured ones met plus those assessed by hand as met), the measured ones met out of
measured, and the tasks done out of those due by 31 December; with the report's sentence "Đề án ... đã đạt
06/11 mục tiêu"; and the unit's steering committee as it stood at the year's end (``committees.committee_line``:
its decision, members and meetings, with the sentence "Ban Chỉ đạo ... được kiện toàn theo Quyết định số ... ngày
..., gồm N thành viên", one query). With no plan in force it costs ``PLANS_QUERIES`` queries (the plans, the
committee); with plans, two more (objectives, tasks) plus the live evaluation of each plan (``evaluation``: one
grouped query for the data elements, and the built-in figures its objectives name).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from phongtrao.datasets.models import DataValue
from phongtrao.lib.periods import Period, PeriodType, year_end
from phongtrao.lib.vnformat import date_text, localized_number, number
from phongtrao.plans.committees import committee_line
from phongtrao.plans.evaluation import evaluate_plan, tally
from phongtrao.plans.models import Objective, Plan, Task, TaskStatus
from phongtrao.reports.blocks import Block, Bullets, Column, Heading, Paragraph, Table
from phongtrao.units.lineage import RECORDED, in_subtree
from phongtrao.units.models import Unit

PLANS_QUERIES = 2  # the plans in force (no objectives or tasks to read when there are none); the steering committee


def task_year(task: Task) -> int:
    """The year a task's data element is read for: its own year, else its due date's, else the plan's last."""
    if task.year:
        return task.year
    if task.due_on:
        return task.due_on.year
    return task.plan.to_year


def done_by_data(tasks: Sequence[Task]) -> set[int]:
    """The tasks tied to a data element whose total for the task's year in the plan's unit is at least 1 (one
    grouped query for any number of tasks)."""
    tied = [t for t in tasks if t.element_id]
    if not tied:
        return set()
    periods = {Period.year_of(task_year(t)).id for t in tied}
    rows = (DataValue.objects.filter(period_type=PeriodType.YEAR.value, period__in=periods, value__isnull=False,
                                     element_id__in={t.element_id for t in tied},
                                     unit__ancestor_links__ancestor_id__in={t.plan.unit_id for t in tied})
            .values("unit__ancestor_links__ancestor_id", "period", "element_id").annotate(total=Sum("value"))
            .order_by())
    totals = {(r["unit__ancestor_links__ancestor_id"], r["period"], r["element_id"]): r["total"] for r in rows}
    return {t.pk for t in tied
            if t.element_id is not None
            and (totals.get((t.plan.unit_id, Period.year_of(task_year(t)).id, t.element_id)) or 0) >= 1}


def effective_status(task: Task, by_data: set[int]) -> str:
    return TaskStatus.DONE if task.status == TaskStatus.DONE or task.pk in by_data else task.status


def objective_count_text(met: int, total: int) -> str:
    """ "06/11", "1/4": the count met padded to the total's width, as the reports write it."""
    return f"{met:0{len(str(total))}d}/{total}"


def plan_sentence(plan: Plan, met: int, total: int) -> str:
    """ "Đề án “Nâng cao …” (QĐ 2631/QĐ-UBND ngày 11/11/2021) đã đạt 06/11 mục tiêu." (Vietnamese: documents)."""
    return (f"{plan.kind.name} “{plan.title}” ({plan.number} ngày {plan.issued_on:%d/%m/%Y}) đã đạt "
            f"{objective_count_text(met, total)} mục tiêu.")


def _due(task: Task, year: int) -> bool:
    if task.year:
        return task.year <= year
    return task.due_on is not None and task.due_on <= year_end(year)


def plan_summary(plan: Plan, year: int, objectives: Iterable[Objective], tasks: Sequence[Task],
                 by_data: set[int]) -> dict[str, Any]:
    assessed = evaluate_plan(plan, [year], list(objectives))
    met, total, measured_met, measured = tally(row[year] for row in assessed.values())
    due = [t for t in tasks if _due(t, year)]
    done = sum(1 for t in due if effective_status(t, by_data) == TaskStatus.DONE)
    day = min(year_end(year), timezone.localdate())
    overdue = sum(1 for t in due if effective_status(t, by_data) != TaskStatus.DONE and t.due_on and t.due_on < day)
    return {"id": plan.pk, "kind": plan.kind.code, "number": plan.number, "issued_on": plan.issued_on.isoformat(),
            "title": plan.title, "unit": plan.unit.code, "from_year": plan.from_year, "to_year": plan.to_year,
            "objectives": {"met": met, "total": total, "measured_met": measured_met, "measured": measured},
            "tasks": {"done": done, "due": len(due), "overdue": overdue},
            "sentence": plan_sentence(plan, met, total)}


def plans_in_force(root: Unit, year: int, boundaries: str = RECORDED) -> list[Plan]:
    plans = Plan.objects.in_force().covering_year(year).filter(in_subtree(root, boundaries=boundaries, prefix="unit__"))
    return list(plans.select_related("kind", "unit").order_by("unit__sort_key", "issued_on", "pk"))


def build_plans_section(root: Unit, year: int, boundaries: str = RECORDED) -> dict[str, Any]:
    plans = plans_in_force(root, year, boundaries)
    rows: list[dict[str, Any]] = []
    if plans:
        objectives: dict[int, list[Objective]] = {p.pk: [] for p in plans}
        for o in Objective.objects.filter(plan__in=plans).select_related("indicator", "element").order_by("number"):
            objectives[o.plan_id].append(o)
        by_plan = {p.pk: p for p in plans}
        tasks: dict[int, list[Task]] = {p.pk: [] for p in plans}
        all_tasks = list(Task.objects.filter(plan__in=plans).order_by("number"))
        for t in all_tasks:
            t.plan = by_plan[t.plan_id]
            tasks[t.plan_id].append(t)
        by_data = done_by_data(all_tasks)
        rows = [plan_summary(p, year, objectives[p.pk], tasks[p.pk], by_data) for p in plans]
    return {"in_force": len(rows),
            "committee": committee_line(root, year),
            "objectives_met": sum(r["objectives"]["met"] for r in rows),
            "objectives_total": sum(r["objectives"]["total"] for r in rows),
            "measured_met": sum(r["objectives"]["measured_met"] for r in rows),
            "measured": sum(r["objectives"]["measured"] for r in rows),
            "tasks_done": sum(r["tasks"]["done"] for r in rows),
            "tasks_due": sum(r["tasks"]["due"] for r in rows),
            "plans": rows}


def plans_blocks(unit: Unit, year: int, section: dict[str, Any], previous: dict[str, Any] | None = None) -> list[Block]:
    blocks: list[Block] = [Heading(gettext("Thực hiện các đề án, kế hoạch, chương trình phối hợp"))]
    if not section["plans"]:
        blocks.append(Paragraph(gettext("Năm %(year)s, %(unit)s không có đề án, kế hoạch nào đang thực hiện.") % {
            "year": year, "unit": unit.name}))
        return blocks
    blocks.append(Paragraph(gettext("Năm %(year)s, %(unit)s có %(in_force)s đề án, kế hoạch đang thực hiện; đạt "
                                    "%(measured_met)s/%(measured)s mục tiêu đo bằng số liệu; hoàn thành "
                                    "%(tasks_done)s/%(tasks_due)s nhiệm vụ đến hạn.") % {
        "year": year, "unit": unit.name, **{k: localized_number(section[k]) for k in (
            "in_force", "measured_met", "measured", "tasks_done", "tasks_due")}}))
    blocks.append(Bullets(tuple(gettext("%(number)s “%(title)s” (ngày %(day)s) đã đạt %(count)s mục tiêu.") % {
        "number": row["number"], "title": row["title"], "day": date_text(dt.date.fromisoformat(row["issued_on"])),
        "count": objective_count_text(row["objectives"]["met"], row["objectives"]["total"])}
        for row in section["plans"])))
    blocks.append(Table(
        columns=(Column(gettext("Kế hoạch")), Column(gettext("Thời gian")), Column(gettext("Mục tiêu đạt")),
                 Column(gettext("Đo bằng số liệu")), Column(gettext("Nhiệm vụ hoàn thành/đến hạn"))),
        rows=tuple((f"{row['number']} – {row['title']}", f"{row['from_year']}–{row['to_year']}",
                    objective_count_text(row["objectives"]["met"], row["objectives"]["total"]),
                    f"{row['objectives']['measured_met']}/{row['objectives']['measured']}",
                    f"{row['tasks']['done']}/{row['tasks']['due']}") for row in section["plans"])))
    return blocks


def value_text(value: Decimal | None) -> str:
    return "—" if value is None else number(value, 2)


def plans_links(unit: Unit, year: int, section: dict[str, Any]) -> list[tuple[str, str]]:
    """Under the section on the web: each plan in force, measured for the year."""
    return [(row["number"], f"{reverse('plans:detail', args=[row['id']])}?nam={year}") for row in section["plans"]]
