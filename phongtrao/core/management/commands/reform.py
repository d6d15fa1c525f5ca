"""``phongtrao reform carry-over --province CODE [--assignments FILE.csv] [--district-rule commune|province]
[--dry-run]``: carry a province's residential areas and organisations over the 2025 reform
(``phongtrao/units/reform.py``, docs/howto/carry-over-the-reform.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phongtrao.audit.actions import Actor
from phongtrao.lib.workflow import ActionError
from phongtrao.units.models import Kind, Unit
from phongtrao.units.official import REFORM_DATE
from phongtrao.units.reform import DISTRICT_RULES, as_dict, do_carry_over, parse_assignments, plan_carry_over


class Command(BaseCommand):
    help = "Chuyển đơn vị qua cuộc sắp xếp đơn vị hành chính 01/07/2025 (carry-over)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="reform", required=True, metavar="ACTION")
        carry = sub.add_parser("carry-over", help="Chuyển khu dân cư, cơ quan, doanh nghiệp, cơ sở giáo dục của "
                                                  "một tỉnh sang xã mới từ 01/07/2025.")
        carry.add_argument("--province", required=True, help="Mã tỉnh, thành phố hiện hành (ví dụ 48).")
        carry.add_argument("--assignments", help="CSV/XLSX: unit_code, commune_code (đơn vị ở xã cũ bị chia).")
        carry.add_argument("--district-rule", choices=sorted(DISTRICT_RULES),
                           help="Đơn vị do cấp huyện quản lý chuyển về cấp xã hay cấp tỉnh.")
        carry.add_argument("--dry-run", action="store_true", help="Chỉ xem trước, không ghi gì.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reform"] == "carry-over":
            self.carry_over(options)

    def carry_over(self, options: dict[str, Any]) -> None:
        code = options["province"].strip()
        province = Unit.objects.of_kind(Kind.PROVINCE).with_code(code, REFORM_DATE).first()
        if province is None:
            raise CommandError(f"unknown province: no current province with code {code!r}", returncode=1)
        rule = options.get("district_rule")
        assignments: dict[int, int] = {}
        if options.get("assignments"):
            path = Path(options["assignments"])
            if not path.is_file():
                raise CommandError(f"no such file: {path}", returncode=1)
            plan = plan_carry_over(province, district_rule=rule)
            assignments, errors = parse_assignments(plan, path.name, path.read_bytes())
            if errors:
                for error in errors:
                    self.stderr.write(str(error))
                raise CommandError("assignments: nothing written", returncode=1)
        try:
            result = do_carry_over(Actor.command(), province.pk, district_rule=rule, assignments=assignments,
                                   dry_run=options["dry_run"])
        except ActionError as exc:
            for field, messages in exc.errors.items():
                for message in messages:
                    self.stderr.write(f"{field}: {message}")
            raise CommandError("carry-over: nothing written", returncode=1) from None
        summary = as_dict(result.plan)
        summary["carried"] = result.carried
        summary["dry_run"] = bool(options["dry_run"])
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
