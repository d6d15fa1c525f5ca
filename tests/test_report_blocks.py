"""The annual report's neutral blocks (issue #13, part 1): every block type through the Markdown and HTML
renderers, the year-on-year phrases, the whole document, and the Markdown of ``report annual`` carrying the
same figures as the JSON (the example province's expected.json, computed outside the system)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from phongtrao.audit.actions import Actor
from phongtrao.lib.importing import run_import
from phongtrao.reports import compare
from phongtrao.reports.annual import build_annual, ordered_sections
from phongtrao.reports.blocks import Bullets, Chart, Column, Heading, Paragraph, Series, Slot, Table
from phongtrao.reports.document import build_document
from phongtrao.reports.render import html as html_render
from phongtrao.reports.render import markdown as md_render
from phongtrao.units.models import Unit

TABLE = Table(columns=(Column("Tên"), Column("Số", "integer"), Column("Tỷ lệ", "percent"), Column("Tiền", "vnd"),
                       Column("Ngày", "date"), Column("Giá trị", "number")),
              rows=(("A | B", 1234567, 90.0, 1_500_000, dt.date(2025, 12, 15), Decimal("1234.5")),
                    ("C", None, 33.33, 0, None, 2)),
              caption="Bảng thử")
CHART = Chart(title="Tỷ lệ theo xã", categories=("Xã A", "Xã B"), series=(Series("2025", (90.0, 12.5)),),
              value_type="percent")


# --- Markdown ----------------------------------------------------------------------------------------------


def test_markdown_heading_paragraph_bullets() -> None:
    assert md_render.render_blocks([Heading("Phần"), Heading("Mục", 3), Paragraph("Một câu.")]) == \
        "## Phần\n\n### Mục\n\nMột câu.\n"
    assert md_render.render_blocks([Bullets(("một", "hai"))]) == "- một\n- hai\n"


def test_markdown_table_types_alignment_and_escaping() -> None:
    lines = md_render.render_blocks([TABLE]).splitlines()
    assert lines[0] == "*Bảng thử*"
    assert lines[2] == "| Tên | Số | Tỷ lệ | Tiền | Ngày | Giá trị |"
    assert lines[3] == "|---|---:|---:|---:|---|---:|"
    assert lines[4] == "| A \\| B | 1.234.567 | 90,00% | 1.500.000 đồng | 15/12/2025 | 1.234,5 |"
    assert lines[5] == "| C |  | 33,33% | 0 đồng |  | 2 |"


def test_markdown_chart_is_its_data_table() -> None:
    lines = md_render.render_blocks([CHART]).splitlines()
    assert lines == ["*Tỷ lệ theo xã*", "", "|  | 2025 |", "|---|---:|", "| Xã A | 90,00% |", "| Xã B | 12,50% |"]


def test_markdown_slot_empty_and_filled() -> None:
    with translation.override("vi"):
        assert "phần này do cán bộ viết" in md_render.render_blocks([Slot("lessons", "Bài học kinh nghiệm")])
    assert md_render.render_blocks([Slot("lessons", "Bài học", "  Đã viết.  ")]) == "Đã viết.\n"


def test_a_row_with_the_wrong_number_of_cells_is_refused() -> None:
    with pytest.raises(ValueError, match="has 1 cells for 2 columns"):
        Table(columns=(Column("a"), Column("b")), rows=(("x",),))


# --- HTML ----------------------------------------------------------------------------------------------------


def cells(text: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", text, re.S)
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[dh][^>]*>.*?</t[dh]>", row, re.S)] for row in rows]


def test_html_heading_paragraph_bullets_escape_text() -> None:
    text = html_render.render_blocks([Heading("I. PHẦN", 1), Heading("Phần <b>"), Heading("Mục", 3),
                                      Paragraph("Một & hai."), Bullets(("một", "hai"))])
    assert '<h2 class="h4">I. PHẦN</h2>' in text and '<h2 class="h5">Phần &lt;b&gt;</h2>' in text
    assert '<h3 class="h6">Mục</h3>' in text
    assert "<p class=\"mb-2\">Một &amp; hai.</p>" in text and "<li>một</li><li>hai</li>" in text


def test_html_table_in_vietnamese_and_english() -> None:
    with translation.override("vi"):
        text = html_render.render_blocks([TABLE])
    assert cells(text)[1] == ["A | B", "1.234.567", "90,00%", "1.500.000 đồng", "15/12/2025", "1.234,5"]
    assert cells(text)[2] == ["C", "", "33,33%", "0 đồng", "", "2"]
    assert '<th scope="col" class="text-end">Số</th>' in text and '<th scope="col">Tên</th>' in text
    assert '<td class="text-end text-nowrap">1.234.567</td>' in text and "<caption" in text
    with translation.override("en"):
        english = html_render.render_blocks([TABLE])
    assert cells(english)[1] == ["A | B", "1,234,567", "90.00%", "1,500,000 VND", "15/12/2025", "1,234.5"]


def test_html_chart_is_a_div_fed_by_json_with_its_table_and_no_inline_script() -> None:
    with translation.override("vi"):
        text = html_render.render_blocks([Paragraph("x"), CHART], id_prefix="recognition")
    assert '<div class="report-chart" id="recognition-chart-1" data-chart="recognition-chart-1-data"' in text
    data = re.search(r'<script id="recognition-chart-1-data" type="application/json">(.*?)</script>', text, re.S)
    assert data is not None
    assert json.loads(data.group(1)) == {"kind": "bar", "categories": ["Xã A", "Xã B"], "percent": True,
                                         "series": [{"name": "2025", "values": [90.0, 12.5]}]}
    assert re.findall(r"<script(?![^>]*application/json)", text) == []  # the CSP: no script to run inline
    assert cells(text)[1:] == [["Xã A", "90,00%"], ["Xã B", "12,50%"]]
    assert html_render.has_chart([CHART]) and not html_render.has_chart([TABLE])


def test_html_slot_empty_in_both_languages_and_filled() -> None:
    with translation.override("vi"):
        assert "Bài học: phần này do cán bộ viết." in html_render.render_blocks([Slot("lessons", "Bài học")])
    with translation.override("en"):
        text = html_render.render_blocks([Slot("lessons", "Lessons")])
    assert "Lessons:" in text and "phần này" not in text
    assert "<p>Dòng một<br>dòng hai</p>" in html_render.render_blocks([Slot("tasks", "Nhiệm vụ", "Dòng một\ndòng hai")])


# --- year on year ----------------------------------------------------------------------------------------------


def test_compared_words_in_vietnamese() -> None:
    with translation.override("vi"):
        assert compare.compared(27, 15, 2024, "khu dân cư") == "tăng 12 khu dân cư so với năm 2024"
        assert compare.compared(3, 4, 2024, "mô hình") == "giảm 1 mô hình so với năm 2024"
        assert compare.compared(9, 9, 2024, "tổ") == "bằng năm 2024"
        assert compare.compared(2_500_000, 1_000_000, 2024, "đồng") == "tăng 1.500.000 đồng so với năm 2024"
        assert compare.points(88.75, 90.0, 2024) == "giảm 1,25 điểm phần trăm so với năm 2024"
        assert compare.points(83.33, 66.67, 2024) == "tăng 16,66 điểm phần trăm so với năm 2024"
        assert compare.points(50.0, 50.0, 2024) == "bằng năm 2024"
        assert compare.change(5, 5) == "không đổi" and compare.change(7, 5) == "tăng 2"


def test_compared_words_in_english() -> None:
    with translation.override("en"):
        assert compare.compared(1234, 0, 2024, "units") == "up 1,234 units on 2024"
        assert compare.points(88.75, 90.0, 2024) == "down 1.25 percentage points on 2024"
        assert compare.compared(1, 1, 2024) == "the same as in 2024"


# --- the example province ------------------------------------------------------------------------------------


@pytest.fixture
def example_province(example_units: None, example_dir: Path) -> dict[str, Any]:
    for kind in ("recognitions", "models", "model_sites", "awards"):
        result = run_import(kind, f"{kind}.csv", (example_dir / f"{kind}.csv").read_bytes(), actor=Actor.system())
        assert result.ok, [str(e) for e in result.errors]
    return json.loads((example_dir / "expected.json").read_text(encoding="utf-8"))


def province() -> Unit:
    return Unit.objects.with_code("T99", dt.date(2025, 12, 31)).get()


def markdown_report(year: int) -> str:
    out = io.StringIO()
    call_command("report", "annual", "--unit", "T99", "--year", str(year), "--format", "md", stdout=out)
    return out.getvalue()


def vn(text: str) -> float:
    """ "1.234,50%" -> 1234.5 (the Vietnamese way back to a number)."""
    return float(text.replace("%", "").replace(".", "").replace(",", "."))


def md_table(text: str, heading: str) -> list[list[str]]:
    """The first table after ``heading``: its body rows' cells."""
    part = text[text.index(heading):]
    lines = [line for line in part.splitlines() if line.startswith("|")]
    block = []
    for line in lines:
        if block and not line.startswith("|"):
            break
        block.append([c.strip() for c in line.strip("|").split("|")])
    body = block[2:]
    end = next((i for i, row in enumerate(body) if len(row) != len(block[0])), len(body))
    return body[:end]


