"""Plans as Excel workbooks: the list (what it shows, with its filters), and one plan's objectives with their
target, the live value of the chosen year and whether it is met."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext, gettext_noop

from phongtrao.lib.xlsx import ListSheet
from phongtrao.plans.evaluation import Assessment
from phongtrao.plans.models import Plan

HEADERS = tuple(gettext_noop(title) for title in (
    "Loại", "Số văn bản", "Ngày ban hành", "Tên kế hoạch", "Địa bàn thực hiện", "Từ năm", "Đến năm", "Trạng thái",
))
OBJECTIVE_HEADERS = tuple(gettext_noop(title) for title in (
    "Mục tiêu số", "Nội dung", "Đo bằng", "So sánh", "Chỉ tiêu", "Giá trị năm", "Đạt", "Xã, đơn vị chưa đạt",
))


def plans_workbook(plans: Iterable[Plan]) -> bytes:
    sheet = ListSheet(gettext("Kế hoạch, đề án"), [gettext(h) for h in HEADERS],
                      widths=(18, 20, 14, 60, 28, 8, 8, 18))
    text, day = sheet.text, sheet.day
    for p in plans:
        sheet.append([text(p.kind.label), text(p.number), day(p.issued_on), text(p.title, wrap=True),
                      text(p.unit.name), p.from_year, p.to_year, text(p.get_status_display())])
    return sheet.to_bytes()


def measure_label(a: Assessment) -> str:
    o = a.objective
    if o.indicator is not None:
        return o.indicator.label
    if o.element is not None:
        return o.element.label
    if o.figure:
        return o.figure
    return gettext("Đánh giá thủ công")


def met_label(met: bool | None) -> str:
    return gettext("Đạt") if met else gettext("Chưa đạt") if met is False else gettext("Chưa đánh giá")


def plan_workbook(plan: Plan, year: int, assessments: Iterable[Assessment]) -> bytes:
    sheet = ListSheet(gettext("Mục tiêu năm %(year)s") % {"year": year}, [gettext(h) for h in OBJECTIVE_HEADERS],
                      widths=(10, 60, 30, 8, 12, 12, 12, 40))
    text = sheet.text
    for a in assessments:
        o = a.objective
        sheet.append([o.number, text(o.text, wrap=True), text(measure_label(a)),
                      text(o.get_comparator_display() if o.measured else ""), o.target, a.value,
                      text(met_label(a.met)), text(", ".join(u.name for u in a.failing), wrap=True)])
    return sheet.to_bytes()
