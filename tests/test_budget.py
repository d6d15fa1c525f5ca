"""The movement's money (TT 40/2023/TT-BTC) and the crime-prevention fund: the seeded catalogues and caps with their
basis, estimates and allocations with their versions, spending entries over a cap refused without an override
reason and saved with one, the fund's balance, the ``budget_lines`` / ``spending`` importers, the pages and the
``budget`` section of ``report annual``.

The example province T99 is loaded once for the module, inside a transaction rolled back at its end; expected
figures are summed by hand-written SQL or from the amounts the test wrote, never read back from the section.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from phongtrao.accounts.actions import do_grant_scope
from phongtrao.accounts.models import Role, ScopeKind, User
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.budget.actions import (
    ActionError,
    CapExceeded,
    FundData,
    LineData,
    NegativeBalance,
    SpendingData,
    StaleVersion,
    do_delete_spending,
    do_record_fund,
    do_record_spending,
    do_record_spendings,
    do_save_line,
    do_update_spending,
)
from phongtrao.budget.figures import budget_blocks, build_budget_section
from phongtrao.budget.models import Cap, Category, FundEntry, Source, Spending
from phongtrao.lib.importing import ImportResult, run_import
from phongtrao.models_registry.actions import do_create_model
from phongtrao.models_registry.models import Field, Initiator, Model
from phongtrao.reports.render.markdown import render_blocks
from phongtrao.units.models import Unit
from tests.conftest import PASSWORD, ensure_official_register, import_example_units

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
YEAR = 2025
DAY = dt.date(YEAR, 12, 31)


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, DAY).get()


def cat(code: str) -> Category:
    return Category.objects.get(code=code)


def src(code: str) -> Source:
    return Source.objects.get(code=code)


def make(username: str, role: str, where: Unit) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, unit=where)
    do_grant_scope(SYSTEM, user, where, ScopeKind.CAPTURE)
    return user


def client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def load(kind: str, text: str, actor: Actor = SYSTEM) -> ImportResult:
    return run_import(kind, f"{kind}.csv", text.encode("utf-8"), actor=actor)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """T99 with two models of commune T99001, a few lines and entries, three people."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_official_register()
        import_example_units()
        province, commune, other = unit("T99"), unit("T99001"), unit("T99002")
        field, initiator = Field.objects.get(code="giao_thong", province__isnull=True), Initiator.objects.get(
            code="cap_xa")
        models = [do_create_model(SYSTEM, code=f"BUDGET-MH-{i}", name=f"Mô hình kinh phí {i}", field=field,
                                  initiator=initiator, unit=commune, started_on=dt.date(2024, 1, 1))
                  for i in range(3)]
        people = {"tinh": make("tinh-budget", Role.PROVINCE_OFFICER, province),
                  "xa": make("xa-budget", Role.COMMUNE_OFFICER, commune),
                  "other": make("xa-khac-budget", Role.COMMUNE_OFFICER, other)}
        yield {"province": province, "commune": commune, "commune2": other, "models": models, **people}
        transaction.set_rollback(True)


def sql_one(query: str, params: list[Any]) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def spend(amount: int, *, model: Model | None = None, category: str = "models", day: dt.date = dt.date(YEAR, 5, 1),
          km: int | None = None, visits: int | None = None, purpose: str = "Hỗ trợ mô hình") -> SpendingData:
    return SpendingData(spent_on=day, category=cat(category), source=src("nsx"), amount=amount, purpose=purpose,
                        model=model, km=km, visits=visits)


# --- catalogues and caps ----------------------------------------------------------------------------


def test_seeded_catalogues_and_caps_carry_their_basis(world: dict[str, Any]) -> None:
    assert Category.objects.count() >= 11 and Source.objects.count() >= 5
    assert all("40/2023/TT-BTC" in c.legal_basis for c in Category.objects.all())
    model_cap = Cap.objects.get(code="mo_hinh_20tr")
    assert (model_cap.amount, model_cap.measure, model_cap.category.code) == (20_000_000, "per_model_year", "models")
    assert Cap.objects.get(code="xang_xe_12k").amount == 12_000
    for cap in Cap.objects.all():
        assert "40/2023/TT-BTC" in cap.legal_basis and cap.uncertain and cap.effective_from == dt.date(2023, 8, 1)


