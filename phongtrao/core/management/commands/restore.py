"""``phongtrao restore FILE [--replace]``: load a ``phongtrao backup`` file into the configured database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phongtrao.core.backups import BackupError, restore


class Command(BaseCommand):
    help = ("Khôi phục cơ sở dữ liệu từ tệp sao lưu của `phongtrao backup` vào cơ sở dữ liệu trống "
            "(--replace: xoá nội dung hiện có trước).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a file written by phongtrao backup")
        parser.add_argument("--replace", action="store_true",
                            help="drop what the database holds first (otherwise it must be empty)")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        try:
            restore(source, replace=options["replace"])
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(f"restored {source}; run `phongtrao migrate` if the backup is older than this version")
