"""Set-based writes for imports, the demo and the generator: rows straight into a table, no model objects.

``insert_rows(model, columns, rows)`` writes plain tuples (values in ``columns``' order, Python values the
driver understands: str, int, bool, None, date, aware datetime, and a JSON column's value already as JSON
text). On PostgreSQL it is one ``COPY ... FROM STDIN`` per call; on SQLite one ``executemany`` of a
prepared ``INSERT``. With ``ids=True`` it gives every row a new primary key first and returns them in the
rows' order (``allocate_ids``), so a caller can write child rows (closure, audit) without reading back.

These bypass ``save()``, signals and field defaults: callers compute every column (derived ones too), as
``bulk_create`` callers do. Run them inside a transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

from django.db import connection, models


def table_and_columns(model: type[models.Model], columns: Sequence[str]) -> tuple[str, list[str]]:
    """The quoted table name and column names of ``model``'s fields (or attnames) ``columns``."""
    quote = connection.ops.quote_name
    opts = model._meta
    names = []
    for name in columns:
        column = _field(model, name).column
        assert column is not None
        names.append(quote(column))
    return quote(opts.db_table), names


def _field(model: type[models.Model], name: str) -> models.Field:
    """The concrete field whose name or attname (``parent_id``) is ``name``."""
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            assert isinstance(field, models.Field)
            return field
    raise LookupError(f"{model._meta.label} has no column {name!r}")


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model``'s table, ascending, never used before.

    PostgreSQL: from the table's sequence (``nextval``; other sessions may take numbers in between, so
    the ids need not be contiguous). SQLite: the writer holds the database's write lock (every
    transaction is immediate, settings), so the next ``count`` numbers after both the largest id and the
    ``AUTOINCREMENT`` counter are this writer's; SQLite moves the counter when they are inserted."""
    if count == 0:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("allocate_ids() must run inside a transaction")
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None and pk.column is not None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [connection.ops.quote_name(table), pk.column, count])
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(pk.column)}) FROM "  # noqa: S608 - names from _meta
                       f"{connection.ops.quote_name(table)}")
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(top, row[0] if row else 0) + 1
        return list(range(start, start + count))


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
                ids: bool = False) -> list[int]:
    """Insert ``rows`` (tuples in ``columns``' order) into ``model``'s table; with ``ids``, the primary
    key is allocated here and prepended to each row, and the new keys are returned in the rows' order."""
    rows = list(rows)
    if not rows:
        return []
    new_ids: list[int] = []
    if ids:
        pk = model._meta.pk
        assert pk is not None
        new_ids = allocate_ids(model, len(rows))
        columns = [pk.attname, *columns]
        rows = [(pk_value, *row) for pk_value, row in zip(new_ids, rows, strict=True)]
    table, names = table_and_columns(model, columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # Django keeps datetimes in SQLite as naive UTC text (``adapt_datetimefield_value``).
            stamps = [i for i, name in enumerate(columns) if isinstance(_field(model, name), models.DateTimeField)]
            if stamps:
                adapted: dict[Any, Any] = {}  # a batch mostly shares one moment: adapt each value once

                def adapt(value: Any) -> Any:
                    if value not in adapted:
                        adapted[value] = connection.ops.adapt_datetimefield_value(value)
                    return adapted[value]

                adapted_rows = []
                for row in rows:
                    values = list(row)
                    for i in stamps:
                        values[i] = adapt(values[i])
                    adapted_rows.append(values)
                rows = adapted_rows
            cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608 - names from _meta
                               f"VALUES ({', '.join(['%s'] * len(names))})", rows)
    return new_ids


def update_rows(model: type[models.Model], columns: Sequence[str], objs: Iterable[models.Model]) -> int:
    """Write the fields ``columns`` of ``objs`` (saved model objects) back to their rows: one prepared
    ``UPDATE ... WHERE pk = %s`` run by ``executemany`` (``bulk_update`` builds a ``CASE WHEN`` per object
    and field, which costs more to compile than the update takes to run). Values are prepared by each
    field (``get_db_prep_save``) as ``save()`` prepares them; auto_now fields are not touched here: the
    caller sets them. Returns the number of objects written."""
    objs = list(objs)
    if not objs:
        return 0
    pk = model._meta.pk
    assert pk is not None and pk.column is not None
    fields = [_field(model, name) for name in columns]
    table, names = table_and_columns(model, columns)
    sets = ", ".join(f"{name} = %s" for name in names)
    rows = [[*(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields), obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets} "  # noqa: S608 - names from _meta
                           f"WHERE {connection.ops.quote_name(pk.column)} = %s", rows)
    return len(objs)


def insert_objects(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """``bulk_create`` for plain rows (history, values) without its SQL compiler: every concrete field's
    value as ``save()`` would write it (``pre_save``: auto_now_add moments, then ``get_prep_value``; JSON as
    text; a foreign key's id, or the id of the saved object it was given), written by ``insert_rows`` (COPY /
    one prepared INSERT) under new primary keys, which are set on the objects. No signals, as ``bulk_create``."""
    if not objs:
        return
    assert not model._meta.parents, "insert_objects() writes one table: no multi-table inheritance"
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    plan: list[tuple[Any, str]] = [
        (f, "fk" if f.many_to_one else "json" if isinstance(f, models.JSONField)
         else "value" if type(f).pre_save is not models.Field.pre_save else "plain") for f in fields]
    rows = []
    for obj in objs:
        row: list[Any] = []
        for f, how in plan:
            if how == "fk":
                value = getattr(obj, f.attname)
                if value is None and f.is_cached(obj) and (related := f.get_cached_value(obj)) is not None:
                    if related.pk is None:  # as bulk_create: an unsaved related object is refused
                        raise ValueError(f"insert_objects(): {f.name} of {model._meta.label} is not saved")
                    value = related.pk
                    setattr(obj, f.attname, value)
                row.append(value)
                continue
            value = getattr(obj, f.attname) if how == "plain" else f.pre_save(obj, True)  # "plain": Field's own
            if how == "json":
                row.append(None if value is None and f.null else json.dumps(value, cls=f.encoder))
                continue
            value = f.get_prep_value(value)
            row.append(value.value if isinstance(value, Enum) else value)  # TextChoices: the stored text
        rows.append(row)
    ids = insert_rows(model, [f.attname for f in fields], rows, ids=True)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
