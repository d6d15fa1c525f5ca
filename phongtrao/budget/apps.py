from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy, gettext_noop

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext

ACTION_LABELS = {
    "budget_line.save": gettext_noop("Lưu dự toán, kinh phí được giao"),
    "budget_line.import": gettext_noop("Nhập dự toán, kinh phí được giao từ tệp"),
    "spending.record": gettext_noop("Ghi khoản chi"),
    "spending.update": gettext_noop("Sửa khoản chi"),
    "spending.delete": gettext_noop("Xóa khoản chi"),
    "spending.import": gettext_noop("Nhập khoản chi từ tệp"),
    "fund.record": gettext_noop("Ghi thu, chi Quỹ phòng, chống tội phạm"),
}
ACTION_GROUPS = {
    "budget_line.": gettext_noop("Kinh phí phong trào"),
    "spending.": gettext_noop("Kinh phí phong trào"),
    "fund.": gettext_noop("Quỹ phòng, chống tội phạm"),
}


class BudgetConfig(AppConfig):
    name = "phongtrao.budget"
    verbose_name = "Kinh phí phong trào và Quỹ phòng, chống tội phạm"
    demo_order = 160

    def ready(self) -> None:
        from phongtrao.accounts.models import Role
        from phongtrao.accounts.policies import PROVINCE_LEVEL, REGISTER_EDITORS, Policy, Scope, declare
        from phongtrao.audit import models as audit_models
        from phongtrao.budget import importers  # noqa: F401  (registers the budget_lines and spending kinds)
        from phongtrao.budget.figures import budget_blocks, budget_links, build_budget_section
        from phongtrao.reports.annual import register_section
        from phongtrao.units.models import Kind

        declare(Policy("budget.edit", REGISTER_EDITORS,
                       gettext_lazy("Lập dự toán, ghi kinh phí được giao và các khoản chi phong trào (cán bộ xã: của "
                                    "xã)"),
                       unit_kinds={Role.COMMUNE_OFFICER: frozenset({Kind.COMMUNE})}))
        declare(Policy("budget.fund", PROVINCE_LEVEL,
                       gettext_lazy("Ghi thu, chi Quỹ phòng, chống tội phạm của tỉnh")))
        declare(Policy("import.budget_lines", REGISTER_EDITORS,
                       gettext_lazy("Nhập dự toán, kinh phí được giao từ tệp"), Scope.ROLE))
        declare(Policy("import.spending", REGISTER_EDITORS, gettext_lazy("Nhập các khoản chi phong trào từ tệp"),
                       Scope.ROLE))
        audit_models.ACTION_LABELS.update(ACTION_LABELS)
        audit_models.ACTION_GROUPS.update(ACTION_GROUPS)
        register_section("budget", build_budget_section, blocks=budget_blocks,
                         links=budget_links, doc_order=70, order=80)

    def seed(self, stdout: Any) -> None:
        """Called by ``phongtrao setup``: the seeded categories, sources and caps (idempotent)."""
        from phongtrao.budget.rules import seed_catalogues

        stdout.write(f"budget: {seed_catalogues()} catalogue rows created (others kept)")

    def generate(self, context: Any) -> dict[str, int]:
        """Called by ``phongtrao generate``: a year of lines, spending and fund totals."""
        from phongtrao.budget.generate import generate_budget

        return generate_budget(context)

    def demo(self, context: DemoContext) -> None:
        from phongtrao.budget.demo import add_demo_budget

        add_demo_budget(context)