def test_a_line_is_saved_and_a_stale_version_refused(world: dict[str, Any]) -> None:
    xa, commune = Actor(world["xa"]), world["commune"]
    data = LineData(year=YEAR, category=cat("propaganda"), source=src("nsx"), estimate=50_000_000, allocated=40_000_000)
    line = do_save_line(xa, commune, data, expected_version=0)
    assert line.version == 1
    with pytest.raises(StaleVersion):  # a second form opened on an empty line
        do_save_line(xa, commune, data, expected_version=0)
    data.allocated = 45_000_000
    line = do_save_line(xa, commune, data, expected_version=1)
    assert (line.version, line.allocated) == (2, 45_000_000)
    with pytest.raises(StaleVersion):
        do_save_line(xa, commune, data, expected_version=1)
    with pytest.raises(ActionError):  # another commune's officer
        do_save_line(Actor(world["other"]), commune, data, expected_version=None)
    with pytest.raises(ActionError):  # negative amounts
        do_save_line(xa, commune, LineData(YEAR, cat("training"), src("nsx"), estimate=-1), expected_version=0)
    assert AuditEntry.objects.filter(action="budget_line.save", object_id=str(line.pk)).count() == 2


def test_an_entry_over_the_model_cap_is_refused_without_a_reason_and_saved_with_one(world: dict[str, Any]) -> None:
    xa, commune, model = Actor(world["xa"]), world["commune"], world["models"][0]
    first = do_record_spending(xa, commune, spend(15_000_000, model=model))
    assert not first.over_cap
    with pytest.raises(CapExceeded) as refused:  # 15M + 6M = 21M > 20M for this model this year
        do_record_spending(xa, commune, spend(6_000_000, model=model))
    text = str(refused.value)
    assert "21.000.000" in text and "20.000.000" in text and "40/2023/TT-BTC" in text
    assert not Spending.objects.filter(unit=commune, model=model, amount=6_000_000).exists()
    saved = do_record_spending(xa, commune, spend(6_000_000, model=model), override_reason="Mô hình mở rộng")
    assert saved.over_cap and saved.cap is not None and saved.cap.code == "mo_hinh_20tr"
    assert (saved.cap_limit, saved.cap_counted, saved.override_reason) == (20_000_000, 21_000_000, "Mô hình mở rộng")
    # another year, another model: each has its own 20M
    assert not do_record_spending(xa, commune, spend(20_000_000, model=model, day=dt.date(2026, 1, 5))).over_cap
    assert not do_record_spending(xa, commune, spend(20_000_000, model=world["models"][1])).over_cap
    page = client(world["xa"]).get("/kinh-phi/vuot-muc/")
    assert page.status_code == 200 and "Mô hình mở rộng" in page.content.decode()


def test_the_km_and_visit_caps(world: dict[str, Any]) -> None:
    xa, commune = Actor(world["xa"]), world["commune"]
    assert not do_record_spending(xa, commune, spend(1_200_000, category="propaganda", km=100)).over_cap
    with pytest.raises(CapExceeded):  # 100 km at most 1,200,000
        do_record_spending(xa, commune, spend(1_200_001, category="propaganda", km=100))
    assert not do_record_spending(xa, commune, spend(5_000_000, category="propaganda")).over_cap  # not fuel
    with pytest.raises(CapExceeded):  # a commune visits a person: at most 1,000,000 a visit
        do_record_spending(xa, commune, spend(1_500_000, category="visits", visits=1))
    model = world["models"][2]
    do_record_spending(xa, commune, spend(2_000_000, category="visits", visits=1, model=model))
    do_record_spending(xa, commune, spend(2_000_000, category="visits", visits=1, model=model))
    with pytest.raises(CapExceeded) as third:  # a third visit of the same model in the year
        do_record_spending(xa, commune, spend(1_000_000, category="visits", visits=1, model=model))
    assert "lượt" in str(third.value)


