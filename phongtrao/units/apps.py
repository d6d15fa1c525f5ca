from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "phongtrao.units"
    verbose_name = "Đơn vị"

    def ready(self) -> None:
        from phongtrao.audit import models as audit_models
        from phongtrao.units import importers  # noqa: F401  (registers the "units" import kind)
        from phongtrao.units.templatetags.unit_tags import subtype_label

        audit_models.VALUE_LABELS["units.unit.subtype"] = subtype_label
