"""The demo's awards (``phongtrao demo``): last year's decisions and one proposal in progress.

Idempotent: nothing is added when the province already has award decisions of that year; the
proposal is added only when the home commune has none. Everything goes through the named actions.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from phongtrao.awards.actions import RecipientData, do_create_decision, do_create_proposal, do_submit_proposal
from phongtrao.awards.catalogue import seed_award_types
from phongtrao.awards.models import AwardDecision, AwardProposal, AwardType, RecipientKind
from phongtrao.awards.names import TITLES, achievement, person_name
from phongtrao.units.models import Kind, Unit

if TYPE_CHECKING:
    import random

    from phongtrao.core.demo import DemoContext

COMMUNE_DECISIONS = 5  # communes that get a commune chairman's decision


def _individual(rng: random.Random, unit: Unit, year: int) -> RecipientData:
    return RecipientData(RecipientKind.INDIVIDUAL, unit, person_name(rng), rng.choice(TITLES), achievement(rng, year))


def _collective(rng: random.Random, unit: Unit, year: int) -> RecipientData:
    return RecipientData(RecipientKind.COLLECTIVE, unit, unit.name, "", achievement(rng, year))


def add_demo_awards(context: DemoContext) -> None:
    seed_award_types()
    types = {t.code: t for t in AwardType.objects.all()}
    year = context.years[-2] if len(context.years) > 1 else context.years[-1]
    province = context.province
    areas: dict[int, list[Unit]] = {}
    for unit in context.demo_units(Kind.RESIDENTIAL_AREA):
        areas.setdefault(unit.parent_id, []).append(unit)  # type: ignore[arg-type]
    authorities = [province, *context.communes]
    if not AwardDecision.objects.filter(year=year, authority__in=authorities).exists():
        decisions = recipients = 0
        rng = context.rng("awards", "province", year)
        communes = context.communes[:6]
        people = [_individual(rng, rng.choice(areas.get(c.pk) or [c]), year) for c in communes[:3]]
        province_list = [_collective(rng, c, year) for c in communes[:3]] + people
        for code, number, listed in (
            ("bang_khen_ubnd_tinh", f"{rng.randint(2100, 2400)}/QĐ-UBND", province_list),
            ("giay_khen_giam_doc_cong_an_tinh", f"{rng.randint(900, 1200)}/QĐ-CAT",
             [_individual(rng, rng.choice(areas.get(c.pk) or [c]), year) for c in communes[3:6]]),
        ):
            if listed:
                do_create_decision(context.actor, award_type=types[code], year=year, authority=province,
                                   number=number, date=dt.date(year, 12, 15), recipients=listed,
                                   signer_name="Đặng Quốc Bảo", signer_title="Chủ tịch UBND tỉnh"
                                   if code == "bang_khen_ubnd_tinh" else "Giám đốc Công an tỉnh",
                                   confirm_repeats=True)
                decisions += 1
                recipients += len(listed)
        for commune in context.communes[:COMMUNE_DECISIONS]:
            rng = context.rng("awards", commune.code, year)
            local = areas.get(commune.pk, [])[:3]
            listed = [_collective(rng, area, year) for area in local[:2]]
            listed += [_individual(rng, area, year) for area in local[:rng.randint(1, 3)]]
            if listed:
                do_create_decision(context.actor, award_type=types["giay_khen_ubnd_xa"], year=year,
                                   authority=commune, number=f"{rng.randint(100, 400)}/QĐ-UBND",
                                   date=dt.date(year, 12, 20), recipients=listed,
                                   signer_name="Võ Văn Thành", signer_title="Chủ tịch UBND xã",
                                   confirm_repeats=True)
                decisions += 1
                recipients += len(listed)
        context.add("award decisions", decisions)
        context.add("award recipients", recipients)
        context.say(f"awards: {decisions} decisions of {year} with {recipients} recipients")
    else:
        context.say(f"awards: decisions of {year} already present")
    home = context.home_commune
    if not AwardProposal.objects.filter(proposing_unit=home).exists():
        this_year = context.years[-1]
        rng = context.rng("awards", "proposal", home.code, this_year)
        local = areas.get(home.pk, [])[:2]
        listed = [_collective(rng, home, this_year)] + [_individual(rng, area, this_year) for area in local]
        proposal = do_create_proposal(
            context.actor, proposing_unit=home, award_type=types["bang_khen_ubnd_tinh"], year=this_year,
            title=f"Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh năm {this_year} cho phong trào toàn dân "
                  "bảo vệ ANTQ", recipients=listed)
        do_submit_proposal(context.actor, proposal.pk)
        context.add("award proposals", 1)
        context.say(f"awards: one proposal from {home.name} sent to {province.name}")
