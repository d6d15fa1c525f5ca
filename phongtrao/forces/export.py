"""The team list as an Excel workbook (what the list shows, with its filters)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext, gettext_noop

from phongtrao.forces.models import Team
from phongtrao.lib.xlsx import ListSheet

HEADERS = tuple(gettext_noop(title) for title in (
    "Khu dân cư", "Xã/Phường", "Số quyết định thành lập", "Ngày quyết định", "Ngày bắt đầu hoạt động", "Tổ trưởng",
    "Tổ phó", "Tổ viên", "Tổng số thành viên", "Số thành viên theo quy mô", "Trạng thái", "Ngày giải thể",
))


def workbook(teams: Iterable[Team]) -> bytes:
    sheet = ListSheet(gettext("Tổ bảo vệ ANTT"), [gettext(h) for h in HEADERS],
                      widths=(32, 28, 20, 14, 14, 10, 10, 10, 12, 12, 16, 14))
    text, day = sheet.text, sheet.day
    for t in teams:
        sheet.append([text(t.unit.name), text(t.unit.parent.name if t.unit.parent else ""), text(t.decision_no),
                      day(t.decision_date), day(t.started_on), t.leaders, t.deputies, t.members, t.total_members,
                      t.required_members, text(t.get_status_display()), day(t.dissolved_on)])
    return sheet.to_bytes()
