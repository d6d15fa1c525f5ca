from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "phongtrao.accounts"
    verbose_name = "Tài khoản"
