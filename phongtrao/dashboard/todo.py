"""The "việc cần làm" of the home page: what waits for this user's action, across every workflow.

Each workflow knows its own waiting items. A provider ``fn(user, today)`` returns the rows it has for the
user (``TodoRow``: a label, a count, a link); it returns no row for a role that cannot act on that kind of
item, and a row with 0 when the role could act but nothing waits. Every count is one set-based query
scoped with ``phongtrao.accounts.access`` (never a loop over units). The providers live in this app
(``todo_<app>.py``), registered at ``ready()``, so the domain apps are not edited for the home page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class TodoRow:
    key: str  # "<app>.<what>", e.g. "recognition.review"
    label: str | Promise  # gettext_lazy: what waits, in the reader's language
    count: int
    url: str  # where the waiting items are listed
    group: str | Promise = ""  # the workflow's name, for the heading of its rows

    @property
    def slug(self) -> str:
        """The key as an HTML id part: "recognition-review"."""
        return self.key.replace(".", "-").replace("_", "-")


Provider = Callable[[Any, dt.date], list[TodoRow]]

PROVIDERS: dict[str, tuple[int, Provider]] = {}


def register(key: str, fn: Provider, *, order: int = 100) -> None:
    """Add a workflow's provider (``key``: the app, e.g. "recognition"); registering again replaces it."""
    PROVIDERS[key] = (order, fn)


def rows_for(user: Any, today: dt.date) -> list[TodoRow]:
    """Every provider's rows for ``user``, in the providers' order."""
    rows: list[TodoRow] = []
    for _order, fn in sorted(PROVIDERS.values(), key=lambda entry: entry[0]):
        rows.extend(fn(user, today))
    return rows
