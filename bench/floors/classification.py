"""Floor of the ``classification`` section: the year's classifications in the subtree, per kind of scorecard
(residential areas, communes, agencies and enterprises, schools): those classified and how many at each level,
those still in progress, and the units flagged late; the totals over the kinds and each level's share of the classified
(percent, rounded half-up to 2 places)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

KEY = "classification"
TABLES = {
    "classification": "SELECT c.unit_id, c.year, c.status, c.level, c.late, s.kind "
                      "FROM classification_classification c JOIN classification_scorecard s ON s.id = c.scorecard_id",
}
CASTS = {
    "classification": "unit_id, year, status, level, late::INTEGER AS late, kind",
}
KINDS = ("residential_area", "commune", "organisation", "school")
LEVELS = ("excellent", "good", "average", "weak")
ALIAS = "u"
SQL = """
WITH u AS (SELECT u.unit_id FROM (SELECT id AS unit_id FROM unit) u {subtree}),
c AS (SELECT cl.* FROM classification cl JOIN u ON u.unit_id = cl.unit_id WHERE cl.year = $year)
SELECT k.kind,
    (SELECT count(*) FROM c WHERE c.kind = k.kind AND c.status = 'classified'),
    (SELECT count(*) FROM c WHERE c.kind = k.kind AND c.status = 'classified' AND c.level = 'excellent'),
    (SELECT count(*) FROM c WHERE c.kind = k.kind AND c.status = 'classified' AND c.level = 'good'),
    (SELECT count(*) FROM c WHERE c.kind = k.kind AND c.status = 'classified' AND c.level = 'average'),
    (SELECT count(*) FROM c WHERE c.kind = k.kind AND c.status = 'classified' AND c.level = 'weak'),
    (SELECT count(*) FROM c WHERE c.kind = k.kind AND c.status <> 'classified'),
    (SELECT count(*) FROM c WHERE c.kind = k.kind AND c.late <> 0)
FROM (SELECT 'residential_area' AS kind UNION ALL SELECT 'commune' UNION ALL SELECT 'organisation'
      UNION ALL SELECT 'school') k
ORDER BY k.kind
"""


def _percent(part: int, whole: int) -> float:
    if not whole:
        return 0.0
    return float((Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def shape(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    by_kind: dict[str, dict[str, int]] = {}
    for kind, classified, *counts, in_progress, late in rows:
        by_kind[str(kind)] = {"classified": int(classified), **{lv: int(n) for lv, n in zip(LEVELS, counts,
                                                                                              strict=True)},
                              "in_progress": int(in_progress), "late": int(late)}
    totals = {key: sum(row[key] for row in by_kind.values()) for key in ("classified", *LEVELS, "in_progress",
                                                                         "late")}
    return {"classified": totals["classified"], "in_progress": totals["in_progress"], "late": totals["late"],
            "levels": {lv: {"count": totals[lv], "percent": _percent(totals[lv], totals["classified"])}
                       for lv in LEVELS},
            "by_kind": {kind: by_kind[kind] for kind in sorted(by_kind)}}


def from_app(section: dict[str, Any]) -> dict[str, Any]:
    return {"classified": section["classified"], "in_progress": section["in_progress"], "late": section["late"],
            "levels": section["levels"], "by_kind": {kind: section["by_kind"][kind] for kind in sorted(KINDS)}}
