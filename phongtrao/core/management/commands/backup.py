"""``phongtrao backup [--output FILE]``: the whole database to one file (phongtrao.core.backups)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from phongtrao.core.backups import BackupError, backup, default_name


class Command(BaseCommand):
    help = ("Sao lưu toàn bộ cơ sở dữ liệu vào một tệp (PostgreSQL: pg_dump; SQLite: API sao lưu). "
            "Mặc định: PHONGTRAO_DATA_DIR/backups/phongtrao-NGÀY-GIỜ.dump|.sqlite3.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="the backup file (default: DATA_DIR/backups/phongtrao-<time>.<ext>)")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options.get("output") or Path(settings.DATA_DIR) / "backups" / default_name())
        try:
            backup(target)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(f"wrote {target} ({target.stat().st_size} bytes)")
