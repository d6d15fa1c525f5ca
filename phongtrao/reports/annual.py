"""The annual report (``report annual``): a dict of sections, each built by the app that owns it.

An app adds a section by registering a builder at app ready::

    from phongtrao.reports.annual import register_section
    register_section("models", build_models_section, render_md=models_markdown, order=20,
                     template="models_registry/_annual_section.html")

``build_annual(unit, year)`` calls every builder in order; the JSON output is that dict as
is, and the Markdown output joins each section's ``render_md`` (sections without one are
left out of the prose, never out of the JSON). A section's ``template`` (optional) renders
it on the web (province and commune pages) with ``unit``, ``year`` and ``section`` (the built
data) in its context: the pages and the command show the same figures from the same builder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from phongtrao.lib.dbrouter import replica_reads
from phongtrao.lib.vnformat import number, percent_text
from phongtrao.reports.figures import RECOGNITION_KEYS, Counts, recognition_figures
from phongtrao.units.models import Unit

SectionBuilder = Callable[[Unit, int], Any]
MarkdownRenderer = Callable[[Unit, int, Any], str]


@dataclass(frozen=True)
class Section:
    key: str
    build: SectionBuilder
    render_md: MarkdownRenderer | None = None
    order: int = 100
    template: str | None = None


SECTIONS: dict[str, Section] = {}


def register_section(key: str, build: SectionBuilder, *, render_md: MarkdownRenderer | None = None,
                     order: int = 100, template: str | None = None) -> None:
    SECTIONS[key] = Section(key, build, render_md, order, template)


def web_sections(report: dict[str, Any]) -> list[tuple[Section, Any]]:
    """The built sections that have a web template, in report order: ``[(section, data), ...]``."""
    return [(s, report[s.key]) for s in _ordered() if s.template and s.key in report]


def _ordered() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))


@replica_reads()  # read from the streaming replica when there is one (lib.dbrouter)
def build_annual(unit: Unit, year: int) -> dict[str, Any]:
    """The annual figures for ``unit``'s subtree (INTERCHANGE.md ``report annual --format json``)."""
    report: dict[str, Any] = {"unit": {"code": unit.code, "name": unit.name, "kind": unit.kind}, "year": year}
    for section in _ordered():
        report[section.key] = section.build(unit, year)
    return report


def render_markdown(report: dict[str, Any], unit: Unit) -> str:
    year = report["year"]
    parts = [f"# Báo cáo tổng kết năm {year}: {unit.name}", ""]
    for section in _ordered():
        if section.render_md is not None and section.key in report:
            parts.append(section.render_md(unit, year, report[section.key]).rstrip() + "\n")
    return "\n".join(parts).rstrip() + "\n"


# --- the recognition section (ANTT standard) -----------------------------------------------------

# How each kind is named in an annual report's "x/y" sentences.
RECOGNITION_LABELS = {
    "residential_area": "thôn, khu phố",
    "commune": "xã, phường, đặc khu",
    "organisation": "cơ quan, doanh nghiệp, cơ sở giáo dục",
    "agency": "cơ quan",
    "enterprise": "doanh nghiệp",
    "school": "cơ sở giáo dục",
}


def fraction_text(counts: Counts, key: str) -> str:
    """ "27/30 thôn, khu phố (90,00%)": thousands with a dot, decimals with a comma."""
    return (f"{number(counts['recognised'])}/{number(counts['total'])} {RECOGNITION_LABELS[key]} "
            f"({percent_text(counts['percent'])})")


def recognition_markdown(unit: Unit, year: int, section: dict[str, Counts]) -> str:
    main = [k for k in ("residential_area", "commune", "organisation") if section[k]["total"]]
    lines = ["## Xây dựng tiêu chuẩn “An toàn về an ninh, trật tự”", ""]
    if main:
        listed = [fraction_text(section[k], k) for k in main]
        joined = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " và " + listed[-1]
        lines.append(f"Năm {year}, {unit.name} có {joined} được công nhận đạt tiêu chuẩn "
                     "“An toàn về an ninh, trật tự”.")
    else:
        lines.append(f"Năm {year}, {unit.name} không có đơn vị thuộc diện xét tiêu chuẩn "
                     "“An toàn về an ninh, trật tự”.")
    lines.append("")
    lines += [f"- {fraction_text(section[k], k)}" for k in RECOGNITION_KEYS]
    lines += ["", "| Loại đơn vị | Đăng ký | Được công nhận | Tổng số | Tỷ lệ |", "|---|---:|---:|---:|---:|"]
    for key in RECOGNITION_KEYS:
        c = section[key]
        label = RECOGNITION_LABELS[key]
        label = label[0].upper() + label[1:]
        lines.append(f"| {label} | {number(c['registered'])} | {number(c['recognised'])} | {number(c['total'])} "
                     f"| {percent_text(c['percent'])} |")
    return "\n".join(lines) + "\n"


def register_builtin_sections() -> None:
    register_section("recognition", recognition_figures, render_md=recognition_markdown, order=10,
                     template="recognition/_annual_section.html")
