"""Writers at the same moment: officers saving on the web, imports running side by side.

Each test runs real threads, each with its own connection, against one real database (a file on
SQLite, see ``tests/concurrency.py``), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role, User
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry, Channel
from phongtrao.lib.importing import ImportResult, run_import
from phongtrao.units import importers
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Unit
from tests.concurrency import real_database, run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("small_register")]

HEADER = "code,name,kind,parent_code,households\n"
STALE = "vừa được người khác sửa sau khi bạn mở biểu mẫu"


@pytest.fixture
def small_register(transactional_db: None, example_dir: Path) -> None:
    """The national root, the example province T99 and a second province T98: enough for these tests,
    and far quicker to build after each transactional flush than the 14,000 official units."""
    system = Actor.system()
    if not Unit.objects.filter(code="VN").exists():
        do_create_unit(system, code="VN", name="Việt Nam", kind=Kind.COUNTRY)
    country = Unit.objects.get(code="VN", kind=Kind.COUNTRY)
    if not Unit.objects.filter(code="T98").exists():
        do_create_unit(system, code="T98", name="Tỉnh Thử Hai", kind=Kind.PROVINCE, parent=country)
    if not Unit.objects.filter(code="T99").exists():
        result = run_import("units", "units.csv", (example_dir / "units.csv").read_bytes(), actor=system)
        assert result.ok, [str(e) for e in result.errors]


@pytest.fixture
def shared_db(tmp_path: Path) -> Iterator[None]:
    with real_database(tmp_path):
        yield


@pytest.fixture
def officer(make_user: Any) -> User:
    return make_user("tinh-t99", Role.PROVINCE_OFFICER, unit=unit("T99"))


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, timezone.localdate()).get()


def edit_data(area: Unit, version: int, **changes: Any) -> dict[str, Any]:
    data = {"code": area.code, "name": area.name, "kind": area.kind, "parent": area.parent_id,
            "subtype": area.subtype, "households": area.households, "version": version}
    return {**data, **changes}


def saver(user: User, area: Unit, version: int, **changes: Any) -> Callable[[], Any]:
    def save() -> Any:
        client = Client()
        client.force_login(user)
        return client.post(reverse("units:edit", args=[area.pk]), edit_data(area, version, **changes))
    return save


def audit_chain(area: Unit) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="units.unit", object_id=str(area.pk)).order_by("pk"))


def assert_chain_consistent(area: Unit) -> None:
    """Each entry's "before" is the previous entry's "after", and the last "after" is what is stored."""
    from phongtrao.units.actions import snapshot

    entries = audit_chain(area)
    for previous, entry in itertools.pairwise(entries):
        assert entry.before == previous.after, (entry.action, entry.before, previous.after)
    area.refresh_from_db()
    assert entries[-1].after == snapshot(area)
    assert area.version == 1 + sum(1 for e in entries if e.before is not None)


@pytest.mark.usefixtures("shared_db")
def test_two_officers_saving_different_units_at_once_both_succeed(officer: User, make_user: Any) -> None:
    other = make_user("tinh-t99-b", Role.PROVINCE_OFFICER, unit=unit("T99"))
    first, second = unit("KDC-T99001-03"), unit("KDC-T99004-04")

    def saves(user: User, area: Unit) -> list[int]:
        def run() -> list[int]:
            codes = []
            for i in range(12):
                codes.append(saver(user, area, area.version + i, households=100 + i)().status_code)
            return codes
        return run

    results = run_together(saves(officer, first), saves(other, second))
    for result in results:
        assert not isinstance(result, BaseException), repr(result)  # e.g. "database is locked"
        assert result == [302] * 12
    for area in (first, second):
        area.refresh_from_db()
        assert (area.households, area.version) == (111, 13)


@pytest.mark.usefixtures("shared_db")
def test_two_officers_saving_the_same_unit_at_once_one_is_told_it_is_stale(officer: User, make_user: Any) -> None:
    other = make_user("tinh-t99-b", Role.PROVINCE_OFFICER, unit=unit("T99"))
    area = unit("KDC-T99001-03")
    for round_ in range(4):
        version = area.version
        results = run_together(saver(officer, area, version, households=200 + round_),
                               saver(other, area, version, households=300 + round_))
        for result in results:
            assert not isinstance(result, BaseException), repr(result)
        assert sorted(r.status_code for r in results) == [200, 302]
        refused = next(r for r in results if r.status_code == 200)
        assert STALE in refused.content.decode()  # the same message as a save that came later
        area.refresh_from_db()
        assert area.version == version + 1
    assert_chain_consistent(area)


@pytest.fixture
def pause_after_reading(monkeypatch: pytest.MonkeyPatch) -> Callable[[threading.Event], threading.Event]:
    """The units importer stops after reading the register (at its first row check) until ``go`` is set
    or three seconds pass; returns an event set when the importer got there."""

    def install(go: threading.Event) -> threading.Event:
        reached = threading.Event()
        original = importers.validate_unit

        def paused(*args: Any, **kwargs: Any) -> Any:
            if not reached.is_set():
                reached.set()
                go.wait(3)
            return original(*args, **kwargs)

        monkeypatch.setattr(importers, "validate_unit", paused)
        return reached

    return install


@pytest.mark.usefixtures("shared_db")
def test_an_import_never_writes_a_stale_copy_over_an_officers_save(
    officer: User, pause_after_reading: Callable[[threading.Event], threading.Event],
) -> None:
    area = unit("KDC-T99001-03")
    assert area.households == 509
    opened_at = area.version
    web_done = threading.Event()
    import_read = pause_after_reading(web_done)
    csv = (HEADER + f"{area.code},Khu phố 3 (mới),residential_area,T99001,509\n").encode()

    def do_import() -> ImportResult:
        return run_import("units", "units.csv", csv, actor=Actor(officer, Channel.IMPORT))

    def web_save() -> Any:
        import_read.wait(10)
        try:
            return saver(officer, area, opened_at, households=777)()
        finally:
            web_done.set()

    imported, saved = run_together(do_import, web_save)
    assert not isinstance(imported, BaseException), repr(imported)
    assert not isinstance(saved, BaseException), repr(saved)
    area.refresh_from_db()
    # The import held the unit from its read to its write; the officer's save waited, then was refused
    # as stale (the import had moved the version), with the same message as any later save.
    assert imported.ok, [str(e) for e in imported.errors]
    assert saved.status_code == 200 and STALE in saved.content.decode()
    assert (area.name, area.households, area.version) == ("Khu phố 3 (mới)", 509, opened_at + 1)
    assert_chain_consistent(area)


def area_rows(start: int, stop: int) -> bytes:
    lines = [f"KDC-CONC-{i:04d},Tổ dân phố {i},residential_area,T99001,{i}" for i in range(start, stop)]
    return (HEADER + "\n".join(lines) + "\n").encode()


@pytest.mark.usefixtures("shared_db")
def test_two_overlapping_imports_at_once_never_create_a_code_twice(
    officer: User, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each import waits at its first row check for the other (up to three seconds), so without a lock
    # both validate against a register that holds neither file's rows.
    both_reading = threading.Barrier(2, timeout=3)
    original = importers.validate_unit
    waited: set[int] = set()

    def paused(*args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            with contextlib.suppress(threading.BrokenBarrierError):
                both_reading.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(importers, "validate_unit", paused)

    def do_import(data: bytes) -> Callable[[], ImportResult]:
        return lambda: run_import("units", "units.csv", data, actor=Actor(officer, Channel.IMPORT))

    results = run_together(do_import(area_rows(0, 60)), do_import(area_rows(30, 90)))
    for result in results:
        assert not isinstance(result, BaseException), repr(result)
    held = Unit.objects.filter(code__startswith="KDC-CONC-", kind=Kind.RESIDENTIAL_AREA)
    assert held.count() == len(set(held.values_list("code", flat=True)))  # no code held twice
    ok = [r for r in results if r.ok]
    assert ok, [str(e) for r in results for e in r.errors]
    if len(ok) == 2:  # the second saw the first's rows: 30 of its rows were already there
        assert sorted(r.created for r in results) == [30, 60]
        assert held.count() == 90
    else:
        failed = next(r for r in results if not r.ok)
        assert failed.created == 0 and failed.errors
        assert held.count() == 60


def test_the_database_itself_refuses_two_open_units_with_one_code_and_kind() -> None:
    """The last line of defence on PostgreSQL: an exclusion constraint on (code, kind, validity);
    on SQLite every write transaction is immediate, so writers (and their checks) run one at a time."""
    area = unit("KDC-T99001-03")
    twin = Unit(code=area.code, name="Bản sao", kind=area.kind, parent_id=area.parent_id)
    twin.refresh_derived()
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            Unit.objects.bulk_create([twin])
    else:
        assert connection.transaction_mode == "IMMEDIATE"
        assert connection.settings_dict["OPTIONS"]["timeout"] >= 20


@pytest.mark.usefixtures("shared_db")
def test_two_provinces_importing_one_new_model_code_at_once_never_overwrite_each_other(
    officer: User, make_user: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from phongtrao.models_registry import importers as model_importers
    from phongtrao.models_registry.models import Model

    second = make_user("tinh-t98", Role.PROVINCE_OFFICER, unit=unit("T98"))
    # Both imports pause before writing until the other got there too (up to three seconds).
    both_checked = threading.Barrier(2, timeout=3)
    original = model_importers._write_models

    def paused(*args: Any, **kwargs: Any) -> Any:
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(model_importers, "_write_models", paused)
    header = "code,name,field,initiated_by,started_on,unit_code\n"

    def do_import(user: User, name: str, owner: str) -> Callable[[], ImportResult]:
        data = f"{header}MH-CONC,{name},An ninh khu dân cư,cap_xa,01/08/2025,{owner}\n".encode()
        return lambda: run_import("models", "models.csv", data, actor=Actor(user, Channel.IMPORT))

    results = run_together(do_import(officer, "Mô hình của T99", "T99"), do_import(second, "Mô hình của T98", "T98"))
    for result in results:
        assert not isinstance(result, BaseException), repr(result)
    assert [r.ok for r in results].count(True) == 1, [[str(e) for e in r.errors] for r in results]
    winner = 0 if results[0].ok else 1
    model = Model.objects.get(code="MH-CONC")
    assert (model.name, model.unit) == [("Mô hình của T99", unit("T99")), ("Mô hình của T98", unit("T98"))][winner]
    assert results[1 - winner].created == results[1 - winner].updated == 0
