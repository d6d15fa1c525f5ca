"""Reads behind the report record's page: its document, and what changed since it was issued.

``record_document`` is the document the page, the downloads and the background job show: a draft is
built from the live figures with the officer's texts; an issued report from the figures it froze.
``figure_changes`` is the flat difference between the frozen and the live figures (path, issued value,
current value), each path named in Vietnamese where a label is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_noop

from phongtrao.lib.vnformat import number
from phongtrao.reports.actions import frozen
from phongtrao.reports.annual import build_annual
from phongtrao.reports.document import AnnualDocument, build_document
from phongtrao.reports.models import AnnualReport
from phongtrao.units.models import Unit

# The keys of the report's JSON, named as a reader knows them (unknown keys are shown as they are).
FIELD_LABELS: dict[str, str] = {
    "recognition": gettext_noop("Tiêu chuẩn ANTT"),
    "residential_area": gettext_noop("Thôn, khu phố"),
    "commune": gettext_noop("Xã, phường, đặc khu"),
    "organisation": gettext_noop("Cơ quan, doanh nghiệp, cơ sở giáo dục"),
    "agency": gettext_noop("Cơ quan"),
    "enterprise": gettext_noop("Doanh nghiệp"),
    "school": gettext_noop("Cơ sở giáo dục"),
    "registered": gettext_noop("Đăng ký"),
    "recognised": gettext_noop("Được công nhận"),
    "total": gettext_noop("Tổng số"),
    "percent": gettext_noop("Tỷ lệ"),
    "registered_percent": gettext_noop("Tỷ lệ đăng ký"),
    "models": gettext_noop("Mô hình, điển hình"),
    "awards": gettext_noop("Khen thưởng"),
    "forces": gettext_noop("Tổ bảo vệ ANTT"),
    "classification": gettext_noop("Xếp loại phong trào"),
    "budget": gettext_noop("Kinh phí"),
    "plans": gettext_noop("Kế hoạch"),
    "datasets": gettext_noop("Số liệu biểu mẫu"),
    "count": gettext_noop("Số lượng"),
    "name": gettext_noop("Tên"),
    "unit": gettext_noop("Đơn vị"),
    "year": gettext_noop("Năm"),
}


def record_document(unit: Unit, year: int, report: AnnualReport | None) -> AnnualDocument:
    """The document of the record: the frozen figures of an issued report, else the live ones."""
    texts = dict(report.texts) if report is not None else {}
    if report is not None and report.issued and report.figures is not None:
        return build_document(unit, year, texts=texts, report=report.figures, previous=report.previous_figures or {})
    return build_document(unit, year, texts=texts)


def _flat(value: Any, path: tuple[str, ...], out: dict[tuple[str, ...], Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flat(item, (*path, str(key)), out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            # A row that names its unit is found by the unit's code, not by its place in the list.
            key = str(item["code"]) if isinstance(item, dict) and "code" in item else str(index + 1)
            _flat(item, (*path, key), out)
    else:
        out[path] = value


def flatten(data: dict[str, Any]) -> dict[tuple[str, ...], Any]:
    out: dict[tuple[str, ...], Any] = {}
    _flat(data, (), out)
    return out


def value_text(value: Any) -> str:
    """A figure as the page shows it: numbers the Vietnamese way (1.234; 90,5), none as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("Có") if value else gettext("Không")
    if isinstance(value, int | float):
        return number(value)
    return str(value)


@dataclass(frozen=True)
class Change:
    path: tuple[str, ...]
    issued: Any
    current: Any

    @property
    def issued_text(self) -> str:
        return value_text(self.issued)

    @property
    def current_text(self) -> str:
        return value_text(self.current)

    @property
    def label(self) -> str:
        return " › ".join(gettext(FIELD_LABELS[p]) if p in FIELD_LABELS else p for p in self.path)


def diff(issued: dict[str, Any], current: dict[str, Any]) -> list[Change]:
    """Every leaf whose value differs (or exists on one side only), in the issued JSON's order then the new."""
    before, after = flatten(issued), flatten(current)
    paths = list(before) + [p for p in after if p not in before]
    return [Change(p, before.get(p), after.get(p)) for p in paths if before.get(p) != after.get(p)]


def figure_changes(report: AnnualReport) -> list[Change]:
    """What changed in the live figures since ``report`` was issued ([] for a draft)."""
    if not report.issued or report.figures is None:
        return []
    return diff(report.figures, frozen(build_annual(report.unit, report.year)))


def page_blocks(document: AnnualDocument, forms: dict[str, Any], numbers: dict[str, int]) -> list[dict[str, Any]]:
    """The document's blocks (body, then annex) as the page's template shows them: cells formatted the
    Vietnamese way (``render.markdown.cell_text``), each slot with its form when the user may write it.
    The lead's HTML renderer (``reports.render.html``) replaces this at merge."""
    from phongtrao.reports.blocks import Bullets, Chart, Heading, Paragraph, Slot, Table
    from phongtrao.reports.render.markdown import NUMERIC, cell_text

    items: list[dict[str, Any]] = []
    for block in [*document.blocks, *document.annex]:
        if isinstance(block, Heading):
            items.append({"kind": "heading", "text": block.text, "level": min(block.level + 1, 5)})
        elif isinstance(block, Paragraph):
            items.append({"kind": "paragraph", "text": block.text})
        elif isinstance(block, Bullets):
            items.append({"kind": "bullets", "items": block.items})
        elif isinstance(block, Table):
            items.append({"kind": "table", "caption": block.caption,
                          "columns": [(c.label, c.type in NUMERIC) for c in block.columns],
                          "rows": [[(cell_text(v, c.type), c.type in NUMERIC) for v, c in
                                    zip(row, block.columns, strict=True)] for row in block.rows]})
        elif isinstance(block, Chart):
            items.append({"kind": "table", "caption": block.title,
                          "columns": [("", False)] + [(s.name, True) for s in block.series],
                          "rows": [[(cat, False)] + [(cell_text(s.values[i], block.value_type), True)
                                                     for s in block.series] for i, cat in enumerate(block.categories)]})
        elif isinstance(block, Slot):
            items.append({"kind": "slot", "key": block.key, "label": block.label, "text": block.text,
                          "form": forms.get(block.key), "number": numbers.get(block.key, 0)})
    return items
