"""Imports act for a user only inside that user's capture scope and role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.lib.importing import run_import
from phongtrao.units.models import Unit

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 12, 31)


def csv(*rows: str) -> bytes:
    return ("code,name,kind,parent_code\n" + "\n".join(rows) + "\n").encode()


def test_commune_officer_imports_inside_own_commune_only(example_units: None, make_user: Any) -> None:
    commune = Unit.objects.with_code("T99001", DAY).get()
    officer = make_user("xa1", Role.COMMUNE_OFFICER, unit=commune)
    actor = Actor(user=officer, channel="import")
    ok = run_import("units", "a.csv", csv("KDC-NEW-1,Thôn Mới,residential_area,T99001"), actor=actor)
    assert ok.ok and ok.created == 1
    before = Unit.objects.count()
    bad = run_import("units", "b.csv", csv("KDC-NEW-2,Thôn Khác,residential_area,T99002",
                                           "KDC-T99002-01,Đổi tên,residential_area,T99002"), actor=actor)
    assert not bad.ok
    assert [str(e) for e in bad.errors] == [
        "row 2: parent_code: đơn vị cấp trên “T99002” nằm ngoài phạm vi được nhập liệu của tài khoản",
        "row 3: code: đơn vị “KDC-T99002-01” nằm ngoài phạm vi được nhập liệu của tài khoản",
    ]
    assert Unit.objects.count() == before


def test_viewer_may_not_import_at_all(example_units: None, make_user: Any) -> None:
    province = Unit.objects.with_code("T99", DAY).get()
    viewer = make_user("xem1", Role.VIEWER, unit=province)
    result = run_import("units", "a.csv", csv("KDC-NEW-3,Thôn Mới,residential_area,T99001"),
                        actor=Actor(user=viewer, channel="import"))
    assert not result.ok and "không có quyền" in str(result.errors[0])
    assert not Unit.objects.filter(code="KDC-NEW-3").exists()
