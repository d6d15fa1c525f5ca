"""Reading history: which unit of today each recorded unit belongs to, and the two ways to read the past.

**Attribution.** Every recorded unit is attributed to exactly one *current* unit (valid on the day, with
every ancestor valid too), by following its ``Succession`` links through any number of changes:

1. a current unit is attributed to itself;
2. otherwise, if it has successors effective on or before the day, it goes with its *primary* successor:
   the link of the largest weight (no weight counts as 1: a whole merge), ties broken by the lowest
   successor code, then the lowest id;
3. otherwise (a village never carried over, a commune merged away before a reform) it goes with its
   parent, so through its nearest ancestor that has a successor or is current.

Each unit has exactly one next step, so each recorded unit lands under exactly one unit of today: a unit
split between several new ones counts once, under its primary successor, and no total is counted twice.

The attribution is computed when asked (a recursive query), never stored, so a succession written by any
door (the reform's carry-over, a merge, an import) is seen by the next figure and nothing can be stale.
``in_subtree(root, day, boundaries)`` is the scope filter every annual figure uses: on ``recorded``
boundaries the closure-table join of the year's own structure (as before), on ``today``'s the units
attributed into ``root``'s subtree of today, walked backwards from ``root``'s current units (one semi-join;
its cost is that of the units it finds).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy

from phongtrao.units.models import Kind, Succession, Unit, UnitAncestor

if TYPE_CHECKING:
    from collections.abc import Iterable

RECORDED = "recorded"
TODAY = "today"
BOUNDARIES = (RECORDED, TODAY)
BOUNDARY_LABELS = {
    RECORDED: gettext_lazy("Theo địa giới tại thời điểm ghi nhận"),
    TODAY: gettext_lazy("Theo địa giới hiện nay"),
}
# Shown under every figure or trend read on today's boundaries.
TODAY_NOTE = gettext_lazy("Số liệu các năm trước 2025 tính theo địa giới hiện nay.")


def parse_boundaries(value: Any) -> str:
    """``"today"`` or ``"recorded"`` (anything else, missing or malformed, reads as recorded)."""
    return TODAY if isinstance(value, str) and value.strip().lower() == TODAY else RECORDED


def boundaries_of(request: Any) -> str:
    """The report pages' switch: ``?boundaries=today`` (anything else: recorded)."""
    return parse_boundaries(request.GET.get("boundaries"))


def lookup_year(year: int, boundaries: str) -> int:
    """The year whose 31 December a page looks its unit code up on: the report's own year on recorded
    boundaries, this year on today's (the code then names a unit of today)."""
    return timezone.localdate().year if boundaries == TODAY else year


def _tables() -> tuple[str, str, str]:
    quote = connection.ops.quote_name
    return quote(Unit._meta.db_table), quote(UnitAncestor._meta.db_table), quote(Succession._meta.db_table)


def _valid(alias: str) -> str:
    return (f"({alias}.valid_from IS NULL OR {alias}.valid_from <= %s) "
            f"AND ({alias}.valid_to IS NULL OR {alias}.valid_to >= %s)")


def attribution_sql(root_id: int, day: dt.date) -> tuple[str, list[Any]]:
    """``SELECT id, today_id``: every recorded unit attributed into ``root_id``'s subtree on ``day``, with the
    current unit it is attributed to. A recursive walk backwards from the root's current units along the
    one next step of each non-current unit (module docstring)."""
    u, ua, s = _tables()
    # "x is not current": x or one of its ancestors is not valid on the day (the closure holds x itself).
    not_current = (f"EXISTS (SELECT 1 FROM {ua} nca JOIN {u} ncp ON ncp.id = nca.ancestor_id "  # noqa: S608
                   f"WHERE nca.unit_id = {{x}} AND NOT ({_valid('ncp')}))")
    better = (f"SELECT 1 FROM {s} s2 JOIN {u} n2 ON n2.id = s2.successor_id "  # noqa: S608 - from _meta
              "WHERE s2.predecessor_id = s.predecessor_id AND s2.effective_on <= %s "
              "AND (COALESCE(s2.weight, 1) > COALESCE(s.weight, 1) "
              "OR (COALESCE(s2.weight, 1) = COALESCE(s.weight, 1) "
              "AND (n2.code < n.code OR (n2.code = n.code AND s2.successor_id < s.successor_id))))")
    base = (f"SELECT a.unit_id, a.unit_id FROM {ua} a WHERE a.ancestor_id = %s "  # noqa: S608 - from _meta
            f"AND NOT {not_current.format(x='a.unit_id')}")
    # The two kinds of step into ``t``: predecessors whose primary successor it is, and children with no
    # successor of their own. Each is an index probe from ``t`` (on the successor, on the parent).
    by_succession = (f"FROM {s} s JOIN {u} n ON n.id = s.successor_id WHERE s.successor_id = t.id "
                     f"AND s.effective_on <= %s AND NOT EXISTS ({better})")
    by_parent = (f"FROM {u} c WHERE c.parent_id = t.id "  # noqa: S608 - from _meta
                 f"AND NOT EXISTS (SELECT 1 FROM {s} s3 WHERE s3.predecessor_id = c.id AND s3.effective_on <= %s)")
    params: list[Any] = [root_id, day, day]
    if connection.vendor == "postgresql":  # a single recursive term: both steps in a LATERAL union
        step = ("SELECT st.src, t.today_id FROM lineage_att t CROSS JOIN LATERAL ("  # noqa: S608
                f"SELECT s.predecessor_id AS src {by_succession} UNION ALL SELECT c.id AS src {by_parent}) st "
                f"WHERE {not_current.format(x='st.src')}")
        params += [day, day, day, day, day]
    else:  # SQLite (3.34+): one recursive SELECT per step, each joining ``t``
        step = (f"SELECT s.predecessor_id, t.today_id FROM lineage_att t, {by_succession[5:]} "  # noqa: S608
                f"AND {not_current.format(x='s.predecessor_id')} "
                f"UNION SELECT c.id, t.today_id FROM lineage_att t, {by_parent[5:]} "
                f"AND {not_current.format(x='c.id')}")
        params += [day, day, day, day, day, day, day]
    sql = f"WITH RECURSIVE lineage_att (id, today_id) AS ({base} UNION {step}) SELECT id, today_id FROM lineage_att"  # noqa: S608
    return sql, params


