"""Synthetic units for ``phongtrao generate`` (``UnitsConfig.generate``, the first hook to run).

Per current commune, 12-42 residential areas, 18-48 agencies, enterprises and schools subject to the
standard and 3-9 that are not (DOMAIN.md §10: about 90,000, 110,000 and 20,000 nationally), codes
starting with ``SIM-``. One random stream per commune, seeded by the seed and the commune code; the
stream is handed on in ``context.streams`` to the recognition app's hook, which draws the commune's
results from where the units left off. Bulk-inserted without audit rows (test data, not anyone's work);
closure rows come from one INSERT ... SELECT.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db import connection

from phongtrao.units.models import EnterpriseSize, Exclusions, Kind, ManagingLevel, SchoolLevel, Unit, UnitAncestor

if TYPE_CHECKING:
    from phongtrao.core.management.commands.generate import GenerateContext

PREFIX = "SIM-"
CHUNK = 200  # communes per write batch

IN_SCOPE_SCHOOLS = (SchoolLevel.THCS, SchoolLevel.THPT, SchoolLevel.LIEN_CAP, SchoolLevel.GDNN_GDTX,
                    SchoolLevel.CAO_DANG, SchoolLevel.DAI_HOC)
EXEMPT_SCHOOLS = (SchoolLevel.MAM_NON, SchoolLevel.NHA_TRE, SchoolLevel.TIEU_HOC)


def stream_key(commune: Unit) -> str:
    """The key of a commune's random stream in ``context.streams``."""
    return f"units:{commune.code}"


def generate_units(context: GenerateContext) -> dict[str, int]:
    exclusions = Exclusions.on()  # read once for every chunk
    counts = {"residential_area": 0, "in_scope": 0, "out_of_scope": 0}
    first_id = None
    done = 0
    for start in range(0, len(context.communes), CHUNK):
        chunk = context.communes[start:start + CHUNK]
        units: list[Unit] = []
        for commune in chunk:
            rng = random.Random(f"{context.seed}:{commune.code}")  # noqa: S311 - synthetic data, reproducible
            units += _units_for(commune, rng, counts)
            context.streams[stream_key(commune)] = rng
        for unit in units:
            unit.refresh_derived(exclusions)
        Unit.objects.bulk_create(units, batch_size=2000)
        if first_id is None and units:
            first_id = min(u.pk for u in units)
        done += len(chunk)
        context.say(f"{done}/{len(context.communes)} communes")
    if first_id is not None:
        _insert_closure(first_id)
    return counts


def _units_for(commune: Unit, rng: random.Random, counts: dict[str, int]) -> Iterator[Unit]:
    code = commune.code
    if commune.subtype == "phuong":
        ra_subtype, ra_word = "to_dan_pho", "Tổ dân phố"
    elif commune.subtype == "dac_khu":
        ra_subtype, ra_word = "khu_pho", "Khu phố"
    else:
        ra_subtype, ra_word = "thon", "Thôn"
    n_ra = rng.randint(12, 42)
    for i in range(1, n_ra + 1):
        yield Unit(code=f"{PREFIX}{code}-K{i:02d}", name=f"{ra_word} {i}", kind=Kind.RESIDENTIAL_AREA,
                   subtype=ra_subtype, parent=commune, households=rng.randint(80, 600))
    counts["residential_area"] += n_ra
    n_in, n_out = rng.randint(18, 48), rng.randint(3, 9)
    for i in range(1, n_in + n_out + 1):
        exempt = i > n_in
        roll = rng.random()
        managed = ManagingLevel.COMMUNE if rng.random() < 0.7 else ManagingLevel.PROVINCE
        fields: dict[str, Any] = {"parent": commune, "managed_by": managed}
        if roll < 0.4:
            fields |= {"kind": Kind.AGENCY, "name": f"Cơ quan số {i}", "armed_forces": exempt}
            tag = "CQ"
        elif roll < 0.75:
            sizes = (EnterpriseSize.MICRO, EnterpriseSize.SMALL) if exempt else \
                (EnterpriseSize.MEDIUM, EnterpriseSize.LARGE)
            fields |= {"kind": Kind.ENTERPRISE, "name": f"Doanh nghiệp số {i}", "size": rng.choice(sizes)}
            tag = "DN"
        else:
            levels = EXEMPT_SCHOOLS if exempt else IN_SCOPE_SCHOOLS
            fields |= {"kind": Kind.SCHOOL, "name": f"Trường số {i}", "school_level": rng.choice(levels)}
            tag = "TH"
        yield Unit(code=f"{PREFIX}{code}-{tag}{i:03d}", **fields)
    counts["in_scope"] += n_in
    counts["out_of_scope"] += n_out


def _insert_closure(first_id: int) -> None:
    """Closure rows for every unit created in this run (ids from ``first_id``): self, then the
    parent's ancestors one step further, in one set-based statement."""
    ua, u = UnitAncestor._meta.db_table, Unit._meta.db_table
    sql = (
        f"INSERT INTO {ua} (unit_id, ancestor_id, distance) "  # noqa: S608 - table names from _meta
        f"SELECT u.id, u.id, 0 FROM {u} u WHERE u.id >= %s AND u.code LIKE %s "
        f"UNION ALL SELECT u.id, a.ancestor_id, a.distance + 1 FROM {u} u "
        f"JOIN {ua} a ON a.unit_id = u.parent_id WHERE u.id >= %s AND u.code LIKE %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [first_id, PREFIX + "%", first_id, PREFIX + "%"])
