"""Synthetic awards for ``phongtrao generate``: a year's decisions nationally (tens of thousands of recipients).

Per commune, 3-15 recipients in the last generated year: most on the commune chairman's decision,
some on the province's decisions (the chairman's Bằng khen, the police director's Giấy khen, the
Ministry's Bằng khen, one decision per province and form). Deterministic: one random stream per
commune, ``context.rng("awards", commune.code)``, so a province run makes exactly that province's
share of the national run. Bulk-inserted without audit rows (test data, not anyone's work).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from phongtrao.awards.catalogue import seed_award_types
from phongtrao.awards.models import AwardDecision, AwardRecipient, AwardType, RecipientKind
from phongtrao.awards.names import TITLES, achievement, person_name
from phongtrao.units.models import Kind, Unit

if TYPE_CHECKING:
    from phongtrao.core.management.commands.generate import GenerateContext

CHUNK = 200
# (award form, its share of a commune's recipients); the rest is the commune chairman's Giấy khen.
PROVINCE_FORMS = (("bang_khen_ubnd_tinh", 0.2), ("giay_khen_giam_doc_cong_an_tinh", 0.1),
                  ("bang_khen_bo_cong_an", 0.03))
COMMUNE_FORM = "giay_khen_ubnd_xa"


def generate_awards(context: GenerateContext) -> dict[str, int]:
    seed_award_types()
    types = {t.code: t for t in AwardType.objects.all()}
    year = context.years[-1]
    decided = dt.date(year, 12, 20)
    province_decisions: dict[tuple[int, str], AwardDecision] = {}
    counts = {"decisions": 0, "recipients": 0}
    positions: dict[int, int] = {}  # id() of a decision -> recipients placed on it so far
    for start in range(0, len(context.communes), CHUNK):
        chunk = context.communes[start:start + CHUNK]
        areas: dict[int, list[Unit]] = {}
        for area in (Unit.objects.filter(parent__in=chunk, kind=Kind.RESIDENTIAL_AREA)
                     .only("pk", "name", "parent_id").order_by("code")):
            areas.setdefault(area.parent_id, []).append(area)  # type: ignore[arg-type]
        decisions: list[AwardDecision] = []
        planned: list[tuple[AwardDecision, AwardRecipient]] = []
        for commune in chunk:
            rng = context.rng("awards", commune.code)
            own = AwardDecision(award_type=types[COMMUNE_FORM], year=year, authority=commune, date=decided,
                                number=f"{rng.randint(100, 999)}/QĐ-UBND", signer_title="Chủ tịch UBND xã")
            own_used = False
            local = areas.get(commune.pk) or [commune]
            for _ in range(rng.randint(3, 15)):
                roll, code = rng.random(), COMMUNE_FORM
                for form, share in PROVINCE_FORMS:
                    if roll < share:
                        code = form
                        break
                    roll -= share
                if code == COMMUNE_FORM:
                    decision, own_used = own, True
                else:
                    key = (commune.parent_id or commune.pk, code)
                    if key not in province_decisions:
                        province = commune.parent or commune
                        province_decisions[key] = AwardDecision(
                            award_type=types[code], year=year, authority=province, date=decided,
                            number=f"{1000 + len(province_decisions)}/QĐ-{province.code}")
                        decisions.append(province_decisions[key])
                    decision = province_decisions[key]
                unit = rng.choice(local)
                if rng.random() < 0.4:
                    rec = AwardRecipient(kind=RecipientKind.COLLECTIVE, unit=unit, name=unit.name)
                else:
                    rec = AwardRecipient(kind=RecipientKind.INDIVIDUAL, unit=unit, name=person_name(rng),
                                         title=rng.choice(TITLES))
                rec.achievement = achievement(rng, year)
                rec.refresh_derived()
                planned.append((decision, rec))
            if own_used:
                decisions.append(own)
        AwardDecision.objects.bulk_create([d for d in decisions if d.pk is None], batch_size=2000)
        for decision, rec in planned:
            positions[id(decision)] = positions.get(id(decision), 0) + 1
            rec.decision, rec.position = decision, positions[id(decision)]
        AwardRecipient.objects.bulk_create([rec for _, rec in planned], batch_size=5000)
        counts["decisions"] += len(decisions)
        counts["recipients"] += len(planned)
    context.say(f"awards: {counts['recipients']} recipients on {counts['decisions']} decisions of {year}")
    return counts
