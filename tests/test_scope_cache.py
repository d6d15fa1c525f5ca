"""The scope filters read a user's scopes once per request (``accounts.access.scope_roots_read_once``) and name
the roots by id; a scope granted or removed in the same request is seen at once, and nothing leaks between
requests or users."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from phongtrao.accounts.access import capture_units, scope_roots_read_once, visible_units
from phongtrao.accounts.actions import do_grant_scope, do_set_scopes
from phongtrao.accounts.models import Role, ScopeKind
from phongtrao.audit.actions import Actor
from phongtrao.units.models import Unit

pytestmark = pytest.mark.usefixtures("example_units")


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, timezone.localdate()).get()


def test_scopes_read_once_per_request_and_changes_seen_at_once(make_user: Any,
                                                               django_assert_num_queries: Any) -> None:
    commune, other = unit("T99001"), unit("T99002")
    officer = make_user("canbo.xa", Role.COMMUNE_OFFICER, commune)
    inside = set(Unit.objects.in_subtree(commune).values_list("pk", flat=True))
    both = inside | set(Unit.objects.in_subtree(other).values_list("pk", flat=True))
    with scope_roots_read_once():
        with django_assert_num_queries(3):  # the scopes once, then the two lists
            assert set(visible_units(officer).values_list("pk", flat=True)) == inside
            assert set(capture_units(officer).values_list("pk", flat=True)) == inside
        do_grant_scope(Actor.system(), officer, other, ScopeKind.VIEW)
        assert set(visible_units(officer).values_list("pk", flat=True)) == both
        assert set(capture_units(officer).values_list("pk", flat=True)) == inside
        admin = make_user("quantri", Role.ADMIN)
        do_set_scopes(Actor(user=admin), officer.pk, [(commune, ScopeKind.CAPTURE)])
        assert set(visible_units(officer).values_list("pk", flat=True)) == inside
    # outside a request nothing is kept: each call reads the scopes
    with django_assert_num_queries(2):  # the scopes, the list
        assert set(visible_units(officer).values_list("pk", flat=True)) == inside
    another = make_user("canbo.xa2", Role.COMMUNE_OFFICER, other)
    with scope_roots_read_once():
        assert set(visible_units(officer).values_list("pk", flat=True)) == inside
        assert set(visible_units(another).values_list("pk", flat=True)) == both - inside
