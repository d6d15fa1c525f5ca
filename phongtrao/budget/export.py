"""The lines and the spending lists as Excel workbooks (what the list shows, with its filters)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext, gettext_noop

from phongtrao.budget.models import BudgetLine, Spending
from phongtrao.lib.xlsx import ListSheet

LINE_HEADERS = tuple(gettext_noop(title) for title in (
    "Đơn vị", "Năm", "Nội dung chi", "Nguồn kinh phí", "Dự toán (đồng)", "Được giao (đồng)", "Ghi chú"))
SPENDING_HEADERS = tuple(gettext_noop(title) for title in (
    "Đơn vị", "Ngày chi", "Nội dung chi", "Nguồn kinh phí", "Số tiền (đồng)", "Chi cho việc gì", "Mô hình",
    "Số km", "Số lượt thăm", "Vượt mức", "Mức tối đa (đồng)", "Lý do chi vượt mức"))


def lines_workbook(lines: Iterable[BudgetLine]) -> bytes:
    sheet = ListSheet(gettext("Dự toán kinh phí"), [gettext(h) for h in LINE_HEADERS],
                      widths=(32, 8, 36, 26, 18, 18, 30))
    text = sheet.text
    for ln in lines:
        sheet.append([text(ln.unit.name), ln.year, text(str(ln.category)), text(str(ln.source)), ln.estimate,
                      ln.allocated, text(ln.note)])
    return sheet.to_bytes()


def spending_workbook(entries: Iterable[Spending]) -> bytes:
    sheet = ListSheet(gettext("Khoản chi"), [gettext(h) for h in SPENDING_HEADERS],
                      widths=(32, 12, 36, 26, 16, 40, 30, 8, 8, 8, 16, 40))
    text, day = sheet.text, sheet.day
    for e in entries:
        sheet.append([text(e.unit.name), day(e.spent_on), text(str(e.category)), text(str(e.source)), e.amount,
                      text(e.purpose), text(e.model.name if e.model else ""), e.km, e.visits,
                      text(gettext("Có") if e.over_cap else ""), e.cap_limit, text(e.override_reason)])
    return sheet.to_bytes()
