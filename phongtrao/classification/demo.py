"""Demo data (``phongtrao demo``): three years of the movement's classification in the demo province, through the
bulk action (``do_record_years``: the same checks as the pages, one insert per stage).

For each of the last three years of ``context.years``, the units valid on 31 December: the communes, their
residential areas and their agencies, enterprises and schools. The demo units and communes exist from 1 July 2025;
for a year before, the official communes that preceded the selected ones (their ``Succession`` links, as the data
sets' demo does; the old communes have no demo units below them). Each scores itself on the scorecard of its kind
(most criteria near their standard points), sends the scores (about one in twenty on or after the deadline, flagged
late) and is classified by the province, one in ten after an adjusted criterion with its reason. In the current year
the home commune's own units are left at their stages (some still scoring, some sent and waiting for the review) so
that its officers have work to do. Idempotent: nothing is added when the units already have records of the year.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from phongtrao.classification.actions import BulkYear, do_record_years
from phongtrao.classification.models import CARD_KIND_OF, SCORED_KINDS, Classification, Scorecard
from phongtrao.classification.rules import card_for
from phongtrao.lib.periods import year_end
from phongtrao.units.models import Kind, Succession, Unit

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext

LATE_SHARE, ADJUSTED_SHARE = 0.05, 0.1
REASONS = ("Hồ sơ chưa có biên bản sơ kết", "Chưa có minh chứng tổ chức Ngày hội",
           "Mô hình chưa được đánh giá hiệu quả", "Còn để xảy ra vụ việc phức tạp về ANTT")


def points_for(rng: random.Random, standard: int) -> int:
    return max(0, min(standard, round(standard * rng.triangular(0.45, 1.0, 0.9))))


def year_rows(context: DemoContext, rng: random.Random, year: int, units: list[Unit], today: dt.date,
              cards: list[Scorecard]) -> list[BulkYear]:
    day = year_end(year)
    criteria = {c.pk: list(c.criteria.order_by("order")) for c in cards}
    home = context.home_commune
    rows = []
    for unit in units:
        card = card_for(CARD_KIND_OF[unit.kind], context.province.pk, day, cards)  # type: ignore[index]
        if card is None:
            continue
        listed = criteria[card.pk]
        points = {c.code: points_for(rng, c.points) for c in listed}
        deadline = card.deadline(year)
        late = rng.random() < LATE_SHARE
        sent = deadline + dt.timedelta(days=rng.randint(0, 6)) if late else deadline - dt.timedelta(
            days=rng.randint(1, 40))
        in_home = unit.pk == home.pk or unit.parent_id == home.pk
        current = year == today.year
        if sent > today or (current and in_home and rng.random() < 0.5):
            # still scoring: part of the criteria scored, nothing sent
            rows.append(BulkYear(unit, dict(list(points.items())[:rng.randint(0, len(points))])))
            continue
        adjustments = {}
        if rng.random() < ADJUSTED_SHARE:
            code = rng.choice(list(points))
            adjustments[code] = (max(0, points[code] - rng.randint(1, 3)), rng.choice(REASONS))
        classified = sent + dt.timedelta(days=rng.randint(5, 25))
        if classified > today or (current and in_home):
            rows.append(BulkYear(unit, points, submitted_on=sent, adjustments=adjustments))
        else:
            rows.append(BulkYear(unit, points, submitted_on=sent, adjustments=adjustments, classified_on=classified))
    return rows


def communes_before_the_reform(context: DemoContext, day: dt.date) -> list[Unit]:
    """The official communes valid on ``day`` that the selected communes succeeded."""
    old = Succession.objects.filter(successor__in=context.communes).values("predecessor_id")
    return list(Unit.objects.filter(pk__in=old, kind=Kind.COMMUNE).valid_on(day).order_by("code"))


def add_demo_classifications(context: DemoContext) -> None:
    rng = context.rng("classification")
    today = timezone.localdate()
    made = 0
    for year in context.years[-3:]:
        day = year_end(year)
        units = [*Unit.objects.filter(pk__in=[c.pk for c in context.communes]).valid_on(day),
                 *context.demo_units(*SCORED_KINDS).valid_on(day)] or communes_before_the_reform(context, day)
        if not units or Classification.objects.filter(year=year, unit__in=units).exists():
            continue
        cards = list(Scorecard.objects.in_force(day))
        made += len(do_record_years(context.actor, year, year_rows(context, rng, year, units, today, cards)))
    context.add("classifications", made)
    context.say(f"classification: {made} units' years scored and classified")
