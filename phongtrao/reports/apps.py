from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "phongtrao.reports"
    verbose_name = "Báo cáo"
