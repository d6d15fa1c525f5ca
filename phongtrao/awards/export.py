"""Excel export of award recipients (the decisions list's "Xuất Excel")."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext, gettext_noop

from phongtrao.awards.models import AwardRecipient
from phongtrao.lib.vnformat import date_text
from phongtrao.lib.xlsx import ListSheet

HEADERS = tuple(gettext_noop(title) for title in (
    "Năm", "Số quyết định", "Ngày quyết định", "Hình thức khen thưởng", "Cơ quan ban hành", "Đối tượng",
    "Tên", "Chức vụ", "Mã đơn vị", "Đơn vị", "Thành tích",
))
WIDTHS = (8, 18, 14, 40, 30, 10, 32, 24, 16, 32, 60)


def recipients_workbook(recipients: Iterable[AwardRecipient]) -> bytes:
    sheet = ListSheet(gettext("Khen thưởng"), [gettext(h) for h in HEADERS], widths=WIDTHS)
    text = sheet.text
    for r in recipients:
        d = r.decision
        sheet.append([d.year, text(d.number), text(date_text(d.date) if d.date else ""), text(d.award_type.name),
                      text(d.issuer), text(r.get_kind_display()), text(r.name), text(r.title), text(r.unit.code),
                      text(r.unit.name), text(r.achievement)])
    return sheet.to_bytes()
