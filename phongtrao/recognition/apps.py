from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class RecognitionConfig(AppConfig):
    name = "phongtrao.recognition"
    verbose_name = "Tiêu chuẩn An toàn về ANTT"

    def ready(self) -> None:
        from phongtrao.accounts.policies import DATA_CAPTURERS, DECIDERS, Policy, Scope, declare
        from phongtrao.recognition import dossier, importers  # noqa: F401  (registers the "recognitions" import kind)

        declare(Policy("import.recognitions", DATA_CAPTURERS | DECIDERS,
                       gettext_lazy("Nhập kết quả tiêu chuẩn ANTT từ tệp"), Scope.ROLE))

        dossier.register()  # the unit's yearly dossier carries attachments

    def generate(self, context: Any) -> dict[str, int]:
        """Called by ``phongtrao generate``: a result per unit subject to the standard and year."""
        from phongtrao.recognition.generate import generate_results

        return generate_results(context)

    def seed(self, stdout: Any) -> None:
        """Called by ``phongtrao setup``: the national criteria sets (idempotent)."""
        from phongtrao.recognition.criteria import seed_criteria_sets

        sets, criteria = seed_criteria_sets()
        stdout.write(f"criteria sets: {sets} created, {criteria} criteria created (others refreshed)")

    def demo(self, context: Any) -> None:
        """Called by ``phongtrao demo``: the yearly cycle for the demo units (idempotent)."""
        from phongtrao.recognition.demo import add_demo_recognitions

        add_demo_recognitions(context)
