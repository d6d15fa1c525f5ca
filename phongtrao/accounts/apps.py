from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "phongtrao.accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        from phongtrao.accounts.access import can_import
        from phongtrao.lib import importing

        importing.set_permission_check(can_import)  # lib imports nothing from the apps; the check is given
