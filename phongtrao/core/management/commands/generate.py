"""``phongtrao generate``: a synthetic but realistic register and years of ANTT results, for benchmarks.

    phongtrao generate --scale national --years 5 --seed 1
    phongtrao generate --scale province --province 11 --years 2 --seed 1

On the real current communes of the official register (run ``phongtrao setup`` first) it
builds, per commune, 12-42 residential areas, 18-48 agencies, enterprises and schools
subject to the standard and 3-9 that are not (DOMAIN.md §10: about 90,000, 110,000 and
20,000 nationally), then a result for every unit subject to the standard in each of the
years (ending last year; the pre-reform communes for the years before 2025).

Other apps add their own synthetic rows (models, awards, ...) through a hook: an
``AppConfig.generate(self, context: GenerateContext) -> dict[str, int]`` method, called in
``INSTALLED_APPS`` order after the units and results exist, inside the same transaction; it
returns counts to print. ``context`` carries the communes, years, seed and a ``say``.

Deterministic: one random stream per commune, seeded by ``seed`` and the commune code, so
a province run makes exactly that province's share of the national run. Synthetic codes
start with ``SIM-``. Rows are bulk-inserted without history or audit rows (this is test
data, not a record of anyone's work); closure rows come from one INSERT ... SELECT.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from phongtrao.recognition.models import Recognition, Status
from phongtrao.units.models import EnterpriseSize, Exclusions, Kind, ManagingLevel, SchoolLevel, Unit, UnitAncestor

PREFIX = "SIM-"
REFORM = dt.date(2025, 7, 1)
CHUNK = 200  # communes per write batch

IN_SCOPE_SCHOOLS = (SchoolLevel.THCS, SchoolLevel.THPT, SchoolLevel.LIEN_CAP, SchoolLevel.GDNN_GDTX,
                    SchoolLevel.CAO_DANG, SchoolLevel.DAI_HOC)
EXEMPT_SCHOOLS = (SchoolLevel.MAM_NON, SchoolLevel.NHA_TRE, SchoolLevel.TIEU_HOC)


@dataclass(frozen=True)
class GenerateContext:
    """What an app's ``generate`` hook gets: the current communes in scope, the years and the seed."""

    communes: list[Unit]
    years: list[int]
    seed: int
    say: Callable[[str], None]

    def rng(self, *keys: object) -> random.Random:
        """A reproducible random stream for ``keys`` (e.g. the app label and a commune code)."""
        return random.Random(":".join([str(self.seed), *map(str, keys)]))  # noqa: S311 - synthetic data


def generate_hooks() -> list[tuple[str, Callable[[GenerateContext], dict[str, int]]]]:
    hooks = []
    for config in apps.get_app_configs():
        hook = getattr(config, "generate", None)
        if callable(hook):
            hooks.append((config.label, hook))
    return hooks


