"""Append-only history rows (a workflow's transitions): saved once, never changed or deleted.

    class RecognitionEvent(WorkflowEvent): ...   # phongtrao.lib.workflow

The base's ``AppendOnly`` mixin guards ``save()`` of an existing row and ``delete()`` in the ORM. On PostgreSQL a row
trigger (``append_only_trigger``, installed by each app's migration for its history table and by
the audit app's for ``AuditEntry``) refuses UPDATE and DELETE from any client, raw SQL included.
Two things still pass: an UPDATE that only empties the named nullable foreign keys (removing a user
keeps their rows, without the person), and TRUNCATE (the test suite's flush). The one maintenance
path that deletes history rows, the synthetic-data wipe of ``phongtrao generate``, runs inside
``history_maintenance()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

# The trigger function, created by the audit app's migration (CREATE OR REPLACE: safe to repeat).
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION phongtrao_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    col text;
BEGIN
    IF current_setting('phongtrao.history_maintenance', true) = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        FOR i IN 0 .. TG_NARGS - 1 LOOP
            col := TG_ARGV[i];
            IF new_row -> col = 'null'::jsonb THEN
                old_row := old_row - col;
                new_row := new_row - col;
            END IF;
        END LOOP;
        IF old_row = new_row THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'phongtrao: rows of % are append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
"""
DROP_FUNCTION = "DROP FUNCTION IF EXISTS phongtrao_append_only();"


def append_only_trigger(table: str, nullable_keys: tuple[str, ...] = ()) -> tuple[str, str]:
    """(create, drop) SQL for the trigger on ``table``; ``nullable_keys`` may be set to NULL (ON DELETE SET NULL)."""
    args = ", ".join(f"'{key}'" for key in nullable_keys)
    name = f"{table}_append_only"
    create = (f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
              f"FOR EACH ROW EXECUTE FUNCTION phongtrao_append_only({args});")
    return create, f"DROP TRIGGER IF EXISTS {name} ON {table};"


def run_on_postgresql(sql: str) -> Any:
    """A migration operation's function that runs ``sql`` on PostgreSQL and does nothing elsewhere."""

    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no parameters: the function's "%" stay as written

    return run


@contextmanager
def history_maintenance() -> Iterator[None]:
    """Let the block delete history and audit rows on PostgreSQL: only for wiping synthetic data
    (``phongtrao generate``); never in a named action. The block runs in its own transaction (or savepoint)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL phongtrao.history_maintenance = 'on'")
        yield
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL phongtrao.history_maintenance = 'off'")
