"""Demo recognitions (``phongtrao demo``): the yearly ANTT cycle for the demo province's units.

For each of the last three years of ``context.years`` the units valid on 31 December (the demo
units and communes exist from 1 July 2025, so earlier years have none) go through the real
actions, as the system: registration, self-assessment, dossier, review and the chairmen's
decisions (one decision per deciding People's Committee and year). Most pass; a few fail a
criterion or never register. In the current year the home commune is left part-way (some units
not registered, some registered, self-assessed, submitted or under review) so that its grid,
checklists and the approver's bulk page have work to do.

Idempotent: a unit that already has a record for a year is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from phongtrao.lib.periods import year_end, year_start
from phongtrao.recognition.actions import (
    Assessment,
    Registration,
    StepOn,
    do_not_recognise_many,
    do_recognise_many,
    do_register_many,
    do_self_assess_many,
    do_start_review_many,
    do_submit_many,
)
from phongtrao.recognition.authority import NoAuthority, competent_authorities
from phongtrao.recognition.criteria import residential_counts, residential_share, seed_criteria_sets
from phongtrao.recognition.models import CriteriaSet, Criterion, CriterionType, Derivation, Recognition, Status
from phongtrao.units.models import STANDARD_KINDS, Kind, Unit

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext

SIGNERS = ("Nguyễn Văn Bình", "Trần Thị Hoa", "Lê Quang Minh", "Phạm Đức Thắng", "Hoàng Thị Lệ", "Võ Văn Tâm")
# Where the home commune's units stop in the current year (weights).
OPEN_STAGES = ((Status.NOT_REGISTERED, 3), (Status.REGISTERED, 2), (Status.SELF_ASSESSED, 2),
               (Status.SUBMITTED, 2), (Status.UNDER_REVIEW, 3))
STAGE_ORDER: list[str] = [Status.NOT_REGISTERED, Status.REGISTERED, Status.SELF_ASSESSED, Status.SUBMITTED,
               Status.UNDER_REVIEW]


def add_demo_recognitions(context: DemoContext) -> None:
    if not CriteriaSet.objects.filter(province__isnull=True).exists():
        seed_criteria_sets()
    created = 0
    for year in context.years[-4:]:  # the year before last before 2025 has only the pre-reform units' cycles
        created += _year(context, year)
    context.add("recognitions", created)
    context.say(f"recognitions: {created} created" if created else "recognitions: all demo recognitions present")


def _year(context: DemoContext, year: int) -> int:
    day = year_end(year)
    candidates = [
        *Unit.objects.filter(pk__in=[c.pk for c in context.communes]).valid_on(day).subject_to_standard(),
        *context.demo_units(*STANDARD_KINDS).valid_on(day).subject_to_standard(),
        # The pre-reform versions of the demo units (units/reform_demo.py): their cycles before 2025.
        *Unit.objects.filter(successor_links__successor__in=context.demo_units(*STANDARD_KINDS)).valid_on(day)
        .subject_to_standard().distinct(),
    ]
    done = set(Recognition.objects.filter(year=year, unit__in=[u.pk for u in candidates])
               .values_list("unit_id", flat=True))
    units = sorted((u for u in candidates if u.pk not in done), key=lambda u: u.code)
    if not units:
        return 0
    open_year = year == timezone.localdate().year
    home = context.home_commune.pk
    criteria = _criteria_by_kind(year)
    plans: dict[int, tuple[str, bool]] = {}  # unit -> (last stage, checklist met)
    for unit in units:
        rng = context.rng("recognition", year, unit.code)
        if open_year and (unit.pk == home or unit.parent_id == home):
            stage: str = rng.choices([s for s, _ in OPEN_STAGES], weights=[w for _, w in OPEN_STAGES])[0]
        else:
            stage = Status.NOT_REGISTERED if rng.random() < 0.06 else "decided"
        plans[unit.pk] = (stage, rng.random() < 0.88)
    # Residential areas and organisations first: a commune's result needs its areas' results.
    others = [u for u in units if u.kind != Kind.COMMUNE]
    communes = [u for u in units if u.kind == Kind.COMMUNE]
    created = 0
    for numbering, group in ((1, others), (500, communes)):
        recs = _advance(context, year, [(unit, plans[unit.pk]) for unit in group], criteria)
        created += len(recs)
        ready = [r for r in recs if r.status == Status.UNDER_REVIEW and plans[r.unit_id][0] == "decided"]
        _decide(context, year, ready, numbering)
    return created


def _criteria_by_kind(year: int) -> dict[str, list[Criterion]]:
    out: dict[str, list[Criterion]] = {}
    for cs in CriteriaSet.objects.filter(province__isnull=True).order_by("-effective_from"):
        for kind in cs.kinds:
            out.setdefault(kind, list(cs.criteria.order_by("order")))
    return out


def _answers(unit: Unit, criteria: list[Criterion], met: bool, rng: random.Random) -> dict[str, Any]:
    """Answers that meet every criterion, or (``met`` False) fail one of them."""
    answers: dict[str, Any] = {}
    failing = rng.choice([c.code for c in criteria if c.type != CriterionType.SHARE_RECOGNISED]) if not met else ""
    for c in criteria:
        fail = c.code == failing
        if c.type == CriterionType.YES_NO:
            answers[c.code] = not fail
        elif c.type == CriterionType.NO_EVENT:
            answers[c.code] = 1 if fail else 0
        elif c.type == CriterionType.AT_LEAST_N:
            answers[c.code] = 0 if fail else rng.randint(1, 3)
        elif c.type == CriterionType.PERCENT_THRESHOLD:
            if c.derived_from == Derivation.HOUSEHOLDS_COMMITTED and unit.households:
                answers[c.code] = {"part": unit.households - (3 if fail else 0), "whole": unit.households}
            else:
                answers[c.code] = "96" if fail else "100"
        elif c.type == CriterionType.NOT_WORSE:
            previous = rng.randint(1, 8)
            answers[c.code] = {"current": previous + 2 if fail else rng.randint(0, previous), "previous": previous}
    return answers


def _advance(context: DemoContext, year: int, plans: list[tuple[Unit, tuple[str, bool]]],
             criteria: dict[str, list[Criterion]]) -> list[Recognition]:
    """Take each unit to its planned stage: one bulk action per step for all the units that reach it."""
    today = timezone.localdate()  # no step of the open year is dated after today (dates stay in order)
    registrations: list[Registration] = []
    assessments: dict[int, tuple[dict[str, Any], dt.date]] = {}
    last: dict[int, int] = {}
    for unit, (stage, met) in plans:
        if stage == Status.NOT_REGISTERED:
            continue
        last[unit.pk] = len(STAGE_ORDER) - 1 if stage == "decided" else STAGE_ORDER.index(stage)
        rng = context.rng("recognition-steps", year, unit.code)
        households = unit.households if unit.kind == Kind.RESIDENTIAL_AREA else None
        registrations.append(Registration(unit, households_committed=households, registered_on=min(
            year_start(year) + dt.timedelta(days=rng.randint(10, 80)), today)))
        if last[unit.pk] >= 2:  # the same draws, in the same order, as one unit at a time
            answers = _answers(unit, criteria.get(unit.kind, []), met, rng)
            assessments[unit.pk] = (answers, min(dt.date(year, 10, rng.randint(5, 25)), today))
    if not registrations:
        return []
    actor = context.actor
    recs = do_register_many(actor, year, registrations)
    assessed = do_self_assess_many(actor, [Assessment(rec, *assessments[rec.unit_id]) for rec in recs
                                           if last[rec.unit_id] >= 2])
    submitted = do_submit_many(actor, [StepOn(rec, min(dt.date(year, 10, 28), today)) for rec in assessed
                                       if last[rec.unit_id] >= 3])
    do_start_review_many(actor, [StepOn(rec, min(dt.date(year, 11, 5), today)) for rec in submitted
                                 if last[rec.unit_id] >= 4])
    by_pk = {rec.pk: rec for rec in Recognition.objects.filter(pk__in=[r.pk for r in recs]).select_related("unit")}
    return [by_pk[rec.pk] for rec in recs]


def _decide(context: DemoContext, year: int, recs: list[Recognition], first_number: int) -> None:
    """One decision per deciding People's Committee for the units that pass; the others are not recognised."""
    if not recs:
        return
    day = min(dt.date(year, 12, 10), timezone.localdate())
    authorities = competent_authorities([r.unit for r in recs], day)
    counts = residential_counts([r.unit for r in recs if r.unit.kind == Kind.COMMUNE], year)
    groups: dict[int, list[Recognition]] = defaultdict(list)
    failed: list[StepOn] = []
    for rec in recs:
        authority = authorities.get(rec.unit_id)
        passes = rec.checklist_met is True
        if rec.unit.kind == Kind.COMMUNE and passes:
            passes = residential_share(rec.unit, year, counts=counts).met
        if passes and not isinstance(authority, NoAuthority) and authority is not None:
            groups[authority.unit.pk].append(rec)
        else:
            failed.append(StepOn(rec))
    do_not_recognise_many(context.actor, failed)
    for number, (_authority, members) in enumerate(sorted(groups.items()), start=first_number):
        rng = context.rng("recognition-decision", year, members[0].unit.code)
        do_recognise_many(context.actor, [r.unit for r in members], year, decision_no=f"{number}/QĐ-UBND",
                          decision_date=day, signer_name=rng.choice(SIGNERS))
