"""The charts of a province's or a commune's page: each a table of figures (what the chart draws, shown under it
and exported to Excel) read from the figures modules the annual report uses, in set-based queries.

A ``Chart`` is data only: its columns (a label and a type: text, integer, percent), its rows, which column
names the categories and which are drawn, and (for a province's communes) the page each bar drills down to.
``charts.js`` draws it with ECharts from the ``json_script`` the template writes; nothing is computed there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy

from phongtrao.awards.figures import build_awards_section, with_names
from phongtrao.classification.figures import build_classification_section
from phongtrao.classification.models import Level
from phongtrao.datasets.completeness import annual_completeness
from phongtrao.lib.xlsx import ListSheet
from phongtrao.models_registry.figures import models_by_field, models_by_initiator
from phongtrao.recognition.figures import recognition_by_child, recognition_figures
from phongtrao.units.models import Kind, Unit

TREND_YEARS = 5


@dataclass
class Chart:
    key: str
    title: str | Promise
    columns: list[tuple[str | Promise, str]]  # (heading, "text" | "integer" | "percent")
    rows: list[list[Any]]
    kind: str = "bar"  # "bar" | "line" | "pie"
    drawn: tuple[int, ...] = (1,)  # the columns drawn (the first column names the categories)
    links: list[str] = field(default_factory=list)  # per row: the page a click drills down to ("" for none)
    horizontal: bool = False

    @property
    def data_id(self) -> str:
        return f"chart-{self.key}-data"

    @property
    def table(self) -> list[list[dict[str, Any]]]:
        """The rows as cells for the page's table: value, type, and the first cell's drill-down link."""
        return [[{"value": v, "kind": kind, "link": self.links[n] if i == 0 and n < len(self.links) else ""}
                 for i, (v, (_h, kind)) in enumerate(zip(row, self.columns, strict=True))]
                for n, row in enumerate(self.rows)]

    def spec(self) -> dict[str, Any]:
        """What charts.js reads: categories, series (name and values) and the drill-down links."""
        return {"kind": self.kind, "horizontal": self.horizontal,
                "categories": [str(r[0]) for r in self.rows],
                "series": [{"name": str(self.columns[i][0]), "percent": self.columns[i][1] == "percent",
                            "values": [r[i] for r in self.rows]} for i in self.drawn],
                "links": self.links}

    def workbook(self, unit: Unit, year: int) -> bytes:
        sheet = ListSheet(gettext("Số liệu"), [str(c[0]) for c in self.columns],
                          widths=(40, *([16] * (len(self.columns) - 1))),
                          title=f"{self.title} — {unit.name} — {year}")
        for row in self.rows:
            sheet.append([sheet.text(v) if kind == "text" else v
                          for v, (_h, kind) in zip(row, self.columns, strict=True)])
        return sheet.to_bytes()


def charts_url(unit: Unit | int, year: int) -> str:
    return reverse("dashboard:charts") + "?" + urlencode({"unit": unit if isinstance(unit, int) else unit.pk,
                                                         "year": year})


KIND_LABELS = {"residential_area": gettext_lazy("Khu dân cư"), "commune": gettext_lazy("Xã, phường, đặc khu"),
               "agency": gettext_lazy("Cơ quan"), "enterprise": gettext_lazy("Doanh nghiệp"),
               "school": gettext_lazy("Cơ sở giáo dục"),
               "organisation": gettext_lazy("Cơ quan, doanh nghiệp, cơ sở giáo dục")}
SHARE_COLUMNS: list[tuple[str | Promise, str]] = [
    (gettext_lazy("Được công nhận"), "integer"), (gettext_lazy("Tổng số"), "integer"),
    (gettext_lazy("Tỷ lệ (%)"), "percent")]


def recognition_ranked(unit: Unit, year: int) -> Chart:
    """A province: its communes ranked by the share of residential areas recognised (one query, and one for
    the communes' ids the bars drill down to); a commune: the share of each kind of unit."""
    title = gettext_lazy("Tỷ lệ khu dân cư được công nhận “An toàn về ANTT”")
    if unit.kind == Kind.PROVINCE:
        children = recognition_by_child(unit, year)
        ids = dict(Unit.objects.filter(parent=unit, code__in=[c["unit"]["code"] for c in children])
                   .values_list("code", "pk"))
        ranked = sorted(children, key=lambda c: (-c["recognition"]["residential_area"]["percent"],
                                                 -c["recognition"]["residential_area"]["recognised"]))
        rows = [[c["unit"]["name"], ra["recognised"], ra["total"], ra["percent"]]
                for c in ranked for ra in [c["recognition"]["residential_area"]]]
        links = [charts_url(ids[c["unit"]["code"]], year) if c["unit"]["code"] in ids else "" for c in ranked]
        return Chart("recognition", title, [(gettext_lazy("Xã, phường, đặc khu"), "text"), *SHARE_COLUMNS], rows,
                     drawn=(3,), links=links, horizontal=True)
    figures = recognition_figures(unit, year)
    rows = [[KIND_LABELS[k], figures[k]["recognised"], figures[k]["total"], figures[k]["percent"]]
            for k in ("residential_area", "agency", "enterprise", "school") if figures[k]["total"]]
    return Chart("recognition", gettext_lazy("Tỷ lệ đơn vị được công nhận “An toàn về ANTT” theo loại"),
                 [(gettext_lazy("Loại đơn vị"), "text"), *SHARE_COLUMNS], rows, drawn=(3,))


def trends(unit: Unit, year: int) -> Chart:
    """The main shares over five years (one query a year)."""
    rows = []
    for y in range(year - TREND_YEARS + 1, year + 1):
        figures = recognition_figures(unit, y)
        rows.append([str(y), figures["residential_area"]["percent"], figures["commune"]["percent"],
                     figures["organisation"]["percent"]])
    return Chart("trends", gettext_lazy("Tỷ lệ được công nhận qua 5 năm (%)"),
                 [(gettext_lazy("Năm"), "text"), (KIND_LABELS["residential_area"], "percent"),
                  (KIND_LABELS["commune"], "percent"), (KIND_LABELS["organisation"], "percent")],
                 rows, kind="line", drawn=(1, 2, 3))


MODEL_COLUMNS: list[tuple[str | Promise, str]] = [
    (gettext_lazy("Mô hình"), "integer"), (gettext_lazy("Điểm"), "integer"), (gettext_lazy("Tổ, nhóm"), "integer")]


def models_by(unit: Unit, year: int, what: str) -> Chart:
    rows_in = models_by_field(unit, year) if what == "field" else models_by_initiator(unit, year)
    rows = [[r["name"], r["models"], r["sites"], r["teams"]] for r in rows_in]
    if what == "field":
        return Chart("models_field", gettext_lazy("Mô hình theo lĩnh vực"),
                     [(gettext_lazy("Lĩnh vực"), "text"), *MODEL_COLUMNS], rows, horizontal=True)
    return Chart("models_initiator", gettext_lazy("Mô hình theo cấp, cơ quan phát động"),
                 [(gettext_lazy("Cấp, cơ quan phát động"), "text"), *MODEL_COLUMNS], rows, horizontal=True)


def awards(unit: Unit, year: int) -> Chart:
    rows = [[r["name"], r["collective"], r["individual"], r["total"]]
            for r in with_names(build_awards_section(unit, year))]
    return Chart("awards", gettext_lazy("Khen thưởng theo hình thức"),
                 [(gettext_lazy("Hình thức khen thưởng"), "text"), (gettext_lazy("Tập thể"), "integer"),
                  (gettext_lazy("Cá nhân"), "integer"), (gettext_lazy("Tổng số"), "integer")], rows,
                 drawn=(1, 2), horizontal=True)


def completeness(unit: Unit, year: int) -> Chart:
    rows = [[d["name"], d["expected"], d["received"], d["on_time"], d["approved"]]
            for d in annual_completeness(unit, year)["datasets"]]
    return Chart("completeness", gettext_lazy("Tiến độ báo cáo định kỳ của năm"),
                 [(gettext_lazy("Biểu mẫu"), "text"), (gettext_lazy("Phải nộp"), "integer"),
                  (gettext_lazy("Đã nộp"), "integer"), (gettext_lazy("Đúng hạn"), "integer"),
                  (gettext_lazy("Đã duyệt"), "integer")], rows, drawn=(1, 2, 3, 4), horizontal=True)


def classification(unit: Unit, year: int) -> Chart:
    levels = build_classification_section(unit, year)["levels"]
    rows = [[Level(level).label, figures["count"], figures["percent"]] for level, figures in levels.items()]
    return Chart("classification", gettext_lazy("Xếp loại phong trào"),
                 [(gettext_lazy("Xếp loại"), "text"), (gettext_lazy("Số đơn vị"), "integer"),
                  (gettext_lazy("Tỷ lệ (%)"), "percent")], rows, kind="pie")


def all_charts(unit: Unit, year: int) -> list[Chart]:
    return [recognition_ranked(unit, year), trends(unit, year), models_by(unit, year, "field"),
            models_by(unit, year, "initiator"), awards(unit, year), completeness(unit, year),
            classification(unit, year)]


def chart(unit: Unit, year: int, key: str) -> Chart | None:
    """One chart by its key (the Excel export of its table), built alone."""
    builders = {"recognition": recognition_ranked, "trends": trends, "awards": awards,
                "completeness": completeness, "classification": classification,
                "models_field": lambda u, y: models_by(u, y, "field"),
                "models_initiator": lambda u, y: models_by(u, y, "initiator")}
    build = builders.get(key)
    return build(unit, year) if build is not None else None
