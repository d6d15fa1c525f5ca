"""The certificates of a large recognition decision, made in the background (``core.jobs``).

A decision of ``core.jobs.background_units()`` units or more (100 by default; 5-6 s of layout) is made by
the task worker with a progress bar on its page; a smaller one is answered at once (``views.decision_certificates``).
Both read the decision's units the same way (``pages.decision_recognitions``) and print the same pages.
"""

from __future__ import annotations

from django.utils.translation import gettext

from phongtrao.core.jobs import JobFile, JobKind, Progress, register_job_kind
from phongtrao.core.models import FileJob
from phongtrao.recognition import pages
from phongtrao.recognition.documents import certificates_pdf

CERTIFICATES = "certificates"


def certificates_file_name(code: str, year: int, decision_no: str) -> str:
    return f"giay-cong-nhan-{code}-{year}-{decision_no}.pdf"


def build_certificates(job: FileJob, progress: Progress) -> JobFile:
    year, decision_no = int(job.params["year"]), str(job.params["decision"])
    recs = pages.decision_recognitions(job.unit, year, decision_no)
    if not recs:
        raise ValueError(gettext("Không có quyết định công nhận này."))
    progress(0, len(recs))
    content = certificates_pdf(recs, progress)
    return JobFile(certificates_file_name(job.unit.code, year, recs[0].decision_no), "application/pdf", content)


def register() -> None:
    register_job_kind(JobKind(CERTIFICATES, build_certificates))