def today(day: dt.date | None = None) -> dt.date:
    return day or timezone.localdate()


def in_subtree(root: Unit, day: dt.date | None = None, boundaries: str = RECORDED, *, prefix: str = "") -> Q:
    """The units counted for ``root``, as a filter on a unit foreign key (``prefix``: ``"unit__"``,
    ``"team__unit__"``, ``""`` on ``Unit`` itself).

    ``recorded``: ``root``'s subtree in the closure table (the structure the records were made in);
    ``today``: the units attributed on ``day`` (default: today) into ``root``'s subtree, ``root`` being a
    unit of today. The national root holds every unit either way: no filter at all.
    """
    if root.kind == Kind.COUNTRY:
        return Q()
    if boundaries != TODAY:
        return Q(**{f"{prefix}ancestor_links__ancestor_id": root.pk})
    sql, params = attribution_sql(root.pk, today(day))
    return Q(**{f"{prefix}pk__in": RawSQL(f"SELECT id FROM ({sql}) lineage_ids", params)})  # noqa: S608, S611


def attributed(root: Unit, day: dt.date | None = None) -> dict[int, int]:
    """{recorded unit id: today's unit id} for everything attributed into ``root``'s subtree (one query)."""
    sql, params = attribution_sql(root.pk, today(day))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def is_current(unit: Unit, day: dt.date | None = None) -> bool:
    """Valid on ``day`` with every ancestor valid too (one query)."""
    day = today(day)
    valid = Q(valid_from__isnull=True) | Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    return not Unit.objects.filter(descendant_links__unit=unit).exclude(*valid).exists()


def primary_successor(links: Iterable[Succession]) -> Succession | None:
    """The link a split unit counts under: largest weight (none = 1), then lowest successor code, then id."""
    ranked = sorted(links, key=lambda s: (-(s.weight if s.weight is not None else 1), s.successor.code,
                                          s.successor_id))
    return ranked[0] if ranked else None


def today_unit(unit: Unit, day: dt.date | None = None) -> Unit:
    """The current unit ``unit`` is attributed to (the module's rule, step by step; a few queries)."""
    day = today(day)
    seen: set[int] = set()
    current = unit
    while current.pk not in seen:
        seen.add(current.pk)
        if is_current(current, day):
            return current
        links = list(current.successor_links.filter(effective_on__lte=day).select_related("successor"))
        step = primary_successor(links)
        if step is not None:
            current = step.successor
        elif current.parent_id is not None:
            current = Unit.objects.get(pk=current.parent_id)
        else:
            break
    return Unit.objects.get(kind=Kind.COUNTRY, parent__isnull=True) if unit.kind != Kind.COUNTRY else unit


@dataclass(frozen=True)
class Link:
    """One succession in a unit's lineage, for the history view."""

    predecessor: Unit
    successor: Unit
    effective_on: dt.date
    kind: str
    weight: Any
    primary: bool


def lineage(unit: Unit, *, depth: int = 6) -> list[Link]:
    """The successions around ``unit``: its predecessors and successors, and theirs, up to ``depth`` steps
    each way (one query per step and direction; a unit's history is short)."""
    found: dict[int, Succession] = {}
    for direction in ("back", "forward"):
        frontier = {unit.pk}
        for _ in range(depth):
            if not frontier:
                break
            field = "successor_id__in" if direction == "back" else "predecessor_id__in"
            rows = [s for s in Succession.objects.filter(**{field: frontier})
                    .select_related("predecessor", "successor") if s.pk not in found]
            for s in rows:
                found[s.pk] = s
            frontier = {s.predecessor_id if direction == "back" else s.successor_id for s in rows}
    by_predecessor: dict[int, list[Succession]] = {}
    for s in found.values():
        by_predecessor.setdefault(s.predecessor_id, []).append(s)
    primary = {p.pk for links in by_predecessor.values() if (p := primary_successor(links)) is not None}
    return sorted((Link(s.predecessor, s.successor, s.effective_on, s.kind, s.weight, s.pk in primary)
                   for s in found.values()), key=lambda k: (k.effective_on, k.predecessor.code, k.successor.code))


