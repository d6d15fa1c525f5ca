"""Figures over data values equal a hand-written SQL sum over the entered values; the ``activities`` section of
``report annual``; validation rules over a subtree."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from phongtrao.audit.actions import Actor
from phongtrao.datasets.actions import ValueInput, do_save_values
from phongtrao.datasets.expressions import ExpressionError, Ref, evaluate, parse
from phongtrao.datasets.figures import build_activities_section, element_figures
from phongtrao.datasets.models import DataElement, DataSet, OptionCombo
from phongtrao.datasets.validation import run_validation
from phongtrao.lib.periods import Period
from phongtrao.units.models import Unit

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
YEAR = 2025
Y = Period.year_of(YEAR)


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, Y.end).get()


def save(code: str, dataset: str, period: Period, cells: dict[tuple[str, str], Any]) -> None:
    inputs = []
    for (element_code, combo_code), value in cells.items():
        element = DataElement.objects.get(code=element_code)
        inputs.append(ValueInput(element, OptionCombo.objects.get(combo=element.combo, code=combo_code),
                                 Decimal(value)))
    do_save_values(SYSTEM, unit(code), DataSet.objects.get(code=dataset), period, inputs)


@pytest.fixture
def entered(example_units: None) -> None:
    """Yearly values for two communes and two residential areas of T99, quarterly ones for a commune, and
    camera stocks over the quarters."""
    save("T99001", "xa_nam", Y, {("tuyen_truyen_buoi", "truc_tiep.tieng_viet"): 100,
                                 ("tuyen_truyen_buoi", "truc_tiep.tieng_dtts"): 20,
                                 ("tuyen_truyen_buoi", "loa.tieng_dtts"): 5, ("tuyen_truyen_luot", "default"): 900,
                                 ("tin_bao", "default"): 14, ("camera_hoat_dong", "default"): 40,
                                 ("kinh_phi", "default"): 25_000_000})
    save("T99002", "xa_nam", Y, {("tuyen_truyen_buoi", "mang_xa_hoi.tieng_viet"): 30,
                                 ("tuyen_truyen_luot", "default"): 10, ("tin_bao", "default"): 3,
                                 ("ngay_hoi_to_chuc", "default"): 1, ("ngay_hoi_nguoi", "default"): 0})
    save("KDC-T99001-03", "kdc_nam", Y, {("tuyen_truyen_buoi", "truc_tiep.tieng_dtts"): 7,
                                         ("tin_bao", "default"): 2})
    save("KDC-T99002-03", "kdc_nam", Y, {("tuyen_truyen_buoi", "loa.tieng_viet"): 4})
    save("T99001", "xa_nam", Period.year_of(YEAR - 1), {("tuyen_truyen_buoi", "truc_tiep.tieng_viet"): 1000})
    for quarter, (sessions, tips) in enumerate([(10, 1), (20, 2), (30, 3), (40, 4)], start=1):
        save("T99001", "xa_quy", Period.quarter(YEAR, quarter),
             {("tuyen_truyen_buoi", "truc_tiep.tieng_viet"): sessions, ("tin_bao", "default"): tips})


def sql_total(root: Unit, element: str, period_type: str, start: str, end: str, options: str = "") -> Decimal:
    """The hand-written sum: values of the element in the range, units under ``root`` by the closure table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(v.value), 0) FROM datasets_datavalue v "
            "JOIN datasets_dataelement e ON e.id = v.element_id "
            "JOIN datasets_optioncombo oc ON oc.id = v.option_combo_id "
            "JOIN units_unitancestor a ON a.unit_id = v.unit_id "
            "WHERE e.code = %s AND a.ancestor_id = %s AND v.period_type = %s "
            "AND v.period_start >= %s AND v.period_end <= %s AND oc.code LIKE %s",
            [element, root.pk, period_type, start, end, f"%{options}%"])
        return Decimal(cursor.fetchone()[0])


def test_sums_over_a_subtree_and_range_equal_hand_written_sql(entered: None) -> None:
    province, commune = unit("T99"), unit("T99001")
    sessions = DataElement.objects.get(code="tuyen_truyen_buoi")
    figures = element_figures(province, Y, elements=[sessions])["tuyen_truyen_buoi"]
    assert figures["total"] == sql_total(province, "tuyen_truyen_buoi", "year", "2025-01-01", "2025-12-31") == 166
    assert figures["by"]["ngon_ngu"]["tieng_dtts"] == sql_total(
        province, "tuyen_truyen_buoi", "year", "2025-01-01", "2025-12-31", "tieng_dtts") == 32
    assert figures["by"]["kenh_tuyen_truyen"]["loa"] == 9 and figures["by_combo"]["truc_tiep.tieng_dtts"] == 27
    # the commune's subtree: itself and its residential areas; quarters are their own period type
    assert element_figures(commune, Y, elements=[sessions])["tuyen_truyen_buoi"]["total"] == 132
    halves = element_figures(commune, Period.quarter(YEAR, 1), Period.quarter(YEAR, 2), elements=[sessions])
    assert halves["tuyen_truyen_buoi"]["total"] == sql_total(
        commune, "tuyen_truyen_buoi", "quarter", "2025-01-01", "2025-06-30") == 30
    two_years = element_figures(province, Period.year_of(YEAR - 1), Y, elements=[sessions])
    assert two_years["tuyen_truyen_buoi"]["total"] == sql_total(
        province, "tuyen_truyen_buoi", "year", "2024-01-01", "2025-12-31") == 1166