class Command(BaseCommand):
    help = "Sinh dữ liệu giả lập (đơn vị và kết quả tiêu chuẩn ANTT) để đo hiệu năng."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=("national", "province"), default="national")
        parser.add_argument("--province", help="Mã tỉnh hiện hành (với --scale province).")
        parser.add_argument("--years", type=int, default=5, help="Số năm kết quả, kết thúc ở năm trước.")
        parser.add_argument("--end-year", type=int, help="Năm cuối (mặc định: năm trước).")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        today = timezone.localdate()
        current = max(today, REFORM)
        end_year = options["end_year"] or today.year - 1
        years = list(range(end_year - options["years"] + 1, end_year + 1))
        if not years or years[0] < 2000:
            raise CommandError("--years must be at least 1 and the years after 2000")
        communes_qs = Unit.objects.of_kind(Kind.COMMUNE).valid_on(current).filter(valid_from__gte=REFORM)
        if options["scale"] == "province":
            if not options["province"]:
                raise CommandError("--scale province needs --province CODE")
            province = Unit.objects.with_code(options["province"], current).of_kind(Kind.PROVINCE).first()
            if province is None:
                raise CommandError(f"unknown province code {options['province']!r}")
            communes_qs = communes_qs.filter(parent=province)
        communes = list(communes_qs.select_related("parent").order_by("code"))
        if not communes:
            raise CommandError("no current communes: run `phongtrao setup` first")
        if Unit.objects.filter(code__startswith=PREFIX, parent__in=communes).exists():
            raise CommandError("synthetic data already present for these communes (codes SIM-...)")
        seed = options["seed"]
        extra: dict[str, int] = {}
        with transaction.atomic():
            counts = self._generate(communes, years, seed)
            context = GenerateContext(communes, years, seed, lambda text: self.stdout.write(f"  {text}"))
            for label, hook in generate_hooks():
                for key, value in (hook(context) or {}).items():
                    extra[f"{label}.{key}"] = value
        with connection.cursor() as cursor:
            # Fresh statistics for the planner; on PostgreSQL also the visibility map, so that
            # the figures' index-only scans need not visit the table.
            vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        took = time.perf_counter() - started
        self.stdout.write(
            f"generated: {counts['residential_area']} residential areas, {counts['in_scope']} organisations "
            f"subject to the standard, {counts['out_of_scope']} not subject, {counts['recognitions']} results "
            f"for {years[0]}-{years[-1]} in {len(communes)} communes ({took:.1f} s)")
        if extra:
            self.stdout.write("also: " + ", ".join(f"{key} {value}" for key, value in extra.items()))

    def _generate(self, communes: list[Unit], years: list[int], seed: int) -> dict[str, int]:
        exclusions = Exclusions.on()  # read once for every chunk
        counts = {"residential_area": 0, "in_scope": 0, "out_of_scope": 0, "recognitions": 0}
        first_id = None
        done = 0
        for start in range(0, len(communes), CHUNK):
            chunk = communes[start:start + CHUNK]
            units: list[Unit] = []
            plans: list[tuple[random.Random, list[Unit], Unit]] = []
            for commune in chunk:
                rng = random.Random(f"{seed}:{commune.code}")  # noqa: S311 - synthetic data, reproducible
                made = list(_units_for(commune, rng, counts))
                units += made
                plans.append((rng, made, commune))
            for unit in units:
                unit.refresh_derived(exclusions)
            Unit.objects.bulk_create(units, batch_size=2000)
            if first_id is None:
                first_id = min(u.pk for u in units)
            recs: list[tuple[Any, ...]] = []
            for rng, made, commune in plans:
                subjects = [u for u in made if u.subject_to_standard]
                pairs = [(u, y) for y in years for u in subjects]
                pairs += [(commune, y) for y in years if commune.is_valid_on(dt.date(y, 12, 31))]
                recs += _results(pairs, rng, years[0])
            _insert_results(recs)
            counts["recognitions"] += len(recs)
            done += len(chunk)
            self.stdout.write(f"  {done}/{len(communes)} communes", ending="\n")
        if first_id is not None:
            _insert_closure(first_id)
        # The pre-reform communes that became these communes, for the years they existed.
        old_years = [y for y in years if dt.date(y, 12, 31) < REFORM]
        if old_years:
            olds = list(Unit.objects.of_kind(Kind.COMMUNE).filter(valid_to__lt=REFORM,
                                                                   successor_links__successor__in=communes)
                        .distinct().order_by("code"))
            recs: list[tuple[Any, ...]] = []
            for old in olds:
                rng = random.Random(f"{seed}:old:{old.code}")  # noqa: S311
                recs += _results([(old, y) for y in old_years if old.is_valid_on(dt.date(y, 12, 31))], rng,
                                 years[0])
            _insert_results(recs)
            counts["recognitions"] += len(recs)
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


RESULT_COLUMNS = ("unit_id", "year", "status", "registered_on", "households_committed", "decision_no",
                  "decision_date")
# The other columns get one constant value each (see ``_insert_results``).
CONSTANT_COLUMNS = ("answers", "checklist_met", "review_meeting_on", "submitted_on", "review_started_on",
                    "signer_name", "authority_level", "authority_id", "withdrawn_reason", "withdrawn_on",
                    "version", "created_at", "updated_at")


def _results(pairs: list[tuple[Unit, int]], rng: random.Random, first_year: int) -> list[tuple[Any, ...]]:
    """One year's outcome per (unit, year): most register, most of those pass, a few stay undecided."""
    rows = []
    number = 0
    for unit, year in pairs:
        if rng.random() >= 0.96:
            continue  # did not register
        chance = 0.80 + 0.02 * (year - first_year)
        roll = rng.random()
        if roll < 0.005:
            status, decided = Status.REGISTERED, False
        elif roll < chance:
            status, decided = Status.RECOGNISED, True
        else:
            status, decided = Status.NOT_RECOGNISED, False
        number += 1
        rows.append((
            unit.pk, year, status.value, dt.date(year, 3, 15),
            unit.households if unit.kind == Kind.RESIDENTIAL_AREA else None,
            f"{number}/QĐ-UBND" if decided else "", dt.date(year, 12, 15) if decided else None,
        ))
    return rows


def _insert_results(rows: list[tuple[Any, ...]]) -> None:
    """Plain multi-row INSERTs (the ORM's per-value preparation would dominate the run time)."""
    if not rows:
        return
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    constants = (ops.adapt_json_value([], None), None, None, None, None, "", "", None, "", None, 1, now, now)
    columns = ", ".join((*RESULT_COLUMNS, *CONSTANT_COLUMNS))
    marks = ", ".join(["%s"] * (len(RESULT_COLUMNS) + len(CONSTANT_COLUMNS)))
    sql = f"INSERT INTO {Recognition._meta.db_table} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, [(*row, *constants) for row in rows[start:start + 5000]])


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
