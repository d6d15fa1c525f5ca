"""Numbers in names sort by value ("Tổ dân phố 2" before "Tổ dân phố 10"): recompute the stored
collation keys with ICU's numeric collation (``phongtrao.lib.vntext.sort_key``). Reversible: the
reverse recomputes the keys without it."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from phongtrao.lib.vntext import restamp_sort_keys


def numeric_keys(apps: Any, schema_editor: Any) -> None:
    restamp_sort_keys(apps.get_model("units", "Unit"), numeric=True)


def plain_keys(apps: Any, schema_editor: Any) -> None:
    restamp_sort_keys(apps.get_model("units", "Unit"), numeric=False)


class Migration(migrations.Migration):
    dependencies = [("units", "0003_standard_exclusions_as_data")]

    operations = [migrations.RunPython(numeric_keys, plain_keys, elidable=True)]
