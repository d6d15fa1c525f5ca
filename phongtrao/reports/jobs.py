"""A unit's annual report document, made in the background (``core.jobs``): a province's takes a while.

``render_report_file`` is the one place that picks the format: the Word document when the .docx renderer
(``reports.render.docx.render``) is there, else the Markdown; the lead switches it at merge.
"""

from __future__ import annotations

from phongtrao.core.jobs import JobFile, JobKind, Progress, register_job_kind
from phongtrao.core.models import FileJob
from phongtrao.reports.blocks import Document
from phongtrao.reports.models import AnnualReport
from phongtrao.reports.record import record_document
from phongtrao.reports.render.markdown import render_blocks
from phongtrao.units.models import Unit

ANNUAL_REPORT = "annual_report"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_report_file(document: Document, base_name: str) -> JobFile:
    """The document as a file to download: .docx when its renderer exists, else Markdown."""
    try:
        from phongtrao.reports.render import docx  # type: ignore[attr-defined]  # written in parallel (helper "docs")
    except ImportError:
        text = f"# {document.title}\n\n" + render_blocks(document.blocks + list(getattr(document, "annex", [])))
        return JobFile(f"{base_name}.md", "text/markdown; charset=utf-8", text.encode())
    return JobFile(f"{base_name}.docx", DOCX, docx.render(document))


def build_annual_report(job: FileJob, progress: Progress) -> JobFile:
    unit: Unit = job.unit
    year = int(job.params["year"])
    progress(0, 2)
    report = AnnualReport.objects.filter(unit=unit, year=year).first()
    document = record_document(unit, year, report)  # the figures of both years: the long part
    progress(1, 2)
    made = render_report_file(document, f"bao-cao-tong-ket-{unit.code}-{year}")
    progress(2, 2)
    return made


def register() -> None:
    register_job_kind(JobKind(ANNUAL_REPORT, build_annual_report))
