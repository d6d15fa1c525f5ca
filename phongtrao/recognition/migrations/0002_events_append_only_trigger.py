"""PostgreSQL only: the database refuses UPDATE and DELETE on recognition_recognitionevent
(see phongtrao/audit/history.py)."""

from __future__ import annotations

from django.db import migrations

from phongtrao.audit.history import append_only_trigger, run_on_postgresql

CREATE, DROP = append_only_trigger("recognition_recognitionevent", ("user_id",))


class Migration(migrations.Migration):
    dependencies = [("recognition", "0001_initial"), ("audit", "0002_append_only_trigger")]

    operations = [
        migrations.RunPython(run_on_postgresql(CREATE), run_on_postgresql(DROP)),
    ]
