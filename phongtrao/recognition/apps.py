from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy, gettext_noop


class RecognitionConfig(AppConfig):
    name = "phongtrao.recognition"
    verbose_name = "Tiêu chuẩn An toàn về ANTT"

    def ready(self) -> None:
        from phongtrao.accounts.policies import DATA_CAPTURERS, DECIDERS, Policy, Scope, declare
        from phongtrao.recognition import dossier, importers  # noqa: F401  (registers the "recognitions" import kind)

        declare(Policy("import.recognitions", DATA_CAPTURERS | DECIDERS,
                       gettext_lazy("Nhập kết quả tiêu chuẩn ANTT từ tệp"), Scope.ROLE))

        dossier.register()  # the unit's yearly dossier carries attachments
        from phongtrao.recognition import jobs

        jobs.register()  # a large decision's certificates are made in the background
        from phongtrao.recognition.carry import RULE, carry_recognitions
        from phongtrao.units.changes import Carrier, register_carrier

        register_carrier(Carrier("recognition", RULE, carry_recognitions))  # records follow merges, splits …
        register_recognition_figures()

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


RECOGNITION_FIGURE_LABELS = {
    "residential_area": (gettext_noop("Khu dân cư đạt chuẩn ANTT"), gettext_noop("Khu dân cư thuộc diện xét chuẩn")),
    "commune": (gettext_noop("Xã, phường đạt chuẩn ANTT"), gettext_noop("Xã, phường thuộc diện xét chuẩn")),
    "organisation": (gettext_noop("Cơ quan, doanh nghiệp, nhà trường đạt chuẩn ANTT"),
                     gettext_noop("Cơ quan, doanh nghiệp, nhà trường thuộc diện xét chuẩn")),
}


def register_recognition_figures() -> None:
    """The recognition figures an indicator may name (``lib.indicators``): recognised and total per kind, for
    the year of the period's end (one GROUP BY each, the annual section's query)."""
    from phongtrao.lib.indicators import register_figure
    from phongtrao.recognition.figures import recognition_figures, recognition_figures_many

    def make(kind: str, part: str) -> Any:
        def figure(unit: Any, period: Any, boundaries: str = "recorded") -> int:
            return recognition_figures(unit, period.end.year, boundaries)[kind][part]  # type: ignore[literal-required]

        return figure

    def make_many(kind: str, part: str) -> Any:  # every unit at once: one query grouped by unit and kind
        return lambda units, period: {pk: section[kind][part]  # type: ignore[literal-required]
                                      for pk, section in recognition_figures_many(units, period.end.year).items()}

    for kind, (recognised, total) in RECOGNITION_FIGURE_LABELS.items():
        register_figure(f"recognition.{kind}.recognised", recognised, make(kind, "recognised"), app="recognition",
                        many=make_many(kind, "recognised"))
        register_figure(f"recognition.{kind}.total", total, make(kind, "total"), app="recognition",
                        many=make_many(kind, "total"))
