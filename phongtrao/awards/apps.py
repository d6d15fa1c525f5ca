from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy, gettext_noop

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext
    from phongtrao.core.management.commands.generate import GenerateContext

ACTION_LABELS = {
    "award_type.create": gettext_noop("Thêm hình thức khen thưởng"),
    "award_type.update": gettext_noop("Sửa hình thức khen thưởng"),
    "award_decision.create": gettext_noop("Ghi quyết định khen thưởng"),
    "award_decision.import": gettext_noop("Nhập quyết định khen thưởng từ tệp"),
    "award.import": gettext_noop("Nhập khen thưởng từ tệp"),
    "award_proposal.create": gettext_noop("Lập đề nghị khen thưởng"),
    "award_proposal.update": gettext_noop("Sửa đề nghị khen thưởng"),
    "award_proposal.submit": gettext_noop("Gửi đề nghị khen thưởng"),
    "award_proposal.approve": gettext_noop("Duyệt đề nghị khen thưởng"),
    "award_proposal.return": gettext_noop("Trả lại đề nghị khen thưởng"),
    "award_proposal.reopen": gettext_noop("Mở lại đề nghị khen thưởng để sửa"),
}
ACTION_GROUPS = {
    "award_type.": gettext_noop("Danh mục khen thưởng"),
    "award_decision.": gettext_noop("Quyết định khen thưởng"),
    "award_proposal.": gettext_noop("Đề nghị khen thưởng"),
    "award.": gettext_noop("Khen thưởng (nhập tệp)"),
}


class AwardsConfig(AppConfig):
    name = "phongtrao.awards"
    verbose_name = "Thi đua, khen thưởng"

    def ready(self) -> None:
        from phongtrao.accounts.models import Role
        from phongtrao.accounts.policies import DECIDERS, Policy, Scope, declare
        from phongtrao.audit import models as audit_models
        from phongtrao.awards import importers  # noqa: F401  (registers the "awards" import kind)

        # Province officers import the decisions the province keeps track of (also central ones it receives).
        declare(Policy("import.awards", DECIDERS | {Role.PROVINCE_OFFICER},
                       gettext_lazy("Nhập quyết định khen thưởng từ tệp"), Scope.ROLE))
        from phongtrao.awards.figures import awards_blocks, build_awards_section
        from phongtrao.reports.annual import register_section

        audit_models.ACTION_LABELS.update(ACTION_LABELS)
        audit_models.ACTION_GROUPS.update(ACTION_GROUPS)
        register_section("awards", build_awards_section, blocks=awards_blocks, doc_order=80, order=30)
        from phongtrao.lib.indicators import register_figure

        for key, label in (("collective", gettext_noop("Tập thể được khen thưởng")),
                           ("individual", gettext_noop("Cá nhân được khen thưởng"))):
            register_figure(f"awards.{key}", label, _awards_figure(key), app="awards")

    def seed(self, stdout: Any) -> None:
        """Called by ``phongtrao setup``: the seeded award forms (idempotent)."""
        from phongtrao.awards.catalogue import seed_award_types

        stdout.write(f"award forms: {seed_award_types()} created (others kept)")

    def demo(self, context: DemoContext) -> None:
        from phongtrao.awards.demo import add_demo_awards

        add_demo_awards(context)

    def generate(self, context: GenerateContext) -> dict[str, int]:
        from phongtrao.awards.generate import generate_awards

        return generate_awards(context)


def _awards_figure(key: str) -> Any:
    """The recipients (collective or individual) of the year's decisions in the subtree, every award form."""
    from phongtrao.awards.figures import build_awards_section

    def figure(unit: Any, period: Any, boundaries: str = "recorded") -> int:
        return sum(int(dict(row)[key]) for row in build_awards_section(unit, period.end.year, boundaries))

    return figure
