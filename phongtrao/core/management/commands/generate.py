"""``phongtrao generate``: a synthetic but realistic register and years of ANTT results, for benchmarks.

    phongtrao generate --scale national --years 5 --seed 1
    phongtrao generate --scale province --province 11 --years 2 --seed 1

On the real current communes of the official register (run ``phongtrao setup`` first), every app
adds its own synthetic rows through a hook: an ``AppConfig.generate(self, context: GenerateContext)
-> dict[str, int]`` method, called in ``INSTALLED_APPS`` order inside one transaction; it returns
counts to print. The units app's hook runs first (``units/generate.py``: residential areas and
organisations under every commune), then the recognition app's (``recognition/generate.py``: a result
for every unit subject to the standard in each of the years, ending last year; the pre-reform communes
for the years before 2025), then models, awards, ... ``context`` carries the communes, years, seed, a
``say`` and ``streams`` (random streams a hook hands on to a later one).

Deterministic: one random stream per commune, seeded by ``seed`` and the commune code, so
a province run makes exactly that province's share of the national run. Synthetic codes
start with ``SIM-``. Rows are bulk-inserted without history or audit rows (this is test
data, not a record of anyone's work).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from phongtrao.units.generate import PREFIX
from phongtrao.units.models import Kind, Unit
from phongtrao.units.official import REFORM_DATE as REFORM


@dataclass(frozen=True)
class GenerateContext:
    """What an app's ``generate`` hook gets: the current communes in scope, the years and the seed."""

    communes: list[Unit]
    years: list[int]
    seed: int
    say: Callable[[str], None]
    # Random streams an earlier hook hands on to a later one (the units' per-commune stream, which the
    # results continue), by a key the two agree on.
    streams: dict[str, random.Random] = field(default_factory=dict)

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
        self.stdout.write("generated: " + ", ".join(f"{key} {value}" for key, value in extra.items())
                          + f" for {years[0]}-{years[-1]} in {len(communes)} communes ({took:.1f} s)")
