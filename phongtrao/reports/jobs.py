"""A unit's annual report document, made in the background (``core.jobs``): a province's takes a while.

``render_report_file`` makes the Word document (``reports.render.docx``) with the issued report's number,
date and signer in its header and signature (``report_meta``).
"""

from __future__ import annotations

from dataclasses import replace

from phongtrao.core.jobs import JobFile, JobKind, Progress, register_job_kind
from phongtrao.core.models import FileJob
from phongtrao.reports.blocks import Document
from phongtrao.reports.models import AnnualReport
from phongtrao.reports.record import record_document
from phongtrao.reports.render.docx import render_docx
from phongtrao.reports.render.meta import DocumentMeta, default_meta
from phongtrao.units.models import Unit

ANNUAL_REPORT = "annual_report"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_meta(unit: Unit, year: int, report: AnnualReport | None) -> DocumentMeta:
    """The document's header and signature: the unit's defaults (``reports.render.meta``), with an issued
    report's number, date and signer."""
    meta = default_meta(unit, year)
    if report is None or not report.issued_on:
        return meta
    lines = [str(line) for line in report.signer_lines] + ["", "", ""]
    return replace(meta, number=report.number.split("/")[0], day=report.issued_on,
                   sign_for=lines[0] or meta.sign_for, signer_deputy=lines[1] if lines[0] else meta.signer_deputy,
                   signer_title=lines[2] if lines[0] else meta.signer_title,
                   signer_name=report.signer_name or meta.signer_name)


def render_report_file(document: Document, base_name: str, meta: DocumentMeta) -> JobFile:
    """The document as a Word file (NĐ 30/2020 layout, ``reports.render.docx``)."""
    return JobFile(f"{base_name}.docx", DOCX, render_docx(document, meta))


def build_annual_report(job: FileJob, progress: Progress) -> JobFile:
    unit: Unit = job.unit
    year = int(job.params["year"])
    progress(0, 2)
    report = AnnualReport.objects.filter(unit=unit, year=year).first()
    document = record_document(unit, year, report)  # the figures of both years: the long part
    progress(1, 2)
    made = render_report_file(document, f"bao-cao-tong-ket-{unit.code}-{year}", report_meta(unit, year, report))
    progress(2, 2)
    return made


def register() -> None:
    register_job_kind(JobKind(ANNUAL_REPORT, build_annual_report))
