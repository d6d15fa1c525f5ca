"""``phongtrao import KIND FILE [--dry-run]`` (INTERCHANGE.md): all-or-nothing, row-numbered errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phongtrao.audit.actions import Actor
from phongtrao.lib.importing import IMPORT_KINDS, run_import


class Command(BaseCommand):
    help = "Nhập dữ liệu từ tệp CSV/XLSX (tất cả hoặc không gì cả)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="units | recognitions | models | model_sites | awards | data_values | "
                                         "force_teams | force_ratings")
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Kiểm tra mà không ghi gì.")
        parser.add_argument("--user", help="Tên đăng nhập của người thực hiện (ghi vào nhật ký).")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if kind not in IMPORT_KINDS:
            raise CommandError(f"unknown import kind {kind!r}; one of: {', '.join(sorted(IMPORT_KINDS))}")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"file not found: {path}")
        user = None
        if options.get("user"):
            from phongtrao.accounts.models import User

            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"unknown user {options['user']!r}")
        result = run_import(kind, path.name, path.read_bytes(), actor=Actor.command(user), dry_run=options["dry_run"])
        for line in result.summary_lines():
            self.stdout.write(line)
        if not result.ok:
            self.stderr.write(f"{len(result.errors)} error(s); nothing was written:")
            for group in result.grouped_errors():  # one line per cause, with the rows it affects
                self.stderr.write(str(group))
            raise SystemExit(1)
