"""PostgreSQL only: the database refuses UPDATE and DELETE on audit_auditentry
(see phongtrao/audit/history.py)."""

from __future__ import annotations

from django.db import migrations

from phongtrao.audit.history import APPEND_ONLY_FUNCTION, DROP_FUNCTION, append_only_trigger, run_on_postgresql

CREATE, DROP = append_only_trigger("audit_auditentry", ("user_id", "unit_id"))


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(run_on_postgresql(APPEND_ONLY_FUNCTION), run_on_postgresql(DROP_FUNCTION)),
        migrations.RunPython(run_on_postgresql(CREATE), run_on_postgresql(DROP)),
    ]
