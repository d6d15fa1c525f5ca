"""Who may see and attach files to which records: each owning app registers a policy for its model.

The attachments app knows no domain rule. A record's attachments are visible exactly when the record
is (``visible``), and may be added or removed by whoever may change the record's dossier
(``can_attach``); the owning app registers that at ``ready()``::

    register_owner(OwnerPolicy(key="recognition", model=Recognition, visible=..., can_attach=...,
                               unit_of=lambda rec: rec.unit, page_url=...))

so plans, award decisions and any later record reuse the same upload, list, download and removal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Model, QuerySet

if TYPE_CHECKING:
    from phongtrao.accounts.access import AnyUser
    from phongtrao.units.models import Unit


@dataclass(frozen=True)
class OwnerPolicy:
    """The access rules of one kind of record that carries attachments."""

    key: str  # in URLs: /dinh-kem/<key>/<id>/them/
    model: type[Model]
    visible: Callable[[AnyUser], QuerySet[Any]]  # the records the user may read
    can_attach: Callable[[AnyUser, Any], bool]  # may add and remove files on this (visible) record
    unit_of: Callable[[Any], Unit]  # the unit the record belongs to (audit rows, scoped audit pages)
    page_url: Callable[[Any], str]  # where the record's files are listed

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


_POLICIES: dict[str, OwnerPolicy] = {}


def register_owner(policy: OwnerPolicy) -> None:
    _POLICIES[policy.key] = policy


def policy_for_key(key: str) -> OwnerPolicy | None:
    return _POLICIES.get(key)


def policy_for(obj_or_model: Any) -> OwnerPolicy:
    label = obj_or_model._meta.label_lower
    for policy in _POLICIES.values():
        if policy.label == label:
            return policy
    raise LookupError(f"no attachment policy registered for {label}")


def policies() -> list[OwnerPolicy]:
    return list(_POLICIES.values())