def test_an_update_rechecks_the_cap_and_refuses_a_stale_version(world: dict[str, Any]) -> None:
    xa, commune = Actor(world["xa"]), world["commune"]
    entry = do_record_spending(xa, commune, spend(3_000_000, category="training", purpose="Tập huấn"))
    changed = do_update_spending(xa, entry.pk, spend(3_500_000, category="training", purpose="Tập huấn"),
                                 expected_version=1)
    assert changed.version == 2
    with pytest.raises(StaleVersion):
        do_update_spending(xa, entry.pk, spend(1, category="training", purpose="x"), expected_version=1)
    with pytest.raises(StaleVersion):
        do_delete_spending(xa, entry.pk, expected_version=1)
    do_delete_spending(xa, entry.pk, expected_version=2)
    assert not Spending.objects.filter(pk=entry.pk).exists()
    assert AuditEntry.objects.filter(action="spending.delete", object_id=str(entry.pk)).exists()


def test_bulk_entries_count_the_earlier_rows_against_the_cap(world: dict[str, Any]) -> None:
    commune = world["commune"]
    field, initiator = Field.objects.get(code="giao_thong", province__isnull=True), Initiator.objects.get(
        code="cap_xa")
    model = do_create_model(SYSTEM, code="BUDGET-BULK", name="Mô hình nhập hàng loạt", field=field,
                            initiator=initiator, unit=commune)
    rows = [(commune, spend(12_000_000, model=model), ""), (commune, spend(9_000_000, model=model), "")]
    with pytest.raises(ActionError) as refused:
        do_record_spendings(SYSTEM, rows)
    assert list(refused.value.errors) == ["1"]
    rows[1] = (commune, spend(9_000_000, model=model), "Đã được UBND xã đồng ý")
    made = do_record_spendings(SYSTEM, rows)
    assert [e.over_cap for e in made] == [False, True]


def test_the_fund_balance_cannot_go_negative_without_a_reason(world: dict[str, Any]) -> None:
    tinh, province = Actor(world["tinh"]), world["province"]
    do_record_fund(tinh, province, FundData(YEAR, 1, "income", "auction", 100_000_000))
    do_record_fund(tinh, province, FundData(YEAR, 2, "spending", "reward_collective", 60_000_000))
    with pytest.raises(NegativeBalance) as refused:
        do_record_fund(tinh, province, FundData(YEAR, 3, "spending", "support", 50_000_000))
    assert "40.000.000" in str(refused.value)
    entry = do_record_fund(tinh, province, FundData(YEAR, 3, "spending", "support", 50_000_000),
                           negative_reason="Tạm ứng chờ nguồn thu quý IV")
    assert entry.negative_reason
    with pytest.raises(ActionError):  # a commune officer does not keep the province's fund
        do_record_fund(Actor(world["xa"]), province, FundData(YEAR, 4, "income", "donation", 1))
    with pytest.raises(ActionError):  # an income purpose on a spending
        do_record_fund(tinh, province, FundData(YEAR, 4, "spending", "donation", 1))
    fund = build_budget_section(province, YEAR)["fund"]
    income, spent = sql_one("SELECT COALESCE(SUM(CASE WHEN flow = 'income' THEN amount END), 0), "
                            "COALESCE(SUM(CASE WHEN flow = 'spending' THEN amount END), 0) FROM budget_fundentry "
                            "WHERE province_id = %s AND year <= %s", [province.pk, YEAR])
    assert fund["balance"] == income - spent == -10_000_000
    assert fund["negative_provinces"] == 1 and fund["spending_by_purpose"]["support"] == 50_000_000
    assert "Cảnh báo" in render_blocks(budget_blocks(province, YEAR, build_budget_section(province, YEAR)))
    FundEntry.objects.filter(province=province).delete()


