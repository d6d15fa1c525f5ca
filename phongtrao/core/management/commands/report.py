"""``phongtrao report annual --unit CODE --year YEAR [--boundaries recorded|today] [--format json|md|docx|pdf|xlsx]
[--output FILE]`` (INTERCHANGE.md). With ``--boundaries today`` the code names a unit of today, holding the
records of the units that preceded it (``units.lineage``).

The binary formats (docx, pdf, xlsx) are written to ``--output`` or to stdout's byte stream when it is a
pipe or a file; to a terminal they are refused with a clear error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from phongtrao.recognition.figures import reference_date
from phongtrao.reports.annual import build_annual, render_markdown
from phongtrao.reports.render.formats import FORMATS as FILE_FORMATS
from phongtrao.reports.render.formats import annual_file
from phongtrao.units.lineage import BOUNDARIES, RECORDED, TODAY
from phongtrao.units.models import Unit

FORMATS = ("json", "md", "docx", "pdf", "xlsx")


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
        fmt = options["format"]
        if fmt in FILE_FORMATS and FILE_FORMATS[fmt].binary:
            self.write_binary(annual_file(unit, year, fmt, report=report), options.get("output"), fmt)
            return
        text = render_markdown(report, unit) if fmt == "md" else json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        if options.get("output"):
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {options['output']}")
        else:
            self.stdout.write(text, ending="")

    def write_binary(self, data: bytes, output: str | None, fmt: str) -> None:
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"wrote {output}")
            return
        stream = getattr(self.stdout, "_out", sys.stdout)
        if stream.isatty():
            raise CommandError(f"--format {fmt} is a binary file: give --output FILE or redirect stdout to a file",
                               returncode=1)
        target: Any = getattr(stream, "buffer", stream)
        try:
            target.write(data)
            target.flush()
        except TypeError as exc:
            raise CommandError(f"--format {fmt} is a binary file: give --output FILE", returncode=1) from exc
