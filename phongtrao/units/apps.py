from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class UnitsConfig(AppConfig):
    name = "phongtrao.units"
    verbose_name = "Đơn vị"

    def ready(self) -> None:
        from phongtrao.accounts.policies import PROVINCE_LEVEL, REGISTER_EDITORS, Policy, Scope, declare
        from phongtrao.audit import models as audit_models
        from phongtrao.units import importers, importers_successions  # noqa: F401  (the "units", "successions" kinds)
        from phongtrao.units.templatetags.unit_tags import subtype_label

        declare(Policy("import.units", REGISTER_EDITORS, gettext_lazy("Nhập đơn vị từ tệp"), Scope.ROLE))
        declare(Policy("import.successions", REGISTER_EDITORS,
                       gettext_lazy("Nhập sáp nhập, chia tách, đổi tên, chuyển đơn vị từ tệp"), Scope.ROLE))
        declare(Policy("units.carry_over", PROVINCE_LEVEL,
                       gettext_lazy("Chuyển khu dân cư, cơ quan, doanh nghiệp, cơ sở giáo dục của tỉnh sang xã mới "
                                    "(sắp xếp đơn vị hành chính 01/7/2025)")))

        audit_models.VALUE_LABELS["units.unit.subtype"] = subtype_label

    demo_order = 10  # first: the users step and every other app's demo need the units

    def demo(self, context: Any) -> None:
        """Called by ``phongtrao demo``: residential areas and organisations under the communes (idempotent)."""
        from phongtrao.units.demo import add_units
        from phongtrao.units.reform_demo import add_reform_demo

        add_units(context)
        add_reform_demo(context)  # pre-reform units, the carry-over, a 2026 merge

    def generate(self, context: Any) -> dict[str, int]:
        """Called by ``phongtrao generate``: synthetic units under every commune."""
        from phongtrao.units.generate import generate_units

        return generate_units(context)

    def seed(self, stdout: Any) -> None:
        """Called by ``phongtrao setup``: re-derive ANTT eligibility from the exclusions in force (set-based)."""
        from phongtrao.units.models import rederive_subject_to_standard

        stdout.write(f"ANTT exclusions: {rederive_subject_to_standard()} units re-derived")
