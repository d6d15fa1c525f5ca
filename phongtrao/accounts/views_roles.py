"""The page "what each role may do": the policy table (``accounts/policies.py``) as the site shows it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from phongtrao.accounts.models import Role
from phongtrao.accounts.policies import SCOPE_LABELS, Policy, table
from phongtrao.accounts.views_users import manager_required
from phongtrao.lib.importing import IMPORT_KINDS
from phongtrao.units.models import Kind


@manager_required
@require_GET
def role_table(request: HttpRequest) -> HttpResponse:
    """For the user managers, who give the roles: every permission, and which role holds it where."""
    rows = table({kind: spec.label for kind, spec in IMPORT_KINDS.items()})
    return render(request, "accounts/users/roles.html", {
        "roles": [label for _value, label in Role.choices],
        "rows": [(row.policy, SCOPE_LABELS[row.policy.scope], list(zip(row.holders, _kind_notes(row.policy),
                                                                        strict=True))) for row in rows]})


def _kind_notes(policy: Policy) -> list[str]:
    """For each role, the kinds of unit it holds the permission on when not every kind ("" otherwise)."""
    notes = []
    for role in Role.values:
        kinds = policy.kinds_for(role)
        notes.append(", ".join(str(Kind(k).label) for k in Kind.values if k in kinds) if kinds else "")
    return notes
