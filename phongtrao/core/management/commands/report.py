"""``phongtrao report annual --unit CODE --year YEAR [--boundaries recorded|today] [--format json|md]
[--output FILE]`` (INTERCHANGE.md). With ``--boundaries today`` the code names a unit of today, holding the
records of the units that preceded it (``units.lineage``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from phongtrao.recognition.figures import reference_date
from phongtrao.reports.annual import build_annual, render_markdown
from phongtrao.units.lineage import BOUNDARIES, RECORDED, TODAY
from phongtrao.units.models import Unit

FORMATS = ("json", "md")


class Command(BaseCommand):
    help = "Báo cáo số liệu (annual: số liệu tổng kết năm của một đơn vị và các đơn vị trực thuộc)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
        annual = sub.add_parser("annual", help="Số liệu tổng kết năm (như ngày 31/12 của năm).")
        annual.add_argument("--unit", required=True, help="Mã đơn vị (tra theo ngày 31/12 của năm).")
        annual.add_argument("--year", required=True, type=int)
        annual.add_argument("--boundaries", choices=BOUNDARIES, default=RECORDED,
                            help="recorded: địa giới của năm báo cáo; today: địa giới hiện nay (mã tra theo hôm nay).")
        annual.add_argument("--format", choices=FORMATS, default="json")
        annual.add_argument("--output", help="Ghi ra tệp thay vì màn hình.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["report"] == "annual":
            self.annual(options)

    def annual(self, options: dict[str, Any]) -> None:
        code, year = options["unit"].strip(), options["year"]
        if not 2000 <= year <= 2100:
            raise CommandError(f"year out of range: {year}", returncode=1)
        boundaries = options.get("boundaries") or RECORDED
        day = timezone.localdate() if boundaries == TODAY else reference_date(year)
        units = list(Unit.objects.with_code(code, day).order_by("depth")[:2])
        if not units:
            raise CommandError(f"unknown unit: no unit with code {code!r} valid on {day:%d/%m/%Y}", returncode=1)
        if len(units) > 1 and units[0].depth == units[1].depth:
            raise CommandError(f"ambiguous unit code {code!r} on {day:%d/%m/%Y}", returncode=1)
        unit = units[0]  # a code shared across kinds: the administrative unit (highest in the tree)
        report = build_annual(unit, year, boundaries)
        if options["format"] == "md":
            text = render_markdown(report, unit)
        else:
            text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        if options.get("output"):
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {options['output']}")
        else:
            self.stdout.write(text, ending="")
