"""Numbers in names sort by value ("Mô hình 2" before "Mô hình 10"): recompute the stored collation
keys of the catalogues and the models with ICU's numeric collation. Reversible (see units.0002)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from phongtrao.lib.vntext import restamp_sort_keys

MODELS = ("Field", "Initiator", "Model")


def numeric_keys(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        restamp_sort_keys(apps.get_model("models_registry", name), numeric=True)


def plain_keys(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        restamp_sort_keys(apps.get_model("models_registry", name), numeric=False)


class Migration(migrations.Migration):
    dependencies = [("models_registry", "0003_events_append_only_trigger")]

    operations = [migrations.RunPython(numeric_keys, plain_keys, elidable=True)]
