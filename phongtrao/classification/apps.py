from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy, gettext_noop

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext

ACTION_LABELS = {
    "classification.create": gettext_noop("Mở bảng chấm điểm phong trào"),
    "classification.score": gettext_noop("Lưu điểm tự chấm phong trào"),
    "classification.submit": gettext_noop("Gửi kết quả tự chấm phong trào"),
    "classification.adjust": gettext_noop("Điều chỉnh điểm phong trào"),
    "classification.classify": gettext_noop("Xếp loại phong trào"),
    "classification.return": gettext_noop("Trả lại kết quả chấm điểm phong trào"),
    "classification.import": gettext_noop("Nhập xếp loại phong trào từ tệp"),
    "classification_card.create": gettext_noop("Ban hành bảng điểm xếp loại phong trào của tỉnh"),
}
ACTION_GROUPS = {
    "classification.": gettext_noop("Xếp loại phong trào"),
    "classification_card.": gettext_noop("Xếp loại phong trào"),
}


class ClassificationConfig(AppConfig):
    name = "phongtrao.classification"
    verbose_name = "Xếp loại phong trào toàn dân bảo vệ ANTQ"
    demo_order = 160

    def ready(self) -> None:
        from phongtrao.accounts.models import Role
        from phongtrao.accounts.policies import PROVINCE_LEVEL, REGISTER_EDITORS, Policy, Scope, declare
        from phongtrao.audit import models as audit_models
        from phongtrao.classification import importers  # noqa: F401  (registers the classifications kind)
        from phongtrao.classification.figures import build_classification_section, classification_blocks
        from phongtrao.classification.models import SCORED_KINDS
        from phongtrao.reports.annual import register_section

        declare(Policy("classification.score", REGISTER_EDITORS,
                       gettext_lazy("Tự chấm điểm phong trào và gửi kết quả lên cấp trên (cán bộ xã: xã, khu dân cư, "
                                    "cơ quan, doanh nghiệp, trường học của xã)"),
                       unit_kinds={Role.COMMUNE_OFFICER: frozenset(SCORED_KINDS)}))
        declare(Policy("classification.review", PROVINCE_LEVEL,
                       gettext_lazy("Thẩm định điểm (điều chỉnh có lý do), xếp loại hoặc trả lại kết quả chấm điểm "
                                    "phong trào của đơn vị cấp dưới")))
        declare(Policy("classification.scorecards", PROVINCE_LEVEL,
                       gettext_lazy("Ban hành bảng điểm xếp loại phong trào của tỉnh (thêm, điều chỉnh điểm tiêu chí "
                                    "trong tổng 100 điểm)")))
        declare(Policy("import.classifications", PROVINCE_LEVEL,
                       gettext_lazy("Nhập kết quả xếp loại phong trào từ tệp"), Scope.ROLE))
        audit_models.ACTION_LABELS.update(ACTION_LABELS)
        audit_models.ACTION_GROUPS.update(ACTION_GROUPS)
        register_section("classification", build_classification_section, blocks=classification_blocks, doc_order=40,
                         order=60)

    def seed(self, stdout: Any) -> None:
        """Called by ``phongtrao setup``: the seeded scorecards (idempotent)."""
        from phongtrao.classification.rules import seed_cards

        stdout.write(f"classification: {seed_cards()} scorecards created (others kept)")

    def generate(self, context: Any) -> dict[str, int]:
        """Called by ``phongtrao generate``: a year of classifications for every scored unit."""
        from phongtrao.classification.generate import generate_classifications

        return generate_classifications(context)

    def demo(self, context: DemoContext) -> None:
        from phongtrao.classification.demo import add_demo_classifications

        add_demo_classifications(context)
