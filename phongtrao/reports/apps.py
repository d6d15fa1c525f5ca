from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "phongtrao.reports"
    verbose_name = "Báo cáo"

    def ready(self) -> None:
        from phongtrao.reports.annual import register_builtin_sections

        register_builtin_sections()
