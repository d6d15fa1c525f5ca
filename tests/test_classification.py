"""Movement classification (QĐ 510/QĐ-BCA-V05): the seeded scorecards (100 points each, basis, note, cut-offs,
deadlines), a province's own version (re-weighted within the total), the cycle (self-scoring capped at the standard
points, submission with a proposed level and the late flag, the review adjusting a criterion with a reason, the
classification), the ``classifications`` importer, the pages and the ``classification`` section of ``report annual``.

The example province T99 is loaded once for the module, inside a transaction rolled back at its end; the expected
figures are counted by hand-written SQL or from the rows the test wrote.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from phongtrao.accounts.actions import do_grant_scope
from phongtrao.accounts.models import Role, ScopeKind, User
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.classification.actions import (
    ActionError,
    BulkYear,
    NewCriterion,
    StaleVersion,
    do_adjust,
    do_adopt_scorecard,
    do_classify,
    do_record_years,
    do_return,
    do_score,
    do_submit,
    scorecard_for,
)
from phongtrao.classification.figures import build_classification_section, classification_blocks
from phongtrao.classification.models import Classification, ClassificationEvent, Level, Scorecard, Status
from phongtrao.classification.rules import total_problem
from phongtrao.lib.importing import ImportResult, run_import
from phongtrao.reports.render.markdown import render_blocks
from phongtrao.units.models import Unit
from tests.conftest import PASSWORD, ensure_official_register, import_example_units

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
YEAR = 2025
DAY = dt.date(YEAR, 12, 31)
HEADER = "unit_code,year,points,level\n"


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, DAY).get()


def make(username: str, role: str, where: Unit) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, unit=where)
    do_grant_scope(SYSTEM, user, where, ScopeKind.CAPTURE)
    return user


def client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def load(text: str, actor: Actor = SYSTEM, *, dry_run: bool = False) -> ImportResult:
    return run_import("classifications", "classifications.csv", text.encode("utf-8"), actor=actor, dry_run=dry_run)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_official_register()
        import_example_units()
        province, commune = unit("T99"), unit("T99001")
        people = {"tinh": make("tinh-class", Role.PROVINCE_OFFICER, province),
                  "xa": make("xa-class", Role.COMMUNE_OFFICER, commune),
                  "other": make("xa-khac-class", Role.COMMUNE_OFFICER, unit("T99002"))}
        yield {"province": province, "commune": commune, **people}
        transaction.set_rollback(True)


def full_points(card: Scorecard, less: int = 0) -> dict[int, int]:
    """Every criterion at its standard points, ``less`` points short (taken from the first criteria on)."""
    points = {}
    for c in card.criteria.order_by("order"):
        cut = min(less, c.points)
        points[c.pk], less = c.points - cut, less - cut
    return points


# --- the scorecards as data ---------------------------------------------------------------------


def test_seeded_scorecards_total_100_with_basis_note_cutoffs_and_deadlines() -> None:
    cards = {c.kind: c for c in Scorecard.objects.filter(province__isnull=True)}
    assert set(cards) == {"residential_area", "commune", "organisation", "school"}
    for card in cards.values():
        total = sum(card.criteria.values_list("points", flat=True))
        assert total == 100, card.code
        assert "510/QĐ-BCA-V05" in card.legal_basis and card.effective_from == dt.date(2022, 1, 1)
        assert "không được công bố" in card.note and "diễn giải" in card.note
        assert card.sections.count() >= 3 and card.criteria.exclude(suggestion="").exists()
        assert (card.excellent_from, card.good_from, card.average_from) == (90, 70, 50)
    assert cards["residential_area"].deadline(2025) == dt.date(2025, 11, 20)
    assert {cards[k].deadline(2025) for k in ("commune", "organisation", "school")} == {dt.date(2025, 11, 30)}
    suggested = set(Scorecard.objects.values_list("criteria__suggestion", flat=True))
    assert {"registered_q1", "recognised", "element_yes", "effective_model", "element_share"} <= suggested


def test_levels_follow_the_cutoffs_of_the_version() -> None:
    card = Scorecard.objects.get(code="qd510-khu-dan-cu")
    assert [card.level_for(p) for p in (100, 90, 89, 70, 69, 50, 49, 0)] == [
        Level.EXCELLENT, Level.EXCELLENT, Level.GOOD, Level.GOOD, Level.AVERAGE, Level.AVERAGE, Level.WEAK,
        Level.WEAK]
    assert total_problem([50, 50]) is None
    assert "99" in (total_problem([50, 49]) or "") and total_problem([100, 0]) is not None


def test_a_province_reweights_and_adds_within_the_total(world: dict[str, Any]) -> None:
    base = Scorecard.objects.get(code="qd510-khu-dan-cu")
    with pytest.raises(ActionError, match="105"):  # re-weighted above the total: refused
        do_adopt_scorecard(Actor(world["tinh"]), world["province"], base, effective_from=dt.date(2030, 1, 1),
                           legal_basis="Hướng dẫn số 1/HD-CAT", points={"ke_hoach": 15})
    with pytest.raises(ActionError):  # a commune officer may not
        do_adopt_scorecard(Actor(world["xa"]), world["province"], base, effective_from=dt.date(2030, 1, 1),
                           legal_basis="Hướng dẫn số 1/HD-CAT", points={"ke_hoach": 5, "so_ket": 5})
    card = do_adopt_scorecard(Actor(world["tinh"]), world["province"], base, effective_from=dt.date(2030, 1, 1),
                              legal_basis="Hướng dẫn số 1/HD-CAT", points={"ke_hoach": 5, "ban_chi_dao": 3},
                              added=[NewCriterion(1, "camera", "Lắp camera an ninh", 7)])
    assert sum(card.criteria.values_list("points", flat=True)) == 100 and card.based_on == base
    assert card.criteria.get(code="camera").points == 7
    area = unit("KDC-T99001-01")
    assert scorecard_for(area, 2030) == card and scorecard_for(area, 2029) == base
    assert scorecard_for(unit("KDC-T99002-01") if Unit.objects.filter(code="KDC-T99002-01").exists()
                         else area, 2025) == base
    assert AuditEntry.objects.filter(action="classification_card.create").count() == 1
    Scorecard.objects.filter(pk=card.pk).update(effective_from=dt.date(2099, 1, 1))  # out of the other tests' way


# --- the cycle ----------------------------------------------------------------------------------


def test_self_scoring_is_capped_and_submitted_with_a_proposed_level_then_reviewed_and_classified(
        world: dict[str, Any]) -> None:
    area = unit("KDC-T99001-01")
    card = scorecard_for(area, YEAR)
    assert card is not None
    xa, tinh = Actor(world["xa"]), Actor(world["tinh"])
    first = card.criteria.order_by("order").first()
    assert first is not None
    with pytest.raises(ActionError, match="điểm chuẩn"):  # above the standard points
        do_score(xa, area, YEAR, {first.pk: first.points + 1}, expected_version=0)
    assert not Classification.objects.filter(unit=area, year=YEAR).exists()
    with pytest.raises(ActionError):  # another commune's officer
        do_score(Actor(world["other"]), area, YEAR, {first.pk: 1}, expected_version=0)
    done = do_score(xa, area, YEAR, {first.pk: first.points}, expected_version=0)
    with pytest.raises(ActionError, match="Chưa chấm"):  # the other criteria not scored yet
        do_submit(xa, area, YEAR, expected_version=done.version)
    done = do_score(xa, area, YEAR, full_points(card, less=5), expected_version=done.version)
    assert done.self_points == 95
    with pytest.raises(StaleVersion):
        do_score(xa, area, YEAR, full_points(card), expected_version=done.version - 1)
    with pytest.raises(ActionError):  # the commune officer does not review
        do_adjust(xa, area, YEAR, first.pk, 1, reason="x", expected_version=done.version)
    done = do_submit(xa, area, YEAR, expected_version=done.version, today=dt.date(YEAR, 11, 19))
    assert done.status == Status.SUBMITTED and done.proposed_level == Level.EXCELLENT and not done.late
    with pytest.raises(ActionError):  # no more self-scoring once sent
        do_score(xa, area, YEAR, full_points(card), expected_version=done.version)
    second = card.criteria.order_by("order")[1]
    with pytest.raises(ActionError, match="lý do"):
        do_adjust(tinh, area, YEAR, second.pk, 0, reason="  ", expected_version=done.version)
    with pytest.raises(ActionError, match="điểm chuẩn"):
        do_adjust(tinh, area, YEAR, second.pk, second.points + 1, reason="quá", expected_version=done.version)
    done = do_adjust(tinh, area, YEAR, second.pk, 0, reason="Chưa có biên bản họp", expected_version=done.version)
    assert done.status == Status.REVIEWED and done.points == 95 - second.points
    done = do_classify(tinh, area, YEAR, expected_version=done.version)
    expected_level = card.level_for(95 - second.points)
    assert done.status == Status.CLASSIFIED and done.level == expected_level and done.points == 95 - second.points
    adjust = ClassificationEvent.objects.get(classification=done, action="adjust")
    assert adjust.reason == "Chưa có biên bản họp" and adjust.details == {
        "criterion": second.code, "from": second.points, "to": 0}
    assert list(ClassificationEvent.objects.filter(classification=done).values_list("action", flat=True)) == [
        "create", "score", "score", "submit", "adjust", "classify"]
    assert AuditEntry.objects.filter(action="classification.adjust", object_id=str(done.pk)).count() == 1


def test_a_late_unit_is_flagged_and_a_return_needs_a_reason(world: dict[str, Any]) -> None:
    commune = world["commune"]
    card = scorecard_for(commune, YEAR)
    assert card is not None and card.kind == "commune"
    xa, tinh = Actor(world["xa"]), Actor(world["tinh"])
    done = do_score(xa, commune, YEAR, full_points(card, less=30), expected_version=0)
    done = do_submit(xa, commune, YEAR, expected_version=done.version, today=dt.date(YEAR, 11, 30))
    assert done.late and done.proposed_level == Level.GOOD
    with pytest.raises(ActionError):
        do_return(tinh, commune, YEAR, reason="", expected_version=done.version)
    done = do_return(tinh, commune, YEAR, reason="Thiếu minh chứng", expected_version=done.version)
    assert done.status == Status.SCORING and done.returned_reason == "Thiếu minh chứng"


# --- the importer -------------------------------------------------------------------------------


def test_import_is_all_or_nothing_with_row_errors_then_unchanged(world: dict[str, Any]) -> None:
    bad = HEADER + ("KDC-T99001-02,2024,92,Xuất sắc\n"
                    "KHONG-CO,2024,80,\n"
                    "KDC-T99001-03,2024,101,\n"
                    "KDC-T99001-04,2024,75,xuat sac\n"
                    "KDC-T99001-05,2024,40,hạng nhất\n")
    result = load(bad)
    assert not result.ok and result.created == 0
    assert {(e.row, e.column) for e in result.errors} == {(3, "unit_code"), (4, "points"), (5, "level"),
                                                          (6, "level")}
    assert not Classification.objects.filter(year=2024).exists()
    good = HEADER + "KDC-T99001-02,2024,92,Xuất sắc\nKDC-T99001-04,2024,75,\nAG-T99001-001,2024,49,yeu\n"
    refused = load(good, Actor(world["xa"]))  # a commune officer may not import
    assert not refused.ok and refused.created == 0 and not Classification.objects.filter(year=2024).exists()
    result = load(good)
    assert result.ok and result.created == 3, [str(e) for e in result.errors]
    levels = dict(Classification.objects.filter(year=2024).values_list("unit__code", "level"))
    assert levels == {"KDC-T99001-02": "excellent", "KDC-T99001-04": "good", "AG-T99001-001": "weak"}
    again = load(good)
    assert again.ok and again.created == 0 and again.unchanged == 3
    changed = load(HEADER + "KDC-T99001-04,2024,55,Trung bình\n")
    assert changed.ok and changed.updated == 1
    assert Classification.objects.get(year=2024, unit__code="KDC-T99001-04").level == "average"


# --- the figures --------------------------------------------------------------------------------


def _sql(query: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _pct(part: int, whole: int) -> float:
    return float((Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) if whole else 0.0


def test_the_section_counts_levels_per_kind_as_sql_does(world: dict[str, Any]) -> None:
    units = [u for u in Unit.objects.in_subtree(world["province"]).valid_on(DAY).order_by("code")
             if u.kind in ("residential_area", "agency", "enterprise", "school", "commune")
             and not Classification.objects.filter(unit=u, year=YEAR).exists()]
    rows = []
    for index, u in enumerate(units[:24]):
        card = scorecard_for(u, YEAR)
        assert card is not None
        points = {c.code: p for c, p in zip(card.criteria.order_by("order"),
                                            full_points(card, 7 * (index % 5)).values(), strict=True)}  # 100 .. 72
        if index % 4 == 3:
            points = {code: p // 2 for code, p in points.items()}  # about 50: Trung bình or Yếu
        rows.append(BulkYear(u, points, submitted_on=dt.date(YEAR, 11, 10 + index % 15),
                             classified_on=dt.date(YEAR, 12, 5) if index % 6 else None))
    do_record_years(SYSTEM, YEAR, rows)
    expected = _sql(
        "SELECT s.kind, c.level, COUNT(*) FROM classification_classification c "
        "JOIN classification_scorecard s ON s.id = c.scorecard_id "
        "JOIN units_unitancestor a ON a.unit_id = c.unit_id "
        "WHERE a.ancestor_id = %s AND c.year = %s AND c.status = 'classified' GROUP BY s.kind, c.level",
        [world["province"].pk, YEAR])
    late = _sql("SELECT COUNT(*) FROM classification_classification c JOIN units_unitancestor a "
                "ON a.unit_id = c.unit_id WHERE a.ancestor_id = %s AND c.year = %s AND c.late", [
                    world["province"].pk, YEAR])[0][0]
    section = build_classification_section(world["province"], YEAR)
    classified = sum(n for _k, _l, n in expected)
    assert classified >= 15 and section["classified"] == classified and section["late"] == late
    for level in ("excellent", "good", "average", "weak"):
        count = sum(n for _k, lv, n in expected if lv == level)
        assert section["levels"][level] == {"count": count, "percent": _pct(count, classified)}
    for kind, level, n in expected:
        assert section["by_kind"][kind][level] == n
    assert {lv for _k, lv, _n in expected} >= {"excellent", "good"}
    text = render_blocks(classification_blocks(world["province"], YEAR, section))
    words = {"excellent": "xuất sắc", "good": "khá", "average": "trung bình", "weak": "yếu"}
    parts = []
    for level, word in words.items():
        count = sum(n for _k, lv, n in expected if lv == level)
        parts.append(f"{count} {word} ({_pct(count, classified):.2f}%)".replace(".", ","))
    assert "Xếp loại phong trào: " + ", ".join(parts) + "." in text


# --- the pages ----------------------------------------------------------------------------------


def test_pages_list_filter_export_and_refuse_out_of_scope(world: dict[str, Any]) -> None:
    xa, tinh = client(world["xa"]), client(world["tinh"])
    page = xa.get(f"/xep-loai-phong-trao/xa/T99001/{YEAR}/")
    assert page.status_code == 200
    names = [line["unit"].code for line in page.context["lines"]]
    assert "T99001" in names and "KDC-T99001-01" in names and "AG-T99001-001" in names
    only_areas = xa.get(f"/xep-loai-phong-trao/xa/T99001/{YEAR}/?kind=residential_area&sort=-points")
    assert {line["unit"].kind for line in only_areas.context["lines"]} == {"residential_area"}
    excel = xa.get(f"/xep-loai-phong-trao/xa/T99001/{YEAR}/xuat-excel/")
    assert excel.status_code == 200 and excel["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xa.get(f"/xep-loai-phong-trao/xa/T99002/{YEAR}/").status_code == 404
    assert xa.get(f"/xep-loai-phong-trao/tong-hop/T99/{YEAR}/").status_code == 404
    overview = tinh.get(f"/xep-loai-phong-trao/tong-hop/T99/{YEAR}/?level=excellent")
    assert overview.status_code == 200
    section = build_classification_section(world["province"], YEAR)
    assert overview.context["totals"]["excellent"] == section["levels"]["excellent"]["count"]
    assert overview.context["page"].paginator.count == section["levels"]["excellent"]["count"]
    assert tinh.get(f"/xep-loai-phong-trao/tong-hop/T99/{YEAR}/xuat-excel/").status_code == 200
    unit_page = xa.get(f"/xep-loai-phong-trao/don-vi/KDC-T99001-05/{YEAR}/")
    assert unit_page.status_code == 200 and unit_page.context["editable"]
    assert any(row["hint"] for row in unit_page.context["rows"])  # the suggestions are shown
    refused = client(world["other"]).post(f"/xep-loai-phong-trao/don-vi/KDC-T99001-05/{YEAR}/",
                                          {"action": "score", "version": "0"})
    assert refused.status_code == 404
    assert xa.post(f"/xep-loai-phong-trao/don-vi/KDC-T99001-05/{YEAR}/",
                   {"action": "classify", "version": "0"}).status_code == 403
    assert xa.post(f"/xep-loai-phong-trao/don-vi/KDC-T99001-05/{YEAR}/", {"action": "bogus"}).status_code == 400
    assert xa.get("/xep-loai-phong-trao/bang-diem/").status_code == 200
    assert xa.get("/xep-loai-phong-trao/").status_code == 302
    assert io.BytesIO(excel.content).read(2) == b"PK"


def test_the_bench_floor_agrees_with_the_app(world: dict[str, Any]) -> None:
    """bench/floors/classification.py's SQL over the same rows (copied to an in-memory SQLite) gives the section."""
    import sqlite3
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.floors import classification as floor

    rows: list[BulkYear] = []  # a year for some of the commune's units: classified, still submitted, late
    for index, u in enumerate(Unit.objects.in_subtree(world["commune"]).valid_on(DAY).order_by("code")[:8]):
        card = scorecard_for(u, YEAR)
        if card is None or Classification.objects.filter(unit=u, year=YEAR).exists():
            continue
        points = {c.code: p for c, p in zip(card.criteria.order_by("order"),
                                            full_points(card, 9 * index).values(), strict=True)}
        rows.append(BulkYear(u, points, submitted_on=dt.date(YEAR, 11, 15 + index),
                             classified_on=dt.date(YEAR, 12, 5) if index % 3 else None))
    assert rows
    do_record_years(SYSTEM, YEAR, rows)
    memory = sqlite3.connect(":memory:")
    copies = {"unit": ("SELECT id FROM units_unit", "id"),
              "unit_ancestor": ("SELECT unit_id, ancestor_id FROM units_unitancestor", "unit_id, ancestor_id"),
              **{name: (query, "unit_id, year, status, level, late, kind") for name, query in floor.TABLES.items()}}
    for name, (query, columns) in copies.items():
        rows = _sql(query, [])
        memory.execute(f"CREATE TABLE {name} ({columns})")
        marks = ", ".join("?" * len(columns.split(",")))
        memory.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)  # noqa: S608 (our names)
    for root, subtree in ((world["province"], f"JOIN unit_ancestor a ON a.unit_id = {floor.ALIAS}.unit_id "
                                              "AND a.ancestor_id = $root"),
                          (world["commune"], f"JOIN unit_ancestor a ON a.unit_id = {floor.ALIAS}.unit_id "
                                             "AND a.ancestor_id = $root")):
        rows = memory.execute(floor.SQL.format(subtree=subtree), {"year": YEAR, "root": root.pk}).fetchall()
        assert floor.shape(rows) == floor.from_app(build_classification_section(root, YEAR))
        assert floor.shape(rows)["classified"] + floor.shape(rows)["in_progress"] > 0
