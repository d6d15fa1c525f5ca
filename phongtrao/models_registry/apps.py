from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy, gettext_noop

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext
    from phongtrao.core.management.commands.generate import GenerateContext

ACTION_LABELS = {
    "model.create": gettext_noop("Thêm mô hình"),
    "model.update": gettext_noop("Sửa mô hình"),
    "model.approve": gettext_noop("Phê duyệt mô hình"),
    "model.operate": gettext_noop("Đưa mô hình vào hoạt động"),
    "model.retire": gettext_noop("Thanh loại mô hình"),
    "model.designate_leading": gettext_noop("Công nhận điển hình tiên tiến"),
    "model.revoke_leading": gettext_noop("Thu hồi công nhận điển hình tiên tiến"),
    "model.evaluate": gettext_noop("Đánh giá mô hình"),
    "model.import": gettext_noop("Nhập mô hình từ tệp"),
    "model_site.create": gettext_noop("Nhân rộng mô hình (thêm điểm)"),
    "model_site.retire": gettext_noop("Thanh loại điểm mô hình"),
    "model_site.import": gettext_noop("Nhập điểm mô hình từ tệp"),
    "field.create": gettext_noop("Thêm lĩnh vực"),
    "field.rename": gettext_noop("Đổi tên lĩnh vực"),
    "initiator.create": gettext_noop("Thêm cấp/cơ quan phát động"),
    "initiator.rename": gettext_noop("Đổi tên cấp/cơ quan phát động"),
}
ACTION_GROUPS = {
    "model.": gettext_noop("Mô hình"),
    "model_site.": gettext_noop("Điểm mô hình"),
    "field.": gettext_noop("Lĩnh vực mô hình"),
    "initiator.": gettext_noop("Cấp/cơ quan phát động mô hình"),
}


class ModelsRegistryConfig(AppConfig):
    name = "phongtrao.models_registry"
    label = "models_registry"
    verbose_name = "Mô hình, điển hình tiên tiến"

    def ready(self) -> None:
        from phongtrao.accounts.policies import REGISTER_EDITORS, Policy, Scope, declare
        from phongtrao.audit import models as audit
        from phongtrao.models_registry import importers  # noqa: F401  (registers "models" and "model_sites")

        declare(Policy("import.models", REGISTER_EDITORS, gettext_lazy("Nhập mô hình từ tệp"), Scope.ROLE))
        declare(Policy("import.model_sites", REGISTER_EDITORS, gettext_lazy("Nhập điểm mô hình từ tệp"), Scope.ROLE))
        from phongtrao.models_registry.figures import build_models_section, models_blocks, models_links
        from phongtrao.reports.annual import register_section

        audit.ACTION_LABELS.update(ACTION_LABELS)
        audit.ACTION_GROUPS.update(ACTION_GROUPS)
        register_section("models", build_models_section, blocks=models_blocks,
                         links=models_links, doc_order=50, order=20)
        from phongtrao.lib.indicators import register_figure

        for key, label in (("models", gettext_noop("Số mô hình")), ("sites", gettext_noop("Địa bàn có mô hình")),
                           ("teams", gettext_noop("Tổ, đội của mô hình"))):
            register_figure(f"models.{key}", label, _models_figure(key), app="models_registry",
                            many=_models_figure_many(key))

    def seed(self, stdout: Any) -> None:
        """Called by ``phongtrao setup``: the national initiators and common fields (idempotent)."""
        from phongtrao.models_registry.catalogue import seed_catalogues

        initiators, fields = seed_catalogues()
        stdout.write(f"models catalogues: {initiators} initiators, {fields} fields created")

    def demo(self, context: DemoContext) -> None:
        from phongtrao.models_registry.demo import add_demo_models

        add_demo_models(context)

    def generate(self, context: GenerateContext) -> dict[str, int]:
        from phongtrao.models_registry.generate import generate_models

        return generate_models(context)


def _models_figure_many(key: str) -> Any:
    """The same count for many units at once (one query grouped by unit)."""
    from phongtrao.models_registry.figures import models_figures_many

    def figure(units: Any, period: Any) -> dict[int, int]:
        return {pk: counts[key] for pk, counts in models_figures_many(units, period.end.year).items()}

    return figure


def _models_figure(key: str) -> Any:
    """A count of the ``models`` section (models, sites, teams) for the year of the period's end."""
    from phongtrao.models_registry.figures import build_models_section

    def figure(unit: Any, period: Any, boundaries: str = "recorded") -> Any:
        section: dict[str, Any] = dict(build_models_section(unit, period.end.year, boundaries))
        return section[key]

    return figure
