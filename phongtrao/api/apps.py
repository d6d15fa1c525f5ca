from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "phongtrao.api"
    verbose_name = "API"
