from __future__ import annotations

from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "phongtrao.attachments"
    verbose_name = "Tệp đính kèm"