def write_year(world: dict[str, Any]) -> None:
    """Lines of the province and two communes; entries for two models (one over the cap, with a reason), fuel, a
    training, and entries of another year that the year's figures leave out."""
    xa, tinh = Actor(world["xa"]), Actor(world["tinh"])
    commune, other, province = world["commune"], world["commune2"], world["province"]
    do_save_line(xa, commune, LineData(YEAR, cat("models"), src("nsx"), 60_000_000, 50_000_000), expected_version=0)
    do_save_line(xa, commune, LineData(YEAR, cat("propaganda"), src("nst"), 10_000_000, 8_000_000),
                 expected_version=0)
    do_save_line(tinh, other, LineData(YEAR, cat("training"), src("nsx"), 7_000_000, 7_000_000), expected_version=0)
    do_save_line(tinh, province, LineData(YEAR, cat("festival"), src("nst"), 90_000_000, 80_000_000),
                 expected_version=0)
    do_save_line(tinh, province, LineData(YEAR - 1, cat("festival"), src("nst"), 5, 5), expected_version=0)
    m0, m1 = world["models"][0], world["models"][1]
    do_record_spending(xa, commune, spend(18_000_000, model=m0))
    do_record_spending(xa, commune, spend(4_000_000, model=m0), override_reason="Sửa chữa sau bão")
    do_record_spending(xa, commune, spend(7_000_001, model=m1))
    do_record_spending(xa, commune, spend(600_000, category="propaganda", km=50))
    do_record_spending(tinh, other, spend(3_000_000, category="training"))
    do_record_spending(tinh, province, spend(75_000_000, category="festival"))
    do_record_spending(xa, commune, spend(9_999, model=m1, day=dt.date(YEAR - 1, 6, 1)))


def test_the_section_figures_equal_sums_computed_independently(world: dict[str, Any]) -> None:
    province = world["province"]
    write_year(world)
    section = build_budget_section(province, YEAR)
    estimate, allocated = sql_one(
        "SELECT COALESCE(SUM(l.estimate), 0), COALESCE(SUM(l.allocated), 0) FROM budget_budgetline l "
        "JOIN units_unitancestor a ON a.unit_id = l.unit_id WHERE a.ancestor_id = %s AND l.year = %s",
        [province.pk, YEAR])
    spent, entries, over = sql_one(
        "SELECT COALESCE(SUM(s.amount), 0), COUNT(*), COALESCE(SUM(CASE WHEN s.over_cap THEN 1 ELSE 0 END), 0) "
        "FROM budget_spending s JOIN units_unitancestor a ON a.unit_id = s.unit_id "
        "WHERE a.ancestor_id = %s AND s.year = %s", [province.pk, YEAR])
    model_spent, models = sql_one(
        "SELECT COALESCE(SUM(s.amount), 0), COUNT(DISTINCT s.model_id) FROM budget_spending s "
        "JOIN units_unitancestor a ON a.unit_id = s.unit_id WHERE a.ancestor_id = %s AND s.year = %s "
        "AND s.model_id IS NOT NULL", [province.pk, YEAR])
    # the amounts written above, added up by hand
    assert (estimate, allocated) == (167_000_000, 145_000_000)
    assert (spent, entries, over) == (107_600_001, 6, 1)
    assert (model_spent, models) == (29_000_001, 2)
    assert (section["estimate"], section["allocated"], section["spent"]) == (estimate, allocated, spent)
    assert (section["entries"], section["over_cap"]["entries"]) == (entries, over)
    assert section["per_model"] == {"models": models, "spent": model_spent,
                                    "average": 14_500_001}  # 29,000,001 / 2 rounded half up
    models_spent = sql_one("SELECT COALESCE(SUM(s.amount), 0) FROM budget_spending s JOIN budget_category c "
                           "ON c.id = s.category_id WHERE c.code = 'models' AND s.year = %s AND s.unit_id IN "
                           "(SELECT unit_id FROM units_unitancestor WHERE ancestor_id = %s)", [YEAR, province.pk])[0]
    assert section["by_category"]["models"]["spent"] == models_spent
    assert sum(r["spent"] for r in section["by_source"].values()) == spent
    text = render_blocks(budget_blocks(province, YEAR, section))
    assert "Kinh phí bình quân trên mỗi mô hình" in text


