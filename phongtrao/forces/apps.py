from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy, gettext_noop

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext

ACTION_LABELS = {
    "force_team.establish": gettext_noop("Thành lập Tổ bảo vệ ANTT"),
    "force_team.update": gettext_noop("Sửa thông tin Tổ bảo vệ ANTT"),
    "force_team.dissolve": gettext_noop("Giải thể Tổ bảo vệ ANTT"),
    "force_team.import": gettext_noop("Nhập Tổ bảo vệ ANTT từ tệp"),
    "force_rule.create": gettext_noop("Quy định quy mô Tổ bảo vệ ANTT của tỉnh"),
    "force_rating.save": gettext_noop("Lưu kết quả đánh giá Tổ bảo vệ ANTT"),
    "force_rating.import": gettext_noop("Nhập kết quả đánh giá Tổ bảo vệ ANTT từ tệp"),
    "force_rating_sheet.create": gettext_noop("Lập bảng đánh giá Tổ bảo vệ ANTT"),
    "force_rating_sheet.save": gettext_noop("Cập nhật bảng đánh giá Tổ bảo vệ ANTT"),
    "force_rating_sheet.submit": gettext_noop("Gửi kết quả đánh giá Tổ bảo vệ ANTT"),
    "force_rating_sheet.return": gettext_noop("Trả lại kết quả đánh giá Tổ bảo vệ ANTT"),
}
ACTION_GROUPS = {
    "force_team.": gettext_noop("Tổ bảo vệ ANTT"),
    "force_rule.": gettext_noop("Quy mô Tổ bảo vệ ANTT"),
    "force_rating.": gettext_noop("Đánh giá Tổ bảo vệ ANTT"),
    "force_rating_sheet.": gettext_noop("Đánh giá Tổ bảo vệ ANTT"),
}


class ForcesConfig(AppConfig):
    name = "phongtrao.forces"
    verbose_name = "Lực lượng tham gia bảo vệ ANTT ở cơ sở"
    demo_order = 150

    def ready(self) -> None:
        from phongtrao.accounts.models import Role
        from phongtrao.accounts.policies import PROVINCE_LEVEL, REGISTER_EDITORS, Policy, Scope, declare
        from phongtrao.audit import models as audit_models
        from phongtrao.forces import importers  # noqa: F401  (registers the force_teams and force_ratings kinds)
        from phongtrao.forces.figures import build_forces_section, forces_blocks, forces_links
        from phongtrao.reports.annual import register_section
        from phongtrao.units.models import Kind

        declare(Policy("forces.edit", REGISTER_EDITORS,
                       gettext_lazy("Thành lập, sửa, giải thể Tổ bảo vệ an ninh, trật tự (cán bộ xã: khu dân cư của "
                                    "xã)"),
                       unit_kinds={Role.COMMUNE_OFFICER: frozenset({Kind.COMMUNE, Kind.RESIDENTIAL_AREA})}))
        declare(Policy("forces.rate", frozenset({Role.ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER}),
                       gettext_lazy("Nhập và gửi kết quả đánh giá, xếp loại hằng năm Tổ bảo vệ an ninh, trật tự của "
                                    "xã"),
                       unit_kinds={Role.COMMUNE_OFFICER: frozenset({Kind.COMMUNE})}))
        declare(Policy("forces.review", PROVINCE_LEVEL,
                       gettext_lazy("Trả lại kết quả đánh giá Tổ bảo vệ an ninh, trật tự của xã")))
        declare(Policy("forces.rules", PROVINCE_LEVEL,
                       gettext_lazy("Quy định quy mô (số thành viên) Tổ bảo vệ an ninh, trật tự của tỉnh")))
        declare(Policy("import.force_teams", REGISTER_EDITORS, gettext_lazy("Nhập Tổ bảo vệ an ninh, trật tự từ tệp"),
                       Scope.ROLE))
        declare(Policy("import.force_ratings", frozenset({Role.ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER}),
                       gettext_lazy("Nhập kết quả đánh giá Tổ bảo vệ an ninh, trật tự từ tệp"), Scope.ROLE))
        audit_models.ACTION_LABELS.update(ACTION_LABELS)
        audit_models.ACTION_GROUPS.update(ACTION_GROUPS)
        register_section("forces", build_forces_section, blocks=forces_blocks,
                         links=forces_links, doc_order=60, order=70)

    def seed(self, stdout: Any) -> None:
        """Called by ``phongtrao setup``: the seeded size rules (idempotent)."""
        from phongtrao.forces.rules import seed_rules

        stdout.write(f"forces: {seed_rules()} size rules created (others kept)")

    def generate(self, context: Any) -> dict[str, int]:
        """Called by ``phongtrao generate``: a team per residential area and a year of ratings."""
        from phongtrao.forces.generate import generate_forces

        return generate_forces(context)

    def demo(self, context: DemoContext) -> None:
        from phongtrao.forces.demo import add_demo_forces

        add_demo_forces(context)
