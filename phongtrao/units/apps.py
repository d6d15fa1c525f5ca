from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "phongtrao.units"
    verbose_name = "Đơn vị"

    def ready(self) -> None:
        from phongtrao.units import importers  # noqa: F401  (registers the "units" import kind)
