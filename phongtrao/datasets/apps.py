from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy, gettext_noop

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext

ACTION_LABELS = {
    "datavalue.save": gettext_noop("Nhập số liệu biểu mẫu"),
    "datavalue.import": gettext_noop("Nhập số liệu biểu mẫu từ tệp"),
    "datasetreport.complete": gettext_noop("Đánh dấu hoàn thành báo cáo"),
    "datasetreport.reopen": gettext_noop("Mở lại báo cáo để sửa"),
    "datasetreport.submit": gettext_noop("Gửi báo cáo lên cấp trên"),
    "datasetreport.approve": gettext_noop("Phê duyệt báo cáo"),
    "datasetreport.return": gettext_noop("Trả lại báo cáo"),
    "datasetreport.unapprove": gettext_noop("Bỏ phê duyệt báo cáo"),
    "dataelement.create": gettext_noop("Thêm chỉ tiêu"),
    "dataset.create": gettext_noop("Thêm biểu mẫu báo cáo"),
    "dataset.version": gettext_noop("Thêm phiên bản biểu mẫu"),
}
ACTION_GROUPS = {
    "datavalue.": gettext_noop("Số liệu biểu mẫu"),
    "datasetreport.": gettext_noop("Báo cáo theo biểu mẫu"),
    "dataelement.": gettext_noop("Danh mục chỉ tiêu"),
    "dataset.": gettext_noop("Danh mục biểu mẫu"),
}


class DatasetsConfig(AppConfig):
    name = "phongtrao.datasets"
    verbose_name = "Biểu mẫu báo cáo định kỳ"
    demo_order = 120

    def ready(self) -> None:
        from phongtrao.accounts.models import Role
        from phongtrao.accounts.policies import DATA_CAPTURERS, Policy, Scope, declare
        from phongtrao.audit import models as audit_models
        from phongtrao.datasets import importers  # noqa: F401  (registers the "data_values" import kind)
        from phongtrao.datasets.completeness import annual_completeness, completeness_blocks

        # Each row is checked against ``datasets.enter`` (the role's kinds inside the capture scope).
        declare(Policy("datasets.review", frozenset({Role.ADMIN, Role.PROVINCE_OFFICER, Role.APPROVER}),
                       gettext_lazy("Duyệt, trả lại hoặc bỏ duyệt báo cáo theo biểu mẫu của cấp dưới trực tiếp"),
                       Scope.ROLE))
        declare(Policy("import.data_values", DATA_CAPTURERS, gettext_lazy("Nhập số liệu biểu mẫu từ tệp"),
                       Scope.ROLE))
        from phongtrao.datasets.figures import activities_blocks, build_activities_section
        from phongtrao.reports.annual import register_section

        audit_models.ACTION_LABELS.update(ACTION_LABELS)
        audit_models.ACTION_GROUPS.update(ACTION_GROUPS)
        register_section("activities", build_activities_section, blocks=activities_blocks, order=40, doc_order=20)
        # Its own section (the ``activities`` section's JSON stays as it is): docs/interchange-data-values.md.
        register_section("completeness", annual_completeness, blocks=completeness_blocks, order=41, doc_order=90)

    def seed(self, stdout: Any) -> None:
        """Called by ``phongtrao setup``: the seeded elements, data sets and rules (idempotent)."""
        from phongtrao.datasets.catalogue import seed_catalogue

        stdout.write(f"data sets: {seed_catalogue()} catalogue rows created (others kept)")

    def generate(self, context: Any) -> dict[str, int]:
        """Called by ``phongtrao generate``: a year of values for every commune and residential area."""
        from phongtrao.datasets.generate import generate_values

        return generate_values(context)

    def demo(self, context: DemoContext) -> None:
        from phongtrao.datasets.demo import add_demo_values

        add_demo_values(context)
