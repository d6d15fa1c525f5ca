"""Shared fixtures.

The official register (about 14,000 units) is loaded once per test session into
the test database; ordinary tests run inside a transaction that is rolled back,
so they all see it. Transactional tests (the browser tests) flush the tables
afterwards; pytest-django runs them after the others, and ``official_register``
reloads it when a transactional test needs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "examples" / "tinh-thu-nghiem"
if not EXAMPLES.is_dir():  # CI clones the project with shared/ beside it
    EXAMPLES = Path(os.environ.get("PHONGTRAO_EXAMPLES", "../shared/examples/tinh-thu-nghiem")).resolve()

PASSWORD = "Mat-khau-thu-nghiem-2025"


# The browser tests' screenshots: into docs/img/ when asked (PHONGTRAO_SCREENSHOTS=1, to refresh the docs'
# pictures), otherwise into a temporary folder, so a test run leaves the working tree clean.
DOCS_IMG = Path(__file__).resolve().parent.parent / "docs" / "img"


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    return DOCS_IMG if os.environ.get("PHONGTRAO_SCREENSHOTS") == "1" else tmp_path


def browser_sign_in(page: Any, base: str, username: str) -> None:
    """Sign ``username`` in through the login form in Chromium and wait until the form is left behind."""
    from django.urls import reverse

    page.goto(f"{base}{reverse('accounts:login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


@pytest.fixture(autouse=True, scope="session")
def _fast_test_settings() -> Iterator[None]:
    """PBKDF2 costs ~0.3 s a user; tests need correct hashing, not slow hashing. The only copy of this
    setting: session-wide, so module-scoped fixtures (the route walk's world) hash fast too.

    WhiteNoise looks static files up when asked (as with DEBUG) instead of listing all of them again for
    every test client's middleware (15 ms a client): same files served, same headers."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                           WHITENOISE_AUTOREFRESH=True):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    from phongtrao.units.official import load_official

    with django_db_blocker.unblock():
        load_official()
        _OFFICIAL_ROWS.extend(_snapshot_official())


@pytest.fixture
def official_register(db: None) -> None:
    """Make sure the official register is present (restores it after a transactional flush)."""
    ensure_official_register()


# The tables ``load_official`` writes, with their rows as the session's first load left them. A transactional
# test (the browser tests' live server) empties the database when it ends; the next one gets the same rows back
# by plain inserts (a fraction of a second) instead of loading the package again (4 s).
_OFFICIAL_MODELS = ("Unit", "UnitAncestor", "Succession", "RegisterLoad")
_OFFICIAL_ROWS: list[tuple[str, list[str], list[tuple[Any, ...]]]] = []


def _snapshot_official() -> list[tuple[str, list[str], list[tuple[Any, ...]]]]:
    from django.apps import apps
    from django.db import connection

    tables = []
    with connection.cursor() as cursor:
        for name in _OFFICIAL_MODELS:
            table = apps.get_model("units", name)._meta.db_table
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own table names
            columns = [c[0] for c in cursor.description]
            tables.append((table, columns, cursor.fetchall()))
    return tables


def ensure_official_register() -> None:
    from django.db import connection

    from phongtrao.units.models import Unit
    from phongtrao.units.official import load_official

    if Unit.objects.filter(code="VN").exists():
        return
    if not _OFFICIAL_ROWS or Unit.objects.exists():  # nothing to restore, or a partial register: load for real
        load_official()
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, columns, rows in _OFFICIAL_ROWS:
            if connection.vendor == "postgresql":  # COPY: one stream instead of a round trip a row
                with cursor.cursor.copy(f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                continue
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES ({marks})"  # noqa: S608
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, rows[start:start + 5000])
        if connection.vendor == "postgresql":  # the next new row must not take a restored id
            for table, _columns, rows in _OFFICIAL_ROWS:
                if rows:
                    top = f"SELECT MAX(id) FROM {quote(table)}"  # noqa: S608 - our own table names
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({top}))", [table])


@pytest.fixture
def example_dir() -> Path:
    assert EXAMPLES.is_dir(), f"shared examples not found at {EXAMPLES}"
    return EXAMPLES


@pytest.fixture
def example_units(official_register: None, example_dir: Path) -> None:
    """The fictional province T99 from shared/examples, imported through the real importer."""
    import_example_units(example_dir)


def import_example_units(example_dir: Path = EXAMPLES) -> None:
    from phongtrao.audit.actions import Actor
    from phongtrao.lib.importing import run_import

    result = run_import("units", "units.csv", (example_dir / "units.csv").read_bytes(), actor=Actor.system())
    assert result.ok, [str(e) for e in result.errors]


def create_user(username: str = "officer", role: str | None = None, unit: Any = None, *,
                view: Any = None, **extra: Any) -> Any:
    """A user of ``role`` (default: administrator); with ``unit``, a capture scope on it (and a view scope on
    ``view``). The ``make_user`` fixture's function, for module-scoped worlds built with ``built_once``."""
    from phongtrao.accounts.actions import do_grant_scope
    from phongtrao.accounts.models import Role, ScopeKind, User
    from phongtrao.audit.actions import Actor

    role = role or Role.ADMIN
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, unit=unit, **extra)
    if unit is not None:
        do_grant_scope(Actor.system(), user, unit, ScopeKind.VIEW if role in (Role.VIEWER,) else ScopeKind.CAPTURE)
    if view is not None:
        do_grant_scope(Actor.system(), user, view, ScopeKind.VIEW)
    return user


@pytest.fixture
def make_user(db: None) -> Any:
    return create_user


@contextmanager
def built_once(django_db_blocker: Any) -> Iterator[None]:
    """For a module-scoped fixture: what it builds is made once, inside a transaction rolled back after the
    module's last test; each test runs in a savepoint of it (pytest-django's ordinary test transaction), so
    what one test writes is gone before the next. Only for modules without transactional tests (a flush
    would empty the shared world). Keep model instances in the world read-only in tests (refresh or re-read
    before changing one), since the same Python objects serve every test."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser), started once a run: each test gets
    its own context (``page``, or ``browser.new_context()``), which shares no cookies or storage with another."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # as the contexts' own timeout: a loaded machine answers slowly

    executable = os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def run_command(*args: str) -> None:
    call_command(*args)
