"""Commune officers' accounts in bulk from a sheet (CSV or XLSX, one row per commune):

    ma_xa | ten_dang_nhap | ho_ten | email (optional)

read with the importers' reader (``lib.importing.open_table``), created all or nothing by
``actions.do_create_commune_officers``; the one-time passwords are given back once, on the page or
as an .xlsx, and never kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import TYPE_CHECKING

from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.actions import NewOfficer
from phongtrao.lib.importing import RowError, open_table
from phongtrao.lib.tabular import Column, FileFormatError
from phongtrao.lib.xlsx import ListSheet

if TYPE_CHECKING:
    from phongtrao.accounts.models import User

COLUMNS = [
    Column("commune_code", "Mã xã", required=True),
    Column("username", "Tên đăng nhập", required=True),
    Column("full_name", "Họ tên", required=True),
    Column("email", "Thư điện tử"),
]
COLUMN_LABELS = {"commune_code": gettext_lazy("Mã xã"), "username": gettext_lazy("Tên đăng nhập"),
                 "full_name": gettext_lazy("Họ tên"), "email": gettext_lazy("Thư điện tử")}
MAX_ROWS = 5000


def read_sheet(name: str, data: bytes) -> tuple[list[NewOfficer], list[RowError]]:
    """The rows of the sheet, or the errors that stop reading it (unreadable file, missing column)."""
    try:
        result, table = open_table("commune_accounts", name, data, COLUMNS, dry_run=True)
    except FileFormatError as exc:
        return [], [RowError(0, "", str(exc))]
    if table is None:
        return [], result.errors
    # ``table.rows`` is an iterator over the file: read one row past the limit, never the whole file.
    rows = list(islice(table.rows, MAX_ROWS + 1))
    if len(rows) > MAX_ROWS:
        return [], [RowError(0, "", gettext("Tệp có quá %(n)s dòng.") % {"n": MAX_ROWS})]
    return [NewOfficer(row=number, commune_code=cells.get("commune_code", "").strip(),
                       username=cells.get("username", "").strip(), full_name=cells.get("full_name", "").strip(),
                       email=cells.get("email", "").strip()) for number, cells in rows], []


def template_workbook() -> bytes:
    """The empty sheet to fill in: the header row and one example row."""
    sheet = ListSheet(gettext("Tài khoản cán bộ xã"), [c.label for c in COLUMNS], widths=(12, 24, 32, 32))
    sheet.append([sheet.text("T99001"), sheet.text("canbo.t99001"), sheet.text("Nguyễn Văn A"), sheet.text("")])
    return sheet.to_bytes()


def passwords_workbook(created: Sequence[tuple[User, str]]) -> bytes:
    """The accounts just created with their one-time passwords (to hand out, then destroy)."""
    headers = [gettext("Mã xã"), gettext("Tên xã"), gettext("Tên đăng nhập"), gettext("Họ tên"),
               gettext("Mật khẩu tạm (đổi khi đăng nhập lần đầu)")]
    sheet = ListSheet(gettext("Tài khoản cán bộ xã"), headers, widths=(12, 32, 24, 32, 26))
    for user, password in created:
        unit = user.unit
        assert unit is not None  # a commune officer's account always has its commune
        sheet.append([sheet.text(unit.code), sheet.text(unit.name), sheet.text(user.username),
                      sheet.text(user.get_full_name()), sheet.text(password)])
    return sheet.to_bytes()
