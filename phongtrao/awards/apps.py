from __future__ import annotations

from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "phongtrao.awards"
    verbose_name = "Thi đua, khen thưởng"
