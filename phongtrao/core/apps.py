from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "phongtrao.core"
    verbose_name = "Chung"