def test_latest_value_elements_take_each_units_latest_value_in_the_range(entered: None) -> None:
    commune, province = unit("T99001"), unit("T99")
    cameras = DataElement.objects.get(code="camera_hoat_dong")
    dataset = DataSet.objects.get(code="xa_quy")
    version = dataset.version_for(Period.quarter(YEAR, 1))
    version.element_links.create(element=cameras, position=99)  # cameras counted every quarter too
    for quarter, count in ((1, 30), (2, 35), (3, 50)):
        save("T99001", "xa_quy", Period.quarter(YEAR, quarter), {("camera_hoat_dong", "default"): count})
    save("T99002", "xa_quy", Period.quarter(YEAR, 1), {("camera_hoat_dong", "default"): 8})
    year = element_figures(province, Period.quarter(YEAR, 1), Period.quarter(YEAR, 4), elements=[cameras])
    assert year["camera_hoat_dong"]["total"] == 50 + 8  # not 30 + 35 + 50 + 8
    first_half = element_figures(commune, Period.quarter(YEAR, 1), Period.quarter(YEAR, 2), elements=[cameras])
    assert first_half["camera_hoat_dong"]["total"] == 35


def test_activities_section_in_report_annual_json_and_markdown(entered: None) -> None:
    out = StringIO()
    call_command("report", "annual", "--unit", "T99", "--year", str(YEAR), stdout=out)
    report = json.loads(out.getvalue())
    activities = report["activities"]
    assert activities["tuyen_truyen_buoi"] == {"total": 166, "by": {
        "kenh_tuyen_truyen": {"truc_tiep": 127, "loa": 9, "mang_xa_hoi": 30},
        "ngon_ngu": {"tieng_viet": 134, "tieng_dtts": 32}}}
    assert activities["tin_bao"] == {"total": 19, "by": {}}  # yearly values only: the quarters are not added
    assert activities["kinh_phi"]["total"] == 25_000_000 and "hop_ban_chi_dao" not in activities  # no value
    assert "ngay_hoi_ngay" not in activities  # a date is not added up
    assert {"recognition", "models", "awards"} <= set(report)  # the other sections are still there
    md = StringIO()
    call_command("report", "annual", "--unit", "T99", "--year", str(YEAR), "--format", "md", stdout=md)
    text = md.getvalue()
    assert "## Kết quả các hoạt động của phong trào" in text
    assert "tổ chức 166 buổi tuyên truyền, trong đó 32 buổi bằng tiếng dân tộc thiểu số" in text
    assert "chi 25.000.000 đồng cho phong trào" in text
    assert "| Số tin báo, tố giác về an ninh, trật tự tiếp nhận | 19 |" in text
    assert build_activities_section(unit("T99002"), YEAR)["tuyen_truyen_buoi"]["total"] == 34


def test_validation_over_a_subtree_lists_the_violations_by_unit(entered: None) -> None:
    violations = run_validation(unit("T99"), DataSet.objects.get(code="xa_nam"), Y)
    # T99002: 30 sessions reached 10 people; held the festival day with 0 participants
    assert [(v.unit.code, v.rule.code) for v in violations] == [
        ("T99002", "luot_nguoi_it_nhat_bang_so_buoi"), ("T99002", "ngay_hoi_co_nguoi_tham_gia")]
    assert "là 10" in violations[0].message and "là 30" in violations[0].message
    assert run_validation(unit("T99001"), DataSet.objects.get(code="xa_nam"), Y) == []


def test_expressions_are_parsed_not_evaluated_as_code() -> None:
    node = parse("(#{a} + #{b.x}) * 2 - -1 / 4")
    values = {"a": Decimal(3), "b": Decimal(5)}
    assert evaluate(node, lambda ref: values.get(ref.element)) == Decimal("16.25")
    assert evaluate(parse("#{a} / #{z}"), lambda ref: values.get(ref.element)) is None
    for bad in ("__import__('os')", "#{a} +", "(1", "1 2", "#{A}", "x" * 600, ""):
        with pytest.raises(ExpressionError):
            parse(bad)
    assert Ref("b", ("x",)) in [parse("#{b.x}")]


def test_validation_page_lists_violations_within_the_readers_scope(entered: None, make_user: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    from phongtrao.accounts.models import Role

    province = make_user("tinh-t99", Role.PROVINCE_OFFICER, unit("T99"))
    other = make_user("xa-t99001", Role.COMMUNE_OFFICER, unit("T99001"))
    url = reverse("datasets:validation")
    query = {"dataset": "xa_nam", "period": str(YEAR)}
    client = Client()
    client.force_login(province)
    text = client.get(url, {"unit": unit("T99").pk, **query}).content.decode()
    assert 'id="violations"' in text and "Phường Đông Hà" in text and text.count("<tr>") == 3  # head + 2 rows
    client.force_login(other)
    assert client.get(url, {"unit": unit("T99").pk, **query}).status_code == 404  # not theirs to see
    own = client.get(url, {"unit": unit("T99001").pk, **query}).content.decode()
    assert 'id="no-violations"' in own
    wrong = client.get(url, {"unit": unit("T99001").pk, "dataset": "xa_nam", "period": f"{YEAR}Q1"})
    assert "Kỳ không đúng loại kỳ của biểu mẫu." in wrong.content.decode()