def test_report_annual_has_the_budget_section_in_json_and_md(world: dict[str, Any]) -> None:
    write_year(world)
    out = io.StringIO()
    call_command("report", "annual", "--unit", "T99", "--year", str(YEAR), "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert list(data)[-2:] == ["budget", "plans"]  # order 80, after forces (70); plans (90) follow
    assert data["budget"]["spent"] == 107_600_001 and data["budget"]["per_model"]["average"] == 14_500_001
    out = io.StringIO()
    call_command("report", "annual", "--unit", "T99", "--year", str(YEAR), "--format", "md", stdout=out)
    assert "## Kinh phí phong trào" in out.getvalue()


# --- pages ----------------------------------------------------------------------------------------


def test_the_unit_page_refuses_an_over_cap_entry_without_a_reason_and_saves_it_with_one(
        world: dict[str, Any]) -> None:
    xa, commune, model = client(world["xa"]), world["commune"], world["models"][0]
    url = f"/kinh-phi/don-vi/{commune.pk}/{YEAR}/"
    assert xa.get(url).status_code == 200
    line = {"form": "line", "line-category": cat("models").pk, "line-source": src("nsx").pk,
            "line-estimate": "40000000", "line-allocated": "30000000", "line-version": "0"}
    assert xa.post(url, line).status_code == 302
    entry = {"form": "spending", "spend-spent_on": f"10/03/{YEAR}", "spend-category": cat("models").pk,
             "spend-source": src("nsx").pk, "spend-amount": "25000000", "spend-purpose": "Mua camera cho mô hình",
             "spend-model": model.pk}
    refused = xa.post(url, entry)
    assert refused.status_code == 200 and "Lý do chi vượt mức" in refused.content.decode()
    assert "25.000.000" in refused.content.decode() and not Spending.objects.filter(unit=commune).exists()
    saved = xa.post(url, entry | {"spend-override_reason": "Theo Nghị quyết HĐND xã"})
    assert saved.status_code == 302
    assert Spending.objects.get(unit=commune).over_cap
    page = xa.get(url).content.decode()
    assert "30.000.000" in page and "25.000.000" in page  # allocated, spent
    listed = xa.get("/kinh-phi/vuot-muc/").content.decode()
    assert "Theo Nghị quyết HĐND xã" in listed
    # another commune's officer sees the page only where it is in view, and may not write
    other = client(world["other"])
    assert other.get(url).status_code == 404
    lines = xa.get("/kinh-phi/", {"year": YEAR, "category": cat("models").pk})
    assert lines.status_code == 200 and lines.context["totals"]["total"]["allocated"] == 30_000_000
    assert lines.context["totals"]["total"]["spent"] == 25_000_000
    for path in ("/kinh-phi/xuat-excel/", "/kinh-phi/khoan-chi/xuat-excel/"):
        response = xa.get(path, {"year": YEAR})
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    for path in ("/kinh-phi/khoan-chi/", "/kinh-phi/muc-chi/"):
        assert xa.get(path, {"q": "camera", "sort": "-amount", "year": "x", "page": "9"}).status_code == 200


def test_the_fund_page_warns_and_asks_a_reason_below_zero(world: dict[str, Any]) -> None:
    tinh, province = client(world["tinh"]), world["province"]
    url = f"/kinh-phi/quy/{province.pk}/{YEAR}/"
    assert tinh.post(url, {"quarter": "1", "flow": "income", "purpose": "donation", "amount": "1000000"}).status_code \
        == 302
    refused = tinh.post(url, {"quarter": "2", "flow": "spending", "purpose": "support", "amount": "3000000"})
    assert refused.status_code == 200 and FundEntry.objects.filter(province=province).count() == 1
    assert tinh.post(url, {"quarter": "2", "flow": "spending", "purpose": "support", "amount": "3000000",
                           "negative_reason": "Khen thưởng đột xuất"}).status_code == 302
    page = tinh.get(url)
    assert page.context["closing"] == -2_000_000 and "negative-balance" in page.content.decode()
    assert client(world["xa"]).post(url, {"quarter": "3", "flow": "income", "purpose": "donation",
                                          "amount": "5"}).status_code == 404  # the province is out of their view


# --- importers ------------------------------------------------------------------------------------

LINES_HEADER = "unit_code,year,category,source,estimate,allocated,note\n"
SPENDING_HEADER = "unit_code,spent_on,category,source,amount,purpose,model_code,km,visits,override_reason\n"


def test_the_budget_lines_import_creates_replaces_and_refuses_whole(world: dict[str, Any]) -> None:
    good = LINES_HEADER + f"T99001,{YEAR},models,nsx,30000000,20000000,\nT99,{YEAR},festival,nst,5000000,5000000,\n"
    result = load("budget_lines", good, Actor(world["tinh"]))
    assert result.ok and result.created == 2, [str(e) for e in result.errors]
    again = load("budget_lines", good, Actor(world["tinh"]))
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = load("budget_lines", LINES_HEADER + f"T99001,{YEAR},models,nsx,30000000,25000000,\n",
                   Actor(world["tinh"]))
    assert changed.ok and changed.updated == 1
    bad = load("budget_lines", LINES_HEADER + f"T99001,{YEAR},models,nsx,1,1,\nT99001,{YEAR},khong_co,nsx,1,1,\n"
               f"T99002,{YEAR},models,nsx,-5,1,\n", Actor(world["tinh"]))
    assert not bad.ok and {e.row for e in bad.errors} == {3, 4}
    assert sql_one("SELECT allocated FROM budget_budgetline l JOIN budget_category c ON c.id = l.category_id "
                   "WHERE l.unit_id = %s AND l.year = %s AND c.code = 'models'",
                   [world["commune"].pk, YEAR])[0] == 25_000_000  # the refused file wrote nothing
    # a commune officer: the other commune reads like an unknown code
    outside = load("budget_lines", LINES_HEADER + f"T99002,{YEAR},models,nsx,1,1,\n", Actor(world["xa"]))
    assert not outside.ok


def test_the_spending_import_checks_the_caps_row_by_row(world: dict[str, Any]) -> None:
    model = world["models"][0]
    rows = (f"T99001,15/03/{YEAR},models,nsx,12000000,Sơn tường,{model.code},,,\n"
            f"T99001,16/03/{YEAR},models,nsx,9000000,Mua biển báo,{model.code},,,\n")
    refused = load("spending", SPENDING_HEADER + rows, Actor(world["xa"]))
    assert not refused.ok and {e.row for e in refused.errors} == {3}
    assert "20.000.000" in str(refused.errors[0]) and not Spending.objects.filter(unit=world["commune"]).exists()
    rows = rows.replace("Mua biển báo,BUDGET-MH-0,,,", "Mua biển báo,BUDGET-MH-0,,,Bổ sung theo kế hoạch")
    saved = load("spending", SPENDING_HEADER + rows, Actor(world["xa"]))
    assert saved.ok and saved.created == 2, [str(e) for e in saved.errors]
    assert Spending.objects.filter(unit=world["commune"], over_cap=True).count() == 1
    again = load("spending", SPENDING_HEADER + rows, Actor(world["xa"]))
    assert again.ok and (again.created, again.unchanged) == (0, 2)
    unknown = load("spending", SPENDING_HEADER + f"T99001,1/4/{YEAR},models,nsx,1,x,KHONG-CO,,,\n",
                   Actor(world["xa"]))
    assert not unknown.ok and unknown.errors[0].column == "model_code"
    assert AuditEntry.objects.filter(action="spending.import").count() == 2


def test_the_bench_floor_agrees_with_the_app(world: dict[str, Any]) -> None:
    """bench/floors/budget.py's SQL over the same rows (copied to an in-memory SQLite) gives the section."""
    import sqlite3
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.floors import budget as floor

    write_year(world)
    do_record_fund(Actor(world["tinh"]), world["province"], FundData(YEAR - 1, 4, "income", "auction", 9_000_000))
    do_record_fund(Actor(world["tinh"]), world["province"], FundData(YEAR, 1, "spending", "support", 4_000_000))
    memory = sqlite3.connect(":memory:")
    copies = {"unit": ("SELECT id FROM units_unit", "id"),
              "unit_ancestor": ("SELECT unit_id, ancestor_id FROM units_unitancestor", "unit_id, ancestor_id"),
              "budget_line": (floor.TABLES["budget_line"], "unit_id, year, category, source, estimate, allocated"),
              "budget_spending": (floor.TABLES["budget_spending"],
                                  "unit_id, year, category, source, amount, model_id, over_cap"),
              "budget_fund": (floor.TABLES["budget_fund"], "unit_id, year, flow, amount")}
    for name, (query, columns) in copies.items():
        with connection.cursor() as cursor:
            cursor.execute(query)
            rows = cursor.fetchall()
        memory.execute(f"CREATE TABLE {name} ({columns})")
        marks = ", ".join("?" * len(columns.split(",")))
        plain = [tuple(int(v) if isinstance(v, bool) else v for v in row) for row in rows]
        memory.executemany(f"INSERT INTO {name} VALUES ({marks})", plain)  # noqa: S608 (our names)
    for root in (world["province"], world["commune"]):
        subtree = f"JOIN unit_ancestor a ON a.unit_id = {floor.ALIAS}.unit_id AND a.ancestor_id = $root"
        rows = memory.execute(floor.SQL.replace("{subtree}", subtree), {"year": YEAR, "root": root.pk}).fetchall()
        assert floor.shape(rows) == floor.from_app(build_budget_section(root, YEAR))
    assert floor.shape(rows)["spent"] > 0


# --- correcting and removing an entry on a page ------------------------------------------------------


def edit_post(entry: Spending, amount: int, *, version: int, model: Model | None = None, reason: str = "",
              purpose: str = "Tập huấn tổ tự quản") -> dict[str, Any]:
    return {"spend-spent_on": entry.spent_on.strftime("%d/%m/%Y"), "spend-category": entry.category_id,
            "spend-source": entry.source_id, "spend-amount": str(amount), "spend-purpose": purpose,
            "spend-model": model.pk if model else "", "spend-override_reason": reason, "spend-version": str(version)}


def audit_rows(action: str, entry_pk: int) -> int:
    return AuditEntry.objects.filter(action=action, object_id=str(entry_pk)).count()


def test_the_edit_page_is_pre_filled_saves_a_correction_and_writes_one_audit_row(world: dict[str, Any]) -> None:
    xa, commune = client(world["xa"]), world["commune"]
    entry = do_record_spending(Actor(world["xa"]), commune, spend(3_000_000, category="training",
                                                                 purpose="Tập huấn tổ tự quản"))
    url = f"/kinh-phi/khoan-chi/{entry.pk}/sua/"
    page = xa.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="3000000"' in body and "Tập huấn tổ tự quản" in body
    assert 'name="spend-version" value="1"' in body and f"05/{YEAR}" in body
    # both lists link the correction and the removal for the commune's officer
    for listing in (f"/kinh-phi/don-vi/{commune.pk}/{YEAR}/", "/kinh-phi/khoan-chi/"):
        shown = xa.get(listing).content.decode()
        assert url in shown and f"/kinh-phi/khoan-chi/{entry.pk}/xoa/" in shown
    saved = xa.post(url, edit_post(entry, 3_500_000, version=1, purpose="Tập huấn tổ tự quản (sửa)"))
    assert saved.status_code == 302 and saved["Location"] == f"/kinh-phi/don-vi/{commune.pk}/{YEAR}/"
    entry.refresh_from_db()
    assert (entry.amount, entry.purpose, entry.version) == (3_500_000, "Tập huấn tổ tự quản (sửa)", 2)
    assert audit_rows("spending.update", entry.pk) == 1
    # an invalid form writes nothing and answers the page again
    assert xa.post(url, {"spend-amount": "x"}).status_code == 200
    entry.refresh_from_db()
    assert entry.version == 2 and audit_rows("spending.update", entry.pk) == 1


def test_an_over_cap_edit_is_refused_without_a_reason_and_saved_with_one(world: dict[str, Any]) -> None:
    xa, commune, model = client(world["xa"]), world["commune"], world["models"][1]
    entry = do_record_spending(Actor(world["xa"]), commune, spend(10_000_000, model=model))
    url = f"/kinh-phi/khoan-chi/{entry.pk}/sua/"
    # the per-model cap is 20,000,000 a year: 25,000,000 is over it
    refused = xa.post(url, edit_post(entry, 25_000_000, version=1, model=model))
    assert refused.status_code == 200 and refused.context["needs_reason"]
    assert "Lý do chi vượt mức" in refused.content.decode() and 'value="25000000"' in refused.content.decode()
    entry.refresh_from_db()
    assert (entry.amount, entry.version, entry.over_cap) == (10_000_000, 1, False)
    assert audit_rows("spending.update", entry.pk) == 0
    saved = xa.post(url, edit_post(entry, 25_000_000, version=1, model=model, reason="Theo Nghị quyết HĐND xã"))
    assert saved.status_code == 302
    entry.refresh_from_db()
    assert (entry.amount, entry.over_cap, entry.override_reason) == (25_000_000, True, "Theo Nghị quyết HĐND xã")
    assert audit_rows("spending.update", entry.pk) == 1


def test_a_stale_edit_or_removal_is_refused_and_loses_nothing(world: dict[str, Any]) -> None:
    xa, commune = client(world["xa"]), world["commune"]
    entry = do_record_spending(Actor(world["xa"]), commune, spend(2_000_000, category="training"))
    url = f"/kinh-phi/khoan-chi/{entry.pk}/sua/"
    assert 'name="spend-version" value="1"' in xa.get(url).content.decode()
    # someone else corrects it after the page was opened
    do_update_spending(Actor(world["tinh"]), entry.pk, spend(2_200_000, category="training", purpose="Của tỉnh"),
                       expected_version=1)
    stale = xa.post(url, edit_post(entry, 2_500_000, version=1, purpose="Của xã"))
    body = stale.content.decode()
    assert stale.status_code == 200 and "vừa được người khác sửa" in body
    assert 'value="2500000"' in body and "Của xã" in body  # the typed values stay on the form
    entry.refresh_from_db()
    assert (entry.amount, entry.purpose, entry.version) == (2_200_000, "Của tỉnh", 2)
    removed = xa.post(f"/kinh-phi/khoan-chi/{entry.pk}/xoa/", {"version": "1"})
    assert removed.status_code == 200 and "vừa được người khác sửa" in removed.content.decode()
    assert Spending.objects.filter(pk=entry.pk).exists() and audit_rows("spending.delete", entry.pk) == 0


def test_the_delete_page_asks_for_confirmation_then_removes(world: dict[str, Any]) -> None:
    xa, commune = client(world["xa"]), world["commune"]
    entry = do_record_spending(Actor(world["xa"]), commune, spend(1_234_000, category="training",
                                                                 purpose="Nhập nhầm"))
    url = f"/kinh-phi/khoan-chi/{entry.pk}/xoa/"
    page = xa.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "Nhập nhầm" in body and "1.234.000" in body
    assert 'name="version" value="1"' in body and 'method="post"' in body
    assert Spending.objects.filter(pk=entry.pk).exists()
    # a POST without the confirmation's version removes nothing
    assert xa.post(url, {}).status_code == 200 and Spending.objects.filter(pk=entry.pk).exists()
    done = xa.post(url, {"version": "1"})
    assert done.status_code == 302 and done["Location"] == f"/kinh-phi/don-vi/{commune.pk}/{YEAR}/"
    assert not Spending.objects.filter(pk=entry.pk).exists()
    assert audit_rows("spending.delete", entry.pk) == 1
    assert xa.get(url).status_code == 404


def test_the_entry_pages_are_404_out_of_view_and_403_without_the_right_to_write(world: dict[str, Any]) -> None:
    commune = world["commune"]
    entry = do_record_spending(Actor(world["xa"]), commune, spend(1_000_000, category="training"))
    other = client(world["other"])
    viewer = client(make("xem-budget", Role.VIEWER, commune))
    for path in (f"/kinh-phi/khoan-chi/{entry.pk}/sua/", f"/kinh-phi/khoan-chi/{entry.pk}/xoa/"):
        assert other.get(path).status_code == 404
        assert other.post(path, {"version": "1"}).status_code == 404
        assert viewer.get(path).status_code == 403
        assert viewer.post(path, {"version": "1"}).status_code == 403
    for path in ("/kinh-phi/khoan-chi/999999999/sua/", "/kinh-phi/khoan-chi/999999999/xoa/"):
        assert client(world["xa"]).get(path).status_code == 404
    assert Spending.objects.get(pk=entry.pk).version == 1
    # the viewer's lists show no correction links
    for listing in (f"/kinh-phi/don-vi/{commune.pk}/{YEAR}/", "/kinh-phi/khoan-chi/"):
        shown = viewer.get(listing)
        assert shown.status_code == 200 and f"/kinh-phi/khoan-chi/{entry.pk}/sua/" not in shown.content.decode()
