"""Template filters of the ANTT pages: status badges and labels (no logic in templates)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext, gettext_noop

from phongtrao.lib.vnformat import number
from phongtrao.recognition.models import Criterion, CriterionType, Status
from phongtrao.reports.annual import RECOGNITION_LABELS

register = template.Library()

BADGES = {
    Status.NOT_REGISTERED: "text-bg-light border",
    Status.REGISTERED: "text-bg-info",
    Status.SELF_ASSESSED: "text-bg-primary",
    Status.SUBMITTED: "text-bg-primary",
    Status.UNDER_REVIEW: "text-bg-warning",
    Status.RECOGNISED: "text-bg-success",
    Status.NOT_RECOGNISED: "text-bg-danger",
    Status.WITHDRAWN: "text-bg-dark",
}


@register.filter
def status_badge(status: str) -> str:
    """{{ "recognised"|status_badge }} -> the Bootstrap badge classes of a status."""
    return BADGES.get(status, "text-bg-light border")  # type: ignore[call-overload]


@register.filter
def status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


# The annual report's names of the kinds (reports.annual.RECOGNITION_LABELS, which the Vietnamese Markdown
# report uses), capitalised, for the pages in the reader's language.
SECTION_LABELS = {
    "residential_area": gettext_noop("Thôn, khu phố"),
    "commune": gettext_noop("Xã, phường, đặc khu"),
    "organisation": gettext_noop("Cơ quan, doanh nghiệp, cơ sở giáo dục"),
    "agency": gettext_noop("Cơ quan"),
    "enterprise": gettext_noop("Doanh nghiệp"),
    "school": gettext_noop("Cơ sở giáo dục"),
}


@register.filter
def section_label(key: str) -> str:
    """ "residential_area" -> "Thôn, khu phố" (the annual report's names of the kinds) in the active language."""
    if key in SECTION_LABELS:
        return gettext(SECTION_LABELS[key])
    label = RECOGNITION_LABELS.get(key, key)
    return label[:1].upper() + label[1:]


@register.filter
def criterion_rule(criterion: Criterion) -> str:
    """How a criterion is assessed, with its number: "Có ít nhất 2", "Tỷ lệ đạt từ 95% trở lên"."""
    threshold = criterion.threshold
    if criterion.type == CriterionType.AT_LEAST_N and threshold is not None:
        return gettext("Có ít nhất %(n)s") % {"n": number(threshold)}
    if criterion.type == CriterionType.PERCENT_THRESHOLD and threshold is not None:
        return gettext("Tỷ lệ đạt từ %(percent)s trở lên") % {"percent": number(threshold) + "%"}
    return str(criterion.get_type_display())
