"""Write the API's OpenAPI document to docs/openapi.json (or check that the file is up to date)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phongtrao.api.openapi import DOCUMENT_PATH, openapi_document


class Command(BaseCommand):
    help = "Write the OpenAPI document of /api/v1/ (sorted keys, indent 2); --check only compares."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=str(DOCUMENT_PATH), help="file to write, or - for stdout")
        parser.add_argument("--check", action="store_true", help="exit with status 1 if the file differs")

    def handle(self, *args: Any, output: str, check: bool, **options: Any) -> None:
        document = openapi_document()
        if output == "-":
            sys.stdout.write(document)
            return
        path = Path(output)
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != document:
                raise CommandError(f"{path} is out of date; run: phongtrao export_openapi")
            self.stdout.write(f"{path} is up to date")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
