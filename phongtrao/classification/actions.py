"""Named actions of the movement's classification: a province's own scorecard; a unit's self-scoring and its
submission with a proposed level; the review by the level above (a criterion's points adjusted with a reason); the
classification; a return for scoring again; many units' years at once (the demo).

Each checks who acts (``classification.*`` policies, declared at ``ready()``), validates (a criterion's points never
above its standard points), locks, writes and appends its event and audit rows in one transaction. A unit's year
moves through ``CLASSIFICATIONS`` (``lib.workflow``): a stale version is refused, never overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext

from phongtrao.accounts import access
from phongtrao.audit.actions import Actor, record
from phongtrao.classification.models import (
    CARD_KIND_OF,
    CLASSIFICATIONS,
    TOTAL_POINTS,
    Classification,
    Level,
    Score,
    Scorecard,
    ScorecardCriterion,
    ScorecardSection,
    Status,
)
from phongtrao.classification.rules import card_for, total_problem
from phongtrao.lib.bulk import insert_objects
from phongtrao.lib.locks import serialise
from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR, year_end
from phongtrao.lib.vnformat import date_text
from phongtrao.lib.workflow import ActionError, StaleVersion, acting_user
from phongtrao.units.models import Kind, Unit, UnitAncestor

__all__ = ["ActionError", "BulkYear", "StaleVersion", "do_adjust", "do_adopt_scorecard", "do_classify",
           "do_record_years", "do_return", "do_score", "do_submit", "scorecard_for"]


def check_year(year: int) -> None:
    if not FIRST_RECORD_YEAR <= year <= LAST_RECORD_YEAR:
        raise ActionError({"year": [gettext("Năm không hợp lệ.")]})


def province_of(unit: Unit) -> int | None:
    if unit.kind == Kind.PROVINCE:
        return unit.pk
    return (UnitAncestor.objects.filter(unit=unit, ancestor__kind=Kind.PROVINCE)
            .values_list("ancestor_id", flat=True).first())


def scorecard_for(unit: Unit, year: int) -> Scorecard | None:
    """The scorecard version ``unit`` is scored on in ``year`` (its province's own, else the national one)."""
    kind = CARD_KIND_OF.get(unit.kind)  # type: ignore[call-overload]
    if kind is None:
        return None
    day = year_end(year)
    return card_for(kind, province_of(unit), day, list(Scorecard.objects.in_force(day).filter(kind=kind)))


def _require_score(actor: Actor, unit: Unit) -> None:
    access.require(acting_user(actor), "classification.score", unit, error=ActionError,
                   message=gettext("Bạn không có quyền chấm điểm phong trào của %(name)s.") % {"name": unit.name})


def may_review(user: Any, unit: Unit) -> bool:
    """The level above reviews: a province-level officer whose scope holds the unit's parent."""
    return unit.parent is not None and access.may(user, "classification.review", unit.parent)


def _require_review(actor: Actor, unit: Unit) -> None:
    if not may_review(acting_user(actor), unit):
        raise ActionError(gettext("Bạn không có quyền thẩm định, xếp loại phong trào của %(name)s.")
                          % {"name": unit.name})


def _locked(unit: Unit, year: int) -> Classification | None:
    serialise(f"classification:{unit.pk}:{year}")
    found = Classification.objects.filter(unit=unit, year=year).values_list("pk", flat=True).first()
    return CLASSIFICATIONS.lock(found) if found is not None else None


def _criteria(card: Scorecard) -> dict[int, ScorecardCriterion]:
    return {c.pk: c for c in card.criteria.order_by("order")}


def _check_points(criteria: Mapping[int, ScorecardCriterion], points: Mapping[int, int]) -> None:
    errors: dict[str, list[str]] = {}
    for pk, value in points.items():
        criterion = criteria.get(pk)
        if criterion is None:
            errors[str(pk)] = [gettext("Tiêu chí không thuộc bảng điểm của đơn vị.")]
        elif not 0 <= value <= criterion.points:
            errors[str(pk)] = [gettext("“%(text)s”: điểm phải từ 0 đến %(max)s (điểm chuẩn).")
                               % {"text": criterion.text, "max": criterion.points}]
    if errors:
        raise ActionError(errors)


def _stale(classification: Classification | None, expected_version: int | None) -> None:
    """``expected_version`` 0: the form was opened before the unit's year had a record."""
    if expected_version is None:
        return
    current = classification.version if classification is not None else 0
    if current != expected_version:
        raise StaleVersion(gettext("Kết quả chấm điểm này vừa được người khác cập nhật sau khi bạn mở trang; hãy tải "
                                   "lại trang rồi làm lại."))


def do_score(actor: Actor, unit: Unit, year: int, points: Mapping[int, int], *,
             expected_version: int | None) -> Classification:
    """Save the unit's own points per criterion (``{criterion pk: points}``), each within its standard points."""
    _require_score(actor, unit)
    check_year(year)
    with transaction.atomic():
        classification = _locked(unit, year)
        _stale(classification, expected_version)
        if classification is None:
            card = scorecard_for(unit, year)
            if card is None:
                raise ActionError(gettext("Chưa có bảng điểm xếp loại phong trào cho %(name)s năm %(year)s.")
                                  % {"name": unit.name, "year": year})
            classification = Classification(unit=unit, year=year, scorecard=card)
            CLASSIFICATIONS.created(classification, actor=actor)
            classification = CLASSIFICATIONS.lock(classification.pk)
            expected_version = classification.version
        CLASSIFICATIONS.refuse(classification, "score", expected_version)
        criteria = _criteria(classification.scorecard)
        _check_points(criteria, points)
        existing = {s.criterion_id: s for s in classification.scores.all()}
        new, changed = [], []
        for pk, value in points.items():
            score = existing.get(pk)
            if score is None:
                new.append(Score(classification=classification, criterion_id=pk, self_points=value))
            elif score.self_points != value:
                score.self_points = value
                changed.append(score)
        Score.objects.bulk_create(new)
        Score.objects.bulk_update(changed, ["self_points"])
        total = sum(s.self_points for s in [*existing.values(), *new])
        CLASSIFICATIONS.move(classification, "score", actor=actor, expected_version=expected_version,
                             changes={"self_points": total},
                             event_fields={"details": {"points": {str(k): v for k, v in points.items()}}})
    return classification


def do_submit(actor: Actor, unit: Unit, year: int, *, expected_version: int | None,
              today: dt.date | None = None) -> Classification:
    """Send the self-scoring to the level above with the level its points reach (the proposed level); sent on or
    after the scorecard's deadline, the unit is flagged late."""
    _require_score(actor, unit)
    today = today or timezone.localdate()
    with transaction.atomic():
        classification = _locked(unit, year)
        if classification is None:
            raise ActionError(gettext("%(name)s chưa chấm điểm năm %(year)s.") % {"name": unit.name, "year": year})
        CLASSIFICATIONS.refuse(classification, "submit", expected_version)
        card = classification.scorecard
        scored = set(classification.scores.values_list("criterion_id", flat=True))
        missing = [c.text for c in card.criteria.order_by("order") if c.pk not in scored]
        if missing:
            raise ActionError({"": [gettext("Chưa chấm: %(items)s.") % {"items": "; ".join(missing)}]})
        CLASSIFICATIONS.move(classification, "submit", actor=actor, expected_version=expected_version,
                             changes={"proposed_level": card.level_for(classification.self_points),
                                      "submitted_on": today, "late": today >= card.deadline(year),
                                      "returned_reason": ""})
    return classification


def do_adjust(actor: Actor, unit: Unit, year: int, criterion_pk: int, points: int, *, reason: str,
              expected_version: int | None) -> Classification:
    """The level above sets one criterion's points (within its standard points) with a reason, kept in the
    history; the reviewed total follows."""
    _require_review(actor, unit)
    reason = " ".join(reason.split())
    with transaction.atomic():
        classification = _locked(unit, year)
        if classification is None:
            raise ActionError(gettext("%(name)s chưa chấm điểm năm %(year)s.") % {"name": unit.name, "year": year})
        CLASSIFICATIONS.refuse(classification, "adjust", expected_version)
        if not reason:
            raise ActionError({"reason": [gettext("Nhập lý do điều chỉnh điểm.")]})
        criteria = _criteria(classification.scorecard)
        _check_points(criteria, {criterion_pk: points})
        scores = {s.criterion_id: s for s in classification.scores.select_for_update()}
        score = scores.get(criterion_pk) or Score(classification=classification, criterion_id=criterion_pk)
        before = score.final
        score.reviewed_points, score.reason = points, reason
        score.save()
        scores[criterion_pk] = score
        total = sum(s.final for s in scores.values())
        CLASSIFICATIONS.move(classification, "adjust", actor=actor, expected_version=expected_version,
                             reason=reason, changes={"points": total},
                             event_fields={"details": {"criterion": criteria[criterion_pk].code, "from": before,
                                                       "to": points}})
    return classification


def do_classify(actor: Actor, unit: Unit, year: int, *, expected_version: int | None,
                today: dt.date | None = None) -> Classification:
    """The level above classifies the unit: the level its reviewed points reach under the cut-offs."""
    _require_review(actor, unit)
    with transaction.atomic():
        classification = _locked(unit, year)
        if classification is None:
            raise ActionError(gettext("%(name)s chưa chấm điểm năm %(year)s.") % {"name": unit.name, "year": year})
        CLASSIFICATIONS.refuse(classification, "classify", expected_version)
        points = classification.final_points
        CLASSIFICATIONS.move(classification, "classify", actor=actor, expected_version=expected_version,
                             changes={"points": points, "level": classification.scorecard.level_for(points),
                                      "classified_on": today or timezone.localdate()})
    return classification


def do_return(actor: Actor, unit: Unit, year: int, *, reason: str, expected_version: int | None) -> Classification:
    _require_review(actor, unit)
    reason = " ".join(reason.split())
    with transaction.atomic():
        classification = _locked(unit, year)
        if classification is None:
            raise ActionError(gettext("%(name)s chưa chấm điểm năm %(year)s.") % {"name": unit.name, "year": year})
        CLASSIFICATIONS.refuse(classification, "return", expected_version)
        if not reason:
            raise ActionError({"reason": [gettext("Nhập lý do trả lại.")]})
        CLASSIFICATIONS.move(classification, "return", actor=actor, expected_version=expected_version,
                             reason=reason, changes={"returned_reason": reason, "proposed_level": ""})
    return classification


# --- many units at once (the demo) ----------------------------------------------------------------


@dataclass
class BulkYear:
    """One unit's year for ``do_record_years``: its own points per criterion code, when it sent them (None: still
    scoring), the reviewer's adjustments (code -> (points, reason)) and whether it was classified."""

    unit: Unit
    points: dict[str, int]
    submitted_on: dt.date | None = None
    adjustments: dict[str, tuple[int, str]] = field(default_factory=dict)
    classified_on: dt.date | None = None


def do_record_years(actor: Actor, year: int, rows: Sequence[BulkYear]) -> list[Classification]:
    """Many units' years at once (the demo), each at the stage it reached: the same checks as the page (who
    scores, who reviews, points within the standard, the level from the cut-offs, the late flag); one insert of
    records, scores, events and audit rows per stage. Refused when a unit already has a record of the year."""
    check_year(year)
    cards: dict[tuple[str, int | None], Scorecard | None] = {}
    day = year_end(year)
    live = list(Scorecard.objects.in_force(day))
    provinces: dict[int, int] = dict(UnitAncestor.objects.filter(
        unit__in=[r.unit for r in rows], ancestor__kind=Kind.PROVINCE).values_list("unit_id", "ancestor_id"))
    criteria: dict[int, dict[str, ScorecardCriterion]] = {}
    prefetch_related_objects([r.unit for r in rows], "parent")  # may_review reads each unit's parent
    made: list[tuple[BulkYear, Classification, Scorecard]] = []
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(rows):
        _require_score(actor, row.unit)
        if row.submitted_on is not None and (row.adjustments or row.classified_on):
            _require_review(actor, row.unit)
        kind = CARD_KIND_OF.get(row.unit.kind)  # type: ignore[call-overload]
        key = (kind, provinces.get(row.unit.pk))
        if key not in cards:
            cards[key] = card_for(kind, key[1], day, live) if kind else None
        card = cards[key]
        if card is None:
            errors[str(index)] = [gettext("Chưa có bảng điểm cho %(name)s.") % {"name": row.unit.name}]
            continue
        if card.pk not in criteria:
            criteria[card.pk] = {c.code: c for c in card.criteria.all()}
        by_code = criteria[card.pk]
        wrong = [code for code, value in [*row.points.items(), *((k, v[0]) for k, v in row.adjustments.items())]
                 if code not in by_code or not 0 <= value <= by_code[code].points]
        if wrong or (row.submitted_on and set(row.points) != set(by_code)):
            errors[str(index)] = [gettext("%(name)s: điểm không hợp lệ hoặc chưa chấm đủ tiêu chí.")
                                  % {"name": row.unit.name}]
            continue
        self_points = sum(row.points.values())
        final = sum(row.adjustments.get(code, (value, ""))[0] for code, value in row.points.items())
        status = (Status.CLASSIFIED if row.classified_on else Status.REVIEWED if row.adjustments
                  else Status.SUBMITTED if row.submitted_on else Status.SCORING)
        made.append((row, Classification(
            unit=row.unit, year=year, scorecard=card, status=status, self_points=self_points,
            proposed_level=card.level_for(self_points) if row.submitted_on else "",
            points=final if row.adjustments or row.classified_on else None,
            level=card.level_for(final) if row.classified_on else "", submitted_on=row.submitted_on,
            late=row.submitted_on is not None and row.submitted_on >= card.deadline(year),
            classified_on=row.classified_on), card))
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        serialise("classification:bulk")
        taken = set(Classification.objects.filter(year=year, unit__in=[r.unit for r in rows])
                    .values_list("unit_id", flat=True))
        if taken:
            raise ActionError(gettext("Đã có kết quả chấm điểm năm %(year)s của một số đơn vị.") % {"year": year})
        stage_action = {Status.SCORING: "score", Status.SUBMITTED: "submit", Status.REVIEWED: "adjust",
                        Status.CLASSIFIED: "classify"}
        for stage, action in stage_action.items():
            group = [c for _r, c, _card in made if c.status == stage]
            if group:
                CLASSIFICATIONS.created_many(group, actor=actor, action=action)
        scores = []
        for row, classification, card in made:
            by_code = criteria[card.pk]
            for code, value in row.points.items():
                adjusted = row.adjustments.get(code)
                scores.append(Score(classification=classification, criterion=by_code[code], self_points=value,
                                    reviewed_points=adjusted[0] if adjusted else None,
                                    reason=adjusted[1] if adjusted else ""))
        insert_objects(Score, scores)
    return [c for _r, c, _card in made]


# --- a province's own scorecard -------------------------------------------------------------------


@dataclass
class NewCriterion:
    section_order: int
    code: str
    text: str
    points: int
    description: str = ""


def do_adopt_scorecard(actor: Actor, province: Unit, base: Scorecard, *, effective_from: dt.date, legal_basis: str,
                       points: Mapping[str, int] | None = None, added: Sequence[NewCriterion] = (),
                       note: str = "", cutoffs: tuple[int, int, int] | None = None) -> Scorecard:
    """A province's own version of ``base`` (a national scorecard): some criteria re-weighted (``points``: code
    -> standard points), some added; the total must stay 100 points. Its units scored from ``effective_from`` on use
    it; what was already scored keeps the version it was scored on."""
    access.require(acting_user(actor), "classification.scorecards", province, error=ActionError,
                   message=gettext("Bạn không có quyền ban hành bảng điểm của %(name)s.") % {"name": province.name})
    legal_basis = legal_basis.strip()
    if province.kind != Kind.PROVINCE:
        raise ActionError({"province": [gettext("Bảng điểm riêng do cấp tỉnh ban hành.")]})
    if base.province_id is not None:
        raise ActionError({"base": [gettext("Bảng điểm của tỉnh được lập từ bảng điểm chung.")]})
    if not legal_basis:
        raise ActionError({"legal_basis": [gettext("Nhập căn cứ pháp lý (số văn bản của tỉnh).")]})
    points = dict(points or {})
    base_criteria = list(base.criteria.select_related("section").order_by("order"))
    codes = {c.code for c in base_criteria}
    unknown = [code for code in points if code not in codes]
    clash = [n.code for n in added if n.code in codes or not n.code]
    if unknown or clash:
        raise ActionError({"points": [gettext("Mã tiêu chí không hợp lệ: %(codes)s.")
                                      % {"codes": ", ".join(unknown + clash)}]})
    sections = {s.order: s for s in base.sections.all()}
    if any(n.section_order not in sections for n in added):
        raise ActionError({"section": [gettext("Nhóm tiêu chí không có trong bảng điểm.")]})
    weights = [points.get(c.code, c.points) for c in base_criteria] + [n.points for n in added]
    problem = total_problem(weights)
    if problem:
        raise ActionError({"points": [problem]})
    excellent, good, average = cutoffs or (base.excellent_from, base.good_from, base.average_from)
    if not TOTAL_POINTS >= excellent > good > average >= 0:
        raise ActionError({"cutoffs": [gettext("Mức điểm xếp loại phải giảm dần: Xuất sắc > Khá > Trung bình.")]})
    with transaction.atomic():
        serialise(f"classification:cards:{province.pk}")
        code = f"{base.code}-{province.code}-{effective_from:%Y%m%d}"[:60]
        if Scorecard.objects.filter(code=code).exists():
            raise ActionError({"effective_from": [gettext("Tỉnh đã có bảng điểm này từ ngày %(day)s.")
                                                  % {"day": date_text(effective_from)}]})
        card = Scorecard.objects.create(
            code=code, name=base.name, kind=base.kind, province=province, based_on=base, legal_basis=legal_basis,
            effective_from=effective_from, note=note.strip(), excellent_from=excellent, good_from=good,
            average_from=average, deadline_month=base.deadline_month, deadline_day=base.deadline_day)
        new_sections = {order: ScorecardSection.objects.create(scorecard=card, order=order, title=s.title)
                        for order, s in sections.items()}
        order = 0
        rows = []
        for c in base_criteria:
            order += 1
            rows.append(ScorecardCriterion(scorecard=card, section=new_sections[c.section.order], code=c.code,
                                           order=order, text=c.text, description=c.description,
                                           points=points.get(c.code, c.points), suggestion=c.suggestion,
                                           element_code=c.element_code))
        for n in added:
            order += 1
            rows.append(ScorecardCriterion(scorecard=card, section=new_sections[n.section_order], code=n.code,
                                           order=order, text=n.text.strip(), description=n.description.strip(),
                                           points=n.points))
        ScorecardCriterion.objects.bulk_create(rows)
        record(actor, "classification_card.create", card, unit=province, before=None,
               after=card.snapshot() | {"criteria": [r.snapshot() for r in rows]})
    return card


LEVEL_ORDER = (Level.EXCELLENT, Level.GOOD, Level.AVERAGE, Level.WEAK)