def predecessors_subtree_sql(roots_sql: str, roots_params: Iterable[Any]) -> tuple[str, list[Any]]:
    """``SELECT unit_id``: the subtrees of every unit that preceded (through ``Succession``, any number of
    changes, any weight) a unit under the roots ``roots_sql`` selects: the old communes, districts and
    provinces that became a unit of today, and what was under them. For reading history (``accounts.access``):
    a walk backwards from the roots' subtrees by index probes on the successor, then the closure table."""
    _, ua, s = _tables()
    sql = (
        "WITH RECURSIVE lineage_pred (id, step) AS ("  # noqa: S608 - table names from _meta
        f"SELECT a.unit_id, 0 FROM {ua} a WHERE a.ancestor_id IN ({roots_sql}) "
        f"UNION SELECT s.predecessor_id, t.step + 1 FROM lineage_pred t JOIN {s} s ON s.successor_id = t.id "
        f"WHERE t.step < {MAX_STEPS}"
        f") SELECT a2.unit_id FROM {ua} a2 JOIN lineage_pred p ON a2.ancestor_id = p.id WHERE p.step > 0"
    )
    return sql, list(roots_params)


MAX_STEPS = 12  # more changes than any unit has had: a guard against a cycle of successions


@dataclass(frozen=True)
class GraphNode:
    unit: Unit
    x: int
    y: int
    current: bool  # the page's unit


@dataclass(frozen=True)
class GraphEdge:
    x1: int
    y1: int
    x2: int
    y2: int
    primary: bool
    title: str


@dataclass(frozen=True)
class Graph:
    """A unit's lineage laid out for an inline SVG (server-side: no script, CSP-clean): one column per step
    back or forward from the unit, oldest on the left."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    width: int
    height: int
    today: Unit | None


NODE_W, NODE_H, COL_GAP, ROW_GAP, MAX_PER_COLUMN = 190, 34, 60, 12, 12


def lineage_graph(unit: Unit, visible: Any) -> Graph | None:
    """The lineage of ``unit`` among the units the user may see (``visible``: a QuerySet), or None without any
    succession. Each unit's column is its number of steps from ``unit`` (predecessors left, successors right)."""
    links = lineage(unit)
    if not links:
        return None
    seen = set(visible.filter(pk__in={k.predecessor.pk for k in links} | {k.successor.pk for k in links})
               .values_list("pk", flat=True)) | {unit.pk}
    links = [k for k in links if k.predecessor.pk in seen and k.successor.pk in seen]
    level: dict[int, int] = {unit.pk: 0}
    units: dict[int, Unit] = {unit.pk: unit}
    changed = True
    while changed:  # a short fixpoint over a handful of links
        changed = False
        for k in links:
            p, s = k.predecessor, k.successor
            if s.pk in level and p.pk not in level:
                level[p.pk], units[p.pk], changed = level[s.pk] - 1, p, True
            elif p.pk in level and s.pk not in level:
                level[s.pk], units[s.pk], changed = level[p.pk] + 1, s, True
    columns: dict[int, list[Unit]] = {}
    for pk, lv in sorted(level.items(), key=lambda item: (item[1], units[item[0]].sort_key, units[item[0]].code)):
        if len(columns.setdefault(lv, [])) < MAX_PER_COLUMN:
            columns[lv].append(units[pk])
    first = min(columns)
    rows = max(len(c) for c in columns.values())
    height = rows * (NODE_H + ROW_GAP)
    where: dict[int, tuple[int, int]] = {}
    nodes = []
    for lv, column in columns.items():
        x = (lv - first) * (NODE_W + COL_GAP)
        top = (height - len(column) * (NODE_H + ROW_GAP)) // 2
        for i, u in enumerate(column):
            y = top + i * (NODE_H + ROW_GAP)
            where[u.pk] = (x, y)
            nodes.append(GraphNode(u, x, y, u.pk == unit.pk))
    edges = [GraphEdge(where[k.predecessor.pk][0] + NODE_W, where[k.predecessor.pk][1] + NODE_H // 2,
                       where[k.successor.pk][0], where[k.successor.pk][1] + NODE_H // 2, k.primary,
                       f"{k.predecessor.name} → {k.successor.name} ({k.effective_on:%d/%m/%Y})")
             for k in links if k.predecessor.pk in where and k.successor.pk in where]
    found = today_unit(unit)
    shown = found.pk != unit.pk and visible.filter(pk=found.pk).exists()
    return Graph(nodes, edges, len(columns) * (NODE_W + COL_GAP) - COL_GAP, height, found if shown else None)
