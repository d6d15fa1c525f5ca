"""``phongtrao setup``: idempotent, and a changed package gives a reviewable diff, not silent changes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from phongtrao.units.models import RegisterLoad, Source, Succession, Unit, UnitAncestor

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return Unit.objects.count(), UnitAncestor.objects.count(), Succession.objects.count()


def test_setup_twice_changes_nothing(official_register: None) -> None:
    before = counts()
    loads = RegisterLoad.objects.count()
    out = io.StringIO()
    call_command("setup", stdout=out)
    call_command("setup", stdout=out)
    assert counts() == before
    assert RegisterLoad.objects.count() == loads
    assert "up to date" in out.getvalue()


def test_package_differences_are_listed_and_applied_only_when_asked(official_register: None) -> None:
    # Simulate a newer package: the database still has an old name and lacks one unit and one link.
    unit = Unit.objects.get(source=Source.OFFICIAL, code="00004", valid_from=dt.date(2025, 7, 1))
    Unit.objects.filter(pk=unit.pk).update(name="Phường Tên Cũ")
    link = Succession.objects.filter(source=Source.OFFICIAL).first()
    assert link is not None
    Succession.objects.filter(pk=link.pk).delete()

    out = io.StringIO()
    call_command("setup", stdout=out)
    text = out.getvalue()
    assert "--apply-official-changes" in text
    assert "Phường Tên Cũ" in text and "Phường Ba Đình" in text
    unit.refresh_from_db()
    assert unit.name == "Phường Tên Cũ"  # not changed silently

    call_command("setup", "--apply-official-changes", stdout=io.StringIO())
    unit.refresh_from_db()
    assert unit.name == "Phường Ba Đình"
    assert Succession.objects.filter(predecessor=link.predecessor_id, successor=link.successor_id).exists()
    out = io.StringIO()
    call_command("setup", stdout=out)
    assert "up to date" in out.getvalue()


# --- official-name corrections (units/corrections.py) -------------------------------------------------


def test_register_names_the_three_provinces_tinh_not_thanh_pho(official_register: None) -> None:
    """NQ 202/2025/QH15: Quảng Ninh, Bắc Ninh and Đồng Nai are provinces; the package says "Thành phố"."""
    import vietnam_provinces as vp

    package = {str(p.code).zfill(2): p.name for p in vp.Province.iter_all()}
    assert package["22"] == "Thành phố Quảng Ninh"  # the package as installed, left as it is
    current = dict(Unit.objects.filter(source=Source.OFFICIAL, kind="province", valid_from=dt.date(2025, 7, 1))
                   .values_list("code", "name"))
    assert (current["22"], current["24"], current["75"]) == ("Tỉnh Quảng Ninh", "Tỉnh Bắc Ninh", "Tỉnh Đồng Nai")
    assert Unit.objects.get(source=Source.OFFICIAL, code="75", valid_from=dt.date(2025, 7, 1)).subtype == "tinh"
    # Exactly the six centrally-run cities of NQ 202/2025/QH15 remain "Thành phố".
    cities = {name for name in current.values() if name.startswith("Thành phố")}
    assert cities == {"Thành phố Cần Thơ", "Thành phố Hà Nội", "Thành phố Huế", "Thành phố Hải Phòng",
                      "Thành phố Hồ Chí Minh", "Thành phố Đà Nẵng"}
    assert len(current) == 34


def test_setup_applies_the_corrections_to_an_existing_register(official_register: None) -> None:
    """A register loaded before the table existed gets the right names from plain ``setup``."""
    unit = Unit.objects.get(source=Source.OFFICIAL, code="24", valid_from=dt.date(2025, 7, 1))
    Unit.objects.filter(pk=unit.pk).update(name="Thành phố Bắc Ninh", subtype="thanh_pho_tw")
    out = io.StringIO()
    call_command("setup", stdout=out)
    unit.refresh_from_db()
    assert (unit.name, unit.subtype) == ("Tỉnh Bắc Ninh", "tinh")
    assert "--apply-official-changes" not in out.getvalue()
    out = io.StringIO()
    call_command("setup", stdout=out)
    assert "up to date" in out.getvalue()


def test_every_correction_states_its_legal_basis_and_date() -> None:
    from phongtrao.units.corrections import NAME_CORRECTIONS, correction_for

    for c in NAME_CORRECTIONS:
        assert "202/2025/QH15" in c.legal_basis and c.valid_from == dt.date(2025, 6, 12) and c.note
    # A later package that names the unit as the correction does is taken as it is.
    assert correction_for("province", "22", "new", "Tỉnh Quảng Ninh") is None
    assert correction_for("province", "22", "new", "Thành phố Quảng Ninh", on=dt.date(2025, 6, 11)) is None
