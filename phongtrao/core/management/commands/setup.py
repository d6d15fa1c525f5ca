"""``phongtrao setup``: create or upgrade the schema and load the official register. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from phongtrao.units.official import load_official


class Command(BaseCommand):
    help = "Tạo/nâng cấp cơ sở dữ liệu và nạp danh mục đơn vị hành chính chính thức."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply-official-changes", action="store_true",
                            help="Áp dụng các thay đổi của danh mục chính thức (sau khi đã xem bản so sánh).")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        diff, created, updated, applied = load_official(apply_changes=options["apply_official_changes"])
        if diff.empty and not updated:
            self.stdout.write("official register: up to date (no changes)")
        elif applied:
            self.stdout.write(f"official register: created {created}, updated {updated}")
            if diff.missing:
                self.stdout.write(f"note: {len(diff.missing)} official units are no longer in the package:")
                for line in diff.lines():
                    if line.startswith("-"):
                        self.stdout.write(line)
        else:
            self.stdout.write(self.style.WARNING(
                "official register: the installed vietnam-provinces package differs from the database. "
                "Review the changes below, then run `phongtrao setup --apply-official-changes`."))
            for line in diff.lines():
                self.stdout.write(line)
        for hook in _post_setup_hooks():
            hook(self.stdout)


def _post_setup_hooks() -> list[Any]:
    """Apps that seed catalogues (award forms, criteria sets, ...) add a ``seed(stdout)`` here."""
    from django.apps import apps

    hooks = []
    for config in apps.get_app_configs():
        seed = getattr(config, "seed", None)
        if callable(seed):
            hooks.append(seed)
    return hooks
