from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "phongtrao.audit"
    verbose_name = "Nhật ký thay đổi"
