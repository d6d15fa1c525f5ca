from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy, gettext_noop

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext
    from phongtrao.core.management.commands.generate import GenerateContext

ACTION_LABELS = {
    "plan.create": gettext_noop("Lập kế hoạch"),
    "plan.update": gettext_noop("Sửa kế hoạch"),
    "plan.activate": gettext_noop("Đưa kế hoạch vào thực hiện"),
    "plan.end": gettext_noop("Kết thúc kế hoạch"),
    "plan.replace": gettext_noop("Đánh dấu kế hoạch bị thay thế"),
    "plan.import": gettext_noop("Nhập kế hoạch từ tệp"),
    "plan.objectives": gettext_noop("Sửa mục tiêu của kế hoạch"),
    "plan_objective.save": gettext_noop("Lưu mục tiêu của kế hoạch"),
    "plan_objective.import": gettext_noop("Nhập mục tiêu của kế hoạch từ tệp"),
    "plan_task.create": gettext_noop("Thêm nhiệm vụ của kế hoạch"),
    "plan_task.update": gettext_noop("Sửa nhiệm vụ của kế hoạch"),
    "plan_task.report": gettext_noop("Báo cáo tình hình thực hiện nhiệm vụ"),
    "plan_task.import": gettext_noop("Nhập nhiệm vụ của kế hoạch từ tệp"),
    "plan_organisation.create": gettext_noop("Thêm cơ quan, tổ chức phối hợp"),
    "steering_committee.constitute": gettext_noop("Thành lập Ban Chỉ đạo"),
    "steering_committee.reconstitute": gettext_noop("Kiện toàn Ban Chỉ đạo"),
}
ACTION_GROUPS = {
    "plan.": gettext_noop("Kế hoạch, đề án"),
    "plan_objective.": gettext_noop("Mục tiêu của kế hoạch"),
    "plan_task.": gettext_noop("Nhiệm vụ của kế hoạch"),
    "plan_organisation.": gettext_noop("Cơ quan, tổ chức phối hợp"),
    "steering_committee.": gettext_noop("Ban Chỉ đạo"),
}


class PlansConfig(AppConfig):
    name = "phongtrao.plans"
    verbose_name = "Kế hoạch, đề án, chương trình phối hợp"
    demo_order = 160

    def ready(self) -> None:
        from phongtrao.accounts.policies import DATA_CAPTURERS, PROVINCE_LEVEL, REGISTER_EDITORS, Policy, Scope, declare
        from phongtrao.audit import models as audit_models
        from phongtrao.plans import dossier, importers  # noqa: F401  (registers the import kinds)
        from phongtrao.plans.figures import build_plans_section, plans_blocks, plans_links
        from phongtrao.reports.annual import register_section

        declare(Policy("plans.edit", REGISTER_EDITORS,
                       gettext_lazy("Lập, sửa kế hoạch, đề án, chương trình phối hợp của đơn vị; mục tiêu, nhiệm vụ, "
                                    "đánh giá mục tiêu không đo bằng số liệu")))
        declare(Policy("plans.report_task", DATA_CAPTURERS,
                       gettext_lazy("Báo cáo tình hình thực hiện nhiệm vụ được giao cho cơ quan, tổ chức của mình"),
                       Scope.ROLE))
        declare(Policy("plans.organisations", PROVINCE_LEVEL,
                       gettext_lazy("Thêm cơ quan, tổ chức phối hợp của tỉnh")))
        declare(Policy("plans.committees", REGISTER_EDITORS,
                       gettext_lazy("Thành lập, kiện toàn Ban Chỉ đạo của đơn vị")))
        for kind, text in (("plans", gettext_lazy("Nhập kế hoạch, đề án từ tệp")),
                           ("plan_objectives", gettext_lazy("Nhập mục tiêu của kế hoạch từ tệp")),
                           ("plan_tasks", gettext_lazy("Nhập nhiệm vụ của kế hoạch từ tệp"))):
            declare(Policy(f"import.{kind}", REGISTER_EDITORS, text, Scope.ROLE))
        audit_models.ACTION_LABELS.update(ACTION_LABELS)
        audit_models.ACTION_GROUPS.update(ACTION_GROUPS)
        dossier.register()
        register_section("plans", build_plans_section, blocks=plans_blocks,
                         links=plans_links, doc_order=10, order=90)

    def demo(self, context: DemoContext) -> None:
        from phongtrao.plans.demo import add_demo_committees, add_demo_plans

        add_demo_plans(context)
        add_demo_committees(context)

    def generate(self, context: GenerateContext) -> dict[str, int]:
        from phongtrao.plans.generate import generate_plans

        return generate_plans(context)
