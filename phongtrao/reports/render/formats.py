"""The annual report in every download format: one entry for ``report annual`` and the download view.

``annual_file(unit, year, fmt)`` builds the document (``reports.document.build_document``) and renders it
with the header values of ``reports.render.meta.default_meta``; ``md`` is the Markdown of
``report annual --format md`` (``reports.annual.render_markdown``), so the command and the page give the
same file for the same unit and year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from phongtrao.reports.render.meta import DocumentMeta, default_meta
from phongtrao.units.models import Unit


@dataclass(frozen=True)
class Format:
    content_type: str
    binary: bool


FORMATS: dict[str, Format] = {
    "docx": Format("application/vnd.openxmlformats-officedocument.wordprocessingml.document", True),
    "pdf": Format("application/pdf", True),
    "xlsx": Format("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", True),
    "md": Format("text/markdown; charset=utf-8", False),
}


def annual_file(unit: Unit, year: int, fmt: str, *, report: dict[str, Any] | None = None,
                texts: dict[str, str] | None = None, meta: DocumentMeta | None = None) -> bytes:
    """The annual report of ``unit``'s subtree for ``year`` as ``fmt`` (a key of ``FORMATS``) bytes."""
    from phongtrao.reports.annual import build_annual, render_markdown
    from phongtrao.reports.document import build_document

    if fmt not in FORMATS:
        raise ValueError(f"unknown format: {fmt!r}")
    if fmt == "md":
        return render_markdown(report if report is not None else build_annual(unit, year), unit).encode()
    document = build_document(unit, year, texts=texts, report=report)
    meta = meta or default_meta(unit, year)
    if fmt == "docx":
        from phongtrao.reports.render.docx import render_docx

        return render_docx(document, meta)
    if fmt == "pdf":
        from phongtrao.reports.render.pdf import render_pdf

        return render_pdf(document, meta)
    from phongtrao.reports.render.xlsx import render_xlsx

    return render_xlsx(document)


def file_name(unit: Unit, year: int, fmt: str) -> str:
    """ "bao-cao-tong-ket-T99-2025.docx" (the code is ASCII by the unit register's rule)."""
    return f"bao-cao-tong-ket-{unit.code}-{year}.{fmt}"