@pytest.mark.parametrize("year", [2025, 2024])
def test_markdown_carries_the_figures_of_the_json(example_province: dict[str, Any], year: int) -> None:
    expected = example_province[str(year)]
    text = markdown_report(year)
    labels = {"Thôn, khu phố": "residential_area", "Xã, phường, đặc khu": "commune",
              "Cơ quan, doanh nghiệp, cơ sở giáo dục": "organisation", "Cơ quan": "agency",
              "Doanh nghiệp": "enterprise", "Cơ sở giáo dục": "school"}
    rows = md_table(text, "## Xây dựng tiêu chuẩn")
    assert [r[0] for r in rows] == list(labels)
    for label, registered, recognised, total, share in rows:
        counts = expected["recognition"][labels[label]]
        assert (int(vn(registered)), int(vn(recognised)), int(vn(total)), vn(share)) == (
            counts["registered"], counts["recognised"], counts["total"], counts["percent"]), label
    for key in ("residential_area", "commune", "organisation"):
        c = expected["recognition"][key]
        assert f"{c['recognised']}/{c['total']} " in text
    if "models" in expected:
        m = expected["models"]
        assert (f"Toàn tỉnh có {m['models']} mô hình thuộc {m['fields']} lĩnh vực, triển khai tại {m['sites']} điểm "
                f"với {m['teams']} tổ, nhóm.") in text
        by_initiator = {r[0]: int(vn(r[1])) for r in md_table(text, "## Xây dựng, nhân rộng mô hình")}
        assert sum(by_initiator.values()) == sum(m["by_initiator"].values())
    if "awards" in expected:
        awards = {int(vn(r[1])) + int(vn(r[2])) for r in md_table(text, "## Thi đua, khen thưởng")}
        assert awards == {a["collective"] + a["individual"] for a in expected["awards"]}
        collective = sum(a["collective"] for a in expected["awards"])
        individual = sum(a["individual"] for a in expected["awards"])
        assert f"có {collective} lượt tập thể và {individual} lượt cá nhân được khen thưởng" in text


