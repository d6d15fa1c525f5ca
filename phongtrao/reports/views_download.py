"""The annual report's downloads: ``/reports/<code>/<year>/annual.<fmt>`` (docx, pdf, xlsx, md).

The unit comes through ``recognition.pages.unit_for_year`` like the province and commune pages: a unit
outside the user's scope and an unknown code are both a 404, so a download says nothing about units the
user may not see.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from phongtrao.recognition import pages
from phongtrao.reports.render.formats import FORMATS, annual_file, file_name
from phongtrao.units.models import Kind

REPORT_KINDS = (Kind.PROVINCE, Kind.COMMUNE)


@require_GET
@login_required
def annual_download(request: HttpRequest, code: str, year: int, fmt: str) -> HttpResponse:
    """The annual report of a province or commune the user may see, as a file."""
    if fmt not in FORMATS:
        raise Http404("Định dạng không hợp lệ.")
    unit = pages.unit_for_year(request, code, year, REPORT_KINDS)
    response = HttpResponse(annual_file(unit, year, fmt), content_type=FORMATS[fmt].content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name(unit, year, fmt)}"'
    return response
