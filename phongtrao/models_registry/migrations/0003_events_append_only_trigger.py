"""PostgreSQL only: the database refuses UPDATE and DELETE on models_registry_modelevent
(see phongtrao/audit/history.py)."""

from __future__ import annotations

from django.db import migrations

from phongtrao.audit.history import append_only_trigger, run_on_postgresql

CREATE, DROP = append_only_trigger("models_registry_modelevent", ("user_id",))


class Migration(migrations.Migration):
    dependencies = [("models_registry", "0002_seed_catalogues"), ("audit", "0002_append_only_trigger")]

    operations = [
        migrations.RunPython(run_on_postgresql(CREATE), run_on_postgresql(DROP)),
    ]