def test_document_parts_order_year_on_year_and_annex(example_province: dict[str, Any], example_dir: Path) -> None:
    unit = province()
    with translation.override("en"):  # the document is Vietnamese whatever the reader's language
        doc = build_document(unit, 2025, texts={"lessons": "Bài học đã viết."})
    assert doc.title == "Báo cáo tổng kết năm 2025" and doc.figures == build_annual(unit, 2025)
    parts = [b.text for b in doc.blocks if isinstance(b, Heading) and b.level == 1]
    assert parts == ["I. TÌNH HÌNH", "II. KẾT QUẢ THỰC HIỆN", "III. HẠN CHẾ, TỒN TẠI", "IV. BÀI HỌC KINH NGHIỆM",
                     "V. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM TỚI"]
    slots = {b.key: b.text for b in doc.blocks if isinstance(b, Slot)}
    assert slots == {"situation": "", "shortcomings": "", "lessons": "Bài học đã viết.", "tasks": ""}
    sections = [b.text for b in doc.blocks if isinstance(b, Heading) and b.level == 2]
    assert sections == ["Thực hiện các đề án, kế hoạch, chương trình phối hợp", "Kết quả các hoạt động của phong trào",
                        "Xây dựng tiêu chuẩn “An toàn về an ninh, trật tự”",
                        "Xếp loại phong trào toàn dân bảo vệ an ninh Tổ quốc", "Xây dựng, nhân rộng mô hình",
                        "Lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở",
                        "Kinh phí phong trào (Thông tư 40/2023/TT-BTC) và Quỹ phòng, chống tội phạm",
                        "Thi đua, khen thưởng", "Tiến độ báo cáo theo biểu mẫu"]
    assert [s.key for s in ordered_sections(document=True)] == [
        "plans", "activities", "recognition", "classification", "models", "forces", "budget", "awards", "completeness"]
    # Year on year, from the expected figures of both years (computed outside the system).
    now, before = example_province["2025"]["recognition"], example_province["2024"]["recognition"]
    text = " ".join(b.text for b in doc.blocks if isinstance(b, Paragraph))
    ra_diff = now["residential_area"]["recognised"] - before["residential_area"]["recognised"]
    ra_points = f"{now['residential_area']['percent'] - before['residential_area']['percent']:.2f}".replace(".", ",")
    assert (f"Số thôn, khu phố được công nhận tăng {ra_diff} thôn, khu phố so với năm 2024; tỷ lệ tăng {ra_points} "
            "điểm phần trăm so với năm 2024.") in text
    models_diff = example_province["2025"]["models"]["models"] - build_annual(unit, 2024)["models"]["models"]
    assert f"Số mô hình {compare_words(models_diff, 'mô hình')}" in text
    # The annex: one row per commune, its residential areas recognised counted from the CSV files.
    (annex,) = doc.annex
    assert isinstance(annex, Table) and annex.annex
    units = list(csv.DictReader((example_dir / "units.csv").open(encoding="utf-8")))
    communes = {u["code"]: u["name"] for u in units if u["kind"] == "commune"}
    areas = {u["code"]: u["parent_code"] for u in units if u["kind"] == "residential_area"}
    passed = [r["unit_code"] for r in csv.DictReader((example_dir / "recognitions.csv").open(encoding="utf-8"))
              if r["year"] == "2025" and r["result"].casefold() in ("dat", "đạt")]
    by_commune = dict.fromkeys(communes, 0)
    for code in passed:
        if code in areas:
            by_commune[areas[code]] += 1
    totals = {code: sum(1 for parent in areas.values() if parent == code) for code in communes}
    assert sorted((r[0], r[1], r[2]) for r in annex.rows) == sorted(
        (communes[c], by_commune[c], totals[c]) for c in communes)
    assert sum(by_commune.values()) == now["residential_area"]["recognised"]


def compare_words(diff: int, what: str) -> str:
    if diff == 0:
        return "bằng năm 2024"
    return f"{'tăng' if diff > 0 else 'giảm'} {abs(diff)} {what} so với năm 2024"


def test_province_page_shows_the_blocks_in_english(example_province: dict[str, Any], make_user: Any,
                                                   client: Any) -> None:
    from django.conf import settings
    from django.urls import reverse

    with translation.override("vi"):  # the English request must not leave English active for later tests
        client.force_login(make_user("quantri", "admin"))
        client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
        text = client.get(reverse("recognition:province", args=["T99", 2025])).content.decode()
        r = example_province["2025"]["recognition"]["residential_area"]
        assert 'id="recognition-section"' in text and 'id="models-section"' in text
        assert f"{r['recognised']}/{r['total']} villages and street blocks ({r['percent']:.2f}%)" in text
        assert "The whole province has" in text
