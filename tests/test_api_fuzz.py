"""Schemathesis against API v1: no input makes a server error (5xx), for any operation.

The generated requests go through the WSGI application in-process, on the test's own database
connection and inside its transaction (pytest-django's ``db``), so they see the official register
and everything they write is rolled back after each operation. Bounded and deterministic: a fixed
seed, derandomized Hypothesis, a few dozen examples per operation, no example database on disk.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from phongtrao.accounts.models import Role
from phongtrao.api.actions import do_create_token
from phongtrao.audit.actions import Actor

MAX_EXAMPLES = 25


@pytest.fixture
def same_connection() -> Iterator[None]:
    """Keep the test's connection open across requests, as Django's test client does.

    The WSGI handler closes "old" connections at the start and end of each request; inside the
    test's transaction that would break it.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_key(official_register: None, make_user: Any, same_connection: None) -> str:
    """A real token of an administrator, on a database with the official register."""
    admin = make_user("fuzz", Role.ADMIN)
    _, key = do_create_token(Actor(user=admin), admin, name="schemathesis")
    return key


def _load_schema() -> Any:
    """Loaded through the WSGI application at collection time (the document needs no database).

    Not ``schemathesis.pytest.from_fixture``: with pytest 9 it fails on ``request.node._nodeid``.
    """
    from phongtrao.wsgi import application

    config = SchemathesisConfig.from_dict({
        "seed": 20250701,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
    })
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=config)


schema = _load_schema()


@schema.parametrize()
# The token and the transaction are meant to be shared by every generated request of an operation.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_input_makes_a_server_error(case: Any, api_key: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {api_key}"}, checks=[not_a_server_error])
