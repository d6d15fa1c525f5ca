from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "phongtrao.imports"
    verbose_name = "Nhập dữ liệu"
