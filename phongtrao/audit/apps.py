from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "phongtrao.audit"
    verbose_name = "Nhật ký thay đổi"

    def ready(self) -> None:
        from phongtrao.audit.actions import record, record_many
        from phongtrao.lib import workflow

        workflow.set_audit(record, record_many)  # lib imports nothing from the apps; the recorder is given
