"""Floor of the ``forces`` section: the teams active on 31 December (started by then, not dissolved by then) in the
subtree, their members by position and those below their size rule (``required_members``, derived by the actions);
the residential areas valid on 31 December with such a team, of all of them; the year's ratings (counts per rating)
and the teams over the quota (``excellent`` above ``QUOTA_PERCENT`` % of ``good``)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

KEY = "forces"
TABLES = {
    "force_team": "SELECT id, unit_id, started_on, dissolved_on, leaders, deputies, members, total_members, "
                  "required_members FROM forces_team",
    "force_rating": "SELECT team_id, year, excellent, good, completed, not_completed, not_rated "
                    "FROM forces_teamrating",
}
CASTS = {
    "force_team": "id, unit_id, started_on::DATE AS started_on, dissolved_on::DATE AS dissolved_on, leaders, "
                  "deputies, members, total_members, required_members",
    "force_rating": "team_id, year, excellent, good, completed, not_completed, not_rated",
}
QUOTA_PERCENT = 20  # settings.FORCES_EXCELLENT_QUOTA_PERCENT's default (the bench runs with the defaults)
RATINGS = ("excellent", "good", "completed", "not_completed", "not_rated")
ALIAS = "u"
SQL = """
WITH u AS (
    SELECT u.unit_id, u.kind, u.valid_from, u.valid_to
    FROM (SELECT id AS unit_id, kind, valid_from, valid_to FROM unit) u {subtree}),
t AS (
    SELECT ft.* FROM force_team ft JOIN u ON u.unit_id = ft.unit_id
    WHERE ft.started_on <= $day AND (ft.dissolved_on IS NULL OR ft.dissolved_on > $day)),
areas AS (
    SELECT unit_id FROM u WHERE kind = 'residential_area'
      AND (valid_from IS NULL OR valid_from <= $day) AND (valid_to IS NULL OR valid_to >= $day)),
r AS (
    SELECT fr.* FROM force_rating fr JOIN force_team ft ON ft.id = fr.team_id JOIN u ON u.unit_id = ft.unit_id
    WHERE fr.year = $year)
SELECT
    (SELECT count(*) FROM t),
    (SELECT coalesce(sum(leaders + deputies + members), 0) FROM t),
    (SELECT coalesce(sum(leaders), 0) FROM t), (SELECT coalesce(sum(deputies), 0) FROM t),
    (SELECT coalesce(sum(members), 0) FROM t),
    (SELECT count(*) FROM t WHERE required_members IS NOT NULL AND total_members < required_members),
    (SELECT count(*) FROM areas),
    (SELECT count(*) FROM areas WHERE unit_id IN (SELECT unit_id FROM t)),
    (SELECT count(*) FROM r),
    (SELECT coalesce(sum(excellent), 0) FROM r), (SELECT coalesce(sum(good), 0) FROM r),
    (SELECT coalesce(sum(completed), 0) FROM r), (SELECT coalesce(sum(not_completed), 0) FROM r),
    (SELECT coalesce(sum(not_rated), 0) FROM r),
    (SELECT count(*) FROM r WHERE excellent * 100 > good * QUOTA_PERCENT)
""".replace("QUOTA_PERCENT", str(QUOTA_PERCENT))


def _percent(part: int, whole: int) -> float:
    if not whole:
        return 0.0
    return float((Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def shape(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    (teams, members, leaders, deputies, plain, below, areas, covered, rated, *counts, over) = (int(v) for v in rows[0])
    return {"teams": teams, "members": members,
            "members_by_position": {"leaders": leaders, "deputies": deputies, "members": plain}, "below_rule": below,
            "residential_areas": {"covered": covered, "total": areas, "percent": _percent(covered, areas)},
            "ratings": {"teams_rated": rated, **dict(zip(RATINGS, counts, strict=True)), "over_quota": over}}


def from_app(section: dict[str, Any]) -> dict[str, Any]:
    ratings = section["ratings"]
    return {k: section[k] for k in ("teams", "members", "members_by_position", "below_rule", "residential_areas")} | {
        "ratings": {"teams_rated": ratings["teams_rated"], **{k: ratings[k] for k in RATINGS},
                    "over_quota": ratings["over_quota"]}}
