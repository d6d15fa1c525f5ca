"""The reform part of the units step of ``phongtrao demo`` (issue 14): history before 01/07/2025 and after.

1. Pre-reform residential areas and organisations under the old communes (and one old district) that became the
   first ``OLD_FOR_COMMUNES`` demo communes, plus any split old commune among their predecessors: local codes
   ``KDC-<old commune>-51``…, ``CQ-…-51``, ``DN-…-51``, valid until 30/06/2025 (the recognition step gives them
   their 2023 and 2024 cycles).
2. The carry-over of the province (``units.reform.do_carry_over``, the district rule "province"): each of them gets
   its version under the new commune from 01/07/2025.
3. From 01/03/2026: three residential areas of the second demo commune merged into one that day
   (``units.changes.do_merge``).

Idempotent like every step: units already present are kept, carried units are skipped, a merge done is not redone.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from phongtrao.units.changes import NewUnit, do_merge
from phongtrao.units.demo import in_sentence, short_name
from phongtrao.units.models import (
    EnterpriseSize,
    Exclusions,
    Kind,
    ManagingLevel,
    SchoolLevel,
    Source,
    Succession,
    Unit,
    add_closure,
)
from phongtrao.units.official import LAST_OLD_DAY
from phongtrao.units.reform import do_carry_over

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext

OLD_FOR_COMMUNES = 4  # the demo communes whose old communes get pre-reform units
FIRST_NUMBER = 51  # local codes above the current demo's (which count from 01)
MERGE_YEAR = 2026
MERGED_AREAS = 3


def old_communes(context: DemoContext) -> list[Unit]:
    """The old communes of the first demo communes, and every split old commune that went (partly) into a demo
    commune, by code."""
    firsts = [c.pk for c in context.communes[:OLD_FOR_COMMUNES]]
    everyone = [c.pk for c in context.communes]
    links = list(Succession.objects.filter(successor_id__in=everyone, predecessor__kind=Kind.COMMUNE)
                 .values_list("predecessor_id", "successor_id"))
    fan: dict[int, int] = {}
    for old, _new in links:
        fan[old] = fan.get(old, 0) + 1
    chosen = {old for old, new in links if new in firsts} | {old for old, n in fan.items() if n > 1}
    return list(Unit.objects.filter(pk__in=chosen).select_related("parent").order_by("code"))


def plan_old_units(old: Unit, rng: object, *, with_school: bool) -> list[Unit]:
    word, subtype = ("Thôn", "thon") if old.subtype == "xa" else ("Tổ dân phố", "to_dan_pho")
    short, where = short_name(old.name), in_sentence(old.name)
    units = []
    for n in range(3):
        units.append(Unit(code=f"KDC-{old.code}-{FIRST_NUMBER + n}", name=f"{word} {n + 1} {short}",
                          kind=Kind.RESIDENTIAL_AREA, subtype=subtype, parent=old,
                          households=100 + (int(old.code) * 7 + n * 53) % 350, valid_to=LAST_OLD_DAY))
    units.append(Unit(code=f"CQ-{old.code}-{FIRST_NUMBER}", name=f"UBND {where} (cũ)", kind=Kind.AGENCY,
                      parent=old, managed_by=ManagingLevel.COMMUNE, valid_to=LAST_OLD_DAY))
    units.append(Unit(code=f"DN-{old.code}-{FIRST_NUMBER}", name=f"Công ty TNHH Thương mại {short}",
                      kind=Kind.ENTERPRISE, subtype="cong_ty_tnhh", size=EnterpriseSize.MEDIUM, parent=old,
                      managed_by=ManagingLevel.COMMUNE, valid_to=LAST_OLD_DAY))
    if with_school and old.parent is not None:  # a lower-secondary school the old district managed
        units.append(Unit(code=f"TH-{old.code}-{FIRST_NUMBER}", name=f"Trường THCS {short}", kind=Kind.SCHOOL,
                          school_level=SchoolLevel.THCS, parent=old.parent, managed_by=ManagingLevel.DISTRICT,
                          valid_to=LAST_OLD_DAY))
    return units


def add_pre_reform_units(context: DemoContext) -> int:
    olds = old_communes(context)
    home_olds = set(Succession.objects.filter(successor=context.home_commune).values_list("predecessor_id", flat=True))
    planned = []
    school_done = False
    for old in olds:
        with_school = not school_done and old.pk not in home_olds  # not the home commune's: its THCS is a login's
        planned += plan_old_units(old, context.rng("reform", old.code), with_school=with_school)
        school_done = school_done or with_school
    existing = set(Unit.objects.filter(code__in=[u.code for u in planned], valid_to__lte=LAST_OLD_DAY)
                   .values_list("code", "kind"))
    batch = [u for u in planned if (u.code, u.kind) not in existing]
    exclusions = Exclusions.on(LAST_OLD_DAY)
    for unit in batch:
        unit.source = Source.LOCAL
        unit.refresh_derived(exclusions)
    Unit.objects.bulk_create(batch, batch_size=1000)
    add_closure([u.pk for u in batch])
    return len(batch)


MERGE_DAY = dt.date(MERGE_YEAR, 3, 1)


def merge_day() -> dt.date | None:
    """01/03/2026, once that day has come (the demo never writes the future)."""
    return MERGE_DAY if timezone.localdate() >= MERGE_DAY else None


def merge_three_areas(context: DemoContext) -> int:
    day = merge_day()
    if day is None or len(context.communes) < 2:
        return 0
    commune = context.communes[1]
    areas = list(context.demo_units(Kind.RESIDENTIAL_AREA).filter(parent=commune, code__regex=r"-\d\d$")
                 .order_by("code")[:MERGED_AREAS])
    if len(areas) < MERGED_AREAS or any(not a.is_valid_on(day) for a in areas):
        return 0  # merged already (they end the day before), or too few
    word = "Thôn" if commune.subtype == "xa" else "Tổ dân phố"
    do_merge(context.actor, [a.pk for a in areas], day=day,
             new=NewUnit(f"KDC-{commune.code}-{FIRST_NUMBER - 1}", f"{word} Tân Hợp"))
    return 1


def add_reform_demo(context: DemoContext) -> None:
    created = add_pre_reform_units(context)
    result = do_carry_over(context.actor, context.province.pk, district_rule="province")
    merged = merge_three_areas(context)
    context.add("pre-reform units", created)
    context.add("units carried over", result.carried)
    context.add("merges", merged)
    if created or result.carried or merged:
        context.say(f"reform: {created} pre-reform units, {result.carried} carried over to the new communes, "
                    f"{merged} merge of {MERGED_AREAS} residential areas")
