"""Floor of the ``budget`` section: the year's lines (estimate, allocated) and spending entries (amount, count, those
over a cap) in the subtree, by category and by source and in all; the entries tied to a model, the models they
supported and the average per model (rounded half up to the đồng); the crime-prevention fund of the provinces in the
subtree: the year's income and spending, the balance at the year's end (everything up to it) and the provinces whose
balance is below zero."""

from __future__ import annotations

from typing import Any

KEY = "budget"
TABLES = {
    "budget_line": "SELECT l.unit_id, l.year, c.code AS category, s.code AS source, l.estimate, l.allocated "
                   "FROM budget_budgetline l JOIN budget_category c ON c.id = l.category_id "
                   "JOIN budget_source s ON s.id = l.source_id",
    "budget_spending": "SELECT e.unit_id, e.year, c.code AS category, s.code AS source, e.amount, e.model_id, "
                       "e.over_cap FROM budget_spending e JOIN budget_category c ON c.id = e.category_id "
                       "JOIN budget_source s ON s.id = e.source_id",
    "budget_fund": "SELECT province_id AS unit_id, year, flow, amount FROM budget_fundentry",
}
CASTS = {
    "budget_line": "unit_id, year, category, source, estimate::BIGINT AS estimate, allocated::BIGINT AS allocated",
    "budget_spending": "unit_id, year, category, source, amount::BIGINT AS amount, model_id, "
                       "over_cap::INTEGER AS over_cap",
    "budget_fund": "unit_id, year, flow, amount::BIGINT AS amount",
}
ALIAS = "u"
SQL = """
WITH u AS (SELECT u.unit_id FROM (SELECT id AS unit_id FROM unit) u {subtree}),
l AS (SELECT bl.* FROM budget_line bl JOIN u ON u.unit_id = bl.unit_id WHERE bl.year = $year),
s AS (SELECT bs.* FROM budget_spending bs JOIN u ON u.unit_id = bs.unit_id WHERE bs.year = $year),
f AS (SELECT bf.* FROM budget_fund bf JOIN u ON u.unit_id = bf.unit_id WHERE bf.year <= $year),
lc AS (SELECT category AS code, sum(estimate) AS estimate, sum(allocated) AS allocated FROM l GROUP BY category),
sc AS (SELECT category AS code, sum(amount) AS spent, count(*) AS entries FROM s GROUP BY category),
ls AS (SELECT source AS code, sum(estimate) AS estimate, sum(allocated) AS allocated FROM l GROUP BY source),
ss AS (SELECT source AS code, sum(amount) AS spent, count(*) AS entries FROM s GROUP BY source),
balances AS (SELECT unit_id, sum(CASE WHEN flow = 'income' THEN amount ELSE -amount END) AS balance
             FROM f GROUP BY unit_id)
SELECT 'category' AS dim, k.code, coalesce(lc.estimate, 0), coalesce(lc.allocated, 0), coalesce(sc.spent, 0),
       coalesce(sc.entries, 0), 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM (SELECT code FROM lc UNION SELECT code FROM sc) k LEFT JOIN lc ON lc.code = k.code LEFT JOIN sc ON sc.code = k.code
UNION ALL
SELECT 'source', k.code, coalesce(ls.estimate, 0), coalesce(ls.allocated, 0), coalesce(ss.spent, 0),
       coalesce(ss.entries, 0), 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM (SELECT code FROM ls UNION SELECT code FROM ss) k LEFT JOIN ls ON ls.code = k.code LEFT JOIN ss ON ss.code = k.code
UNION ALL
SELECT 'total', '',
    (SELECT coalesce(sum(estimate), 0) FROM l), (SELECT coalesce(sum(allocated), 0) FROM l),
    (SELECT coalesce(sum(amount), 0) FROM s), (SELECT count(*) FROM s),
    (SELECT count(*) FROM s WHERE over_cap <> 0), (SELECT coalesce(sum(amount), 0) FROM s WHERE over_cap <> 0),
    (SELECT coalesce(sum(amount), 0) FROM s WHERE model_id IS NOT NULL),
    (SELECT count(DISTINCT model_id) FROM s WHERE model_id IS NOT NULL),
    (SELECT coalesce(sum(amount), 0) FROM f WHERE year = $year AND flow = 'income'),
    (SELECT coalesce(sum(amount), 0) FROM f WHERE year = $year AND flow = 'spending'),
    (SELECT coalesce(sum(balance), 0) FROM balances), (SELECT count(*) FROM balances),
    (SELECT count(*) FROM balances WHERE balance < 0)
"""


def shape(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    out: dict[str, Any] = {"category": {}, "source": {}}
    for dim, code, estimate, allocated, spent, entries, *rest in rows:
        if dim != "total":
            out[dim][code] = (int(estimate), int(allocated), int(spent), int(entries))
            continue
        over, over_amount, model_spent, models, income, spending, balance, provinces, negative = (int(v) for v in rest)
        out |= {"estimate": int(estimate), "allocated": int(allocated), "spent": int(spent), "entries": int(entries),
                "over_cap": {"entries": over, "amount": over_amount},
                "per_model": {"models": models, "spent": model_spent,
                              "average": (2 * model_spent + models) // (2 * models) if models else 0},
                "fund": {"income": income, "spending": spending, "balance": balance, "provinces": provinces,
                         "negative_provinces": negative}}
    return out


def from_app(section: dict[str, Any]) -> dict[str, Any]:
    def dim(rows: dict[str, dict[str, Any]]) -> dict[str, tuple[int, ...]]:
        return {code: (r["estimate"], r["allocated"], r["spent"], r["entries"]) for code, r in rows.items()}

    fund = section["fund"]
    return {"category": dim(section["by_category"]), "source": dim(section["by_source"]),
            **{k: section[k] for k in ("estimate", "allocated", "spent", "entries", "over_cap", "per_model")},
            "fund": {k: fund[k] for k in ("income", "spending", "balance", "provinces", "negative_provinces")}}
