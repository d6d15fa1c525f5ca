"""PostgreSQL only: one unit per code and kind at any date, enforced by the database.

An exclusion constraint over (code, kind, the inclusive validity range; an empty end is open) with
btree_gist. The actions and the importer check overlaps first and hold the register's lock while
they do, so this is the last line of defence, not the message users see. SQLite has no exclusion
constraints; there every write transaction is immediate, so the checks run one writer at a time.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE units_unit ADD CONSTRAINT unit_code_kind_no_overlap
    EXCLUDE USING gist (code WITH =, kind WITH =, daterange(valid_from, valid_to, '[]') WITH &&);
"""
DROP = "ALTER TABLE units_unit DROP CONSTRAINT IF EXISTS unit_code_kind_no_overlap;"


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
