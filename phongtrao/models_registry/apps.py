from __future__ import annotations

from django.apps import AppConfig


class ModelsRegistryConfig(AppConfig):
    name = "phongtrao.models_registry"
    label = "models_registry"
    verbose_name = "Mô hình, điển hình tiên tiến"
