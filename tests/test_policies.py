"""Who may do what: the one table of ``phongtrao/accounts/policies.py``, asked through ``accounts.access``.

- no app checks a role itself (read from the source, as tests/test_layering.py reads imports);
- every permission the code asks is in the table, and every entry of the table is asked somewhere;
- each role holds what the rules say (an expectation written out here by hand, not read from the table);
- the menu and the templates follow the table: change an entry and the menu entry and the page change together.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from phongtrao.accounts import access, policies
from phongtrao.accounts.models import Role, User
from phongtrao.accounts.policies import POLICIES, Policy, Scope, declare, import_policy, policy
from phongtrao.accounts.views import account_nav
from phongtrao.lib.importing import IMPORT_KINDS
from phongtrao.recognition.actions import ALL_MOVES, allowed_moves
from phongtrao.units.models import Unit
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent / "phongtrao"
TABLE = {"phongtrao/accounts/policies.py", "phongtrao/accounts/access.py"}  # the table and the one asker

# A role check: comparing a role, or testing it against a set of roles, or reading who is a superuser.
ROLE_CHECKS = [
    re.compile(r"\.role\s*(==|!=|\bin\b|\bnot\s+in\b)"),
    re.compile(r"\brole\s*(==|!=)"),
    re.compile(r"(?<!for )\brole\s+(not\s+)?in\s+(?!Role\.values\b)"),  # "is it a role at all" reads Role.values
    re.compile(r"(==|!=)\s*Role\."),
    re.compile(r"\bRole\.[A-Z_]+\s*(==|!=|\bin\b|\bnot\s+in\b)"),
    re.compile(r"\bin\s+[\w.]*(_ROLES|EDITORS|CAPTURERS|DECIDERS|MANAGERS)\b"),
    re.compile(r"getattr\([^)]*[\"']role[\"']"),
    re.compile(r"\.is_superuser\b|\.is_staff\b"),
]
# Lines that read a role without deciding what its holder may do.
NOT_A_PERMISSION = {
    ("phongtrao/accounts/models.py", "self.role == Role.ADMIN"): "User.is_admin, the role field's own meaning",
    ("phongtrao/accounts/actions.py", 'user.role != before["role"]'): "whether an edit changes the role",
}


def sources() -> list[tuple[str, str]]:
    """(path from the repository, text) of every Python module and template of the project."""
    files = [p for p in ROOT.rglob("*") if p.suffix in (".py", ".html") and "migrations" not in p.parts]
    return sorted((str(p.relative_to(ROOT.parent)), p.read_text(encoding="utf-8")) for p in files)


def role_checks(path: str, text: str) -> list[str]:
    return [f"{path}:{number}: {line.strip()}" for number, line in enumerate(text.splitlines(), start=1)
            if any(rx.search(line) for rx in ROLE_CHECKS)
            and not any(path == where and seen in line for where, seen in NOT_A_PERMISSION)]


def test_the_role_check_finder_finds_the_checks_this_table_replaced() -> None:
    """The lines the apps had before the table (recognition, models, awards, otp, demo) are all caught,
    and a declaration, a query filter or a validation of the role value is not."""
    before = ['role = getattr(user, "role", None)', "if role in access.DATA_CAPTURERS or role in access.DECIDERS:",
              "if (captures and role != Role.ORG_REPORTER) or decides:",
              "return unit is not None and user.role in REGISTER_EDITORS and can_change(user, unit)",
              "(is_admin(user) or user.role == Role.PROVINCE_OFFICER)", "user.role in TOTP_ROLES",
              'is_staff=login.role == "admin", is_superuser=login.role == "admin")',
              "ScopeKind.VIEW if login.role == Role.VIEWER else ScopeKind.CAPTURE",
              "if acting is not None and Role.COMMUNE_OFFICER not in grantable_roles(acting):",
              "{% if request.user.is_superuser %}"]
    assert [line for line in before if not role_checks("x.py", line)] == []
    fine = ['declare(Policy("import.awards", DECIDERS | {Role.PROVINCE_OFFICER}, label))',
            'users = users.filter(role=form.value("role"))', "if role not in Role.values:",
            "for role in Role.values:", "rows.append((login.username, str(Role(login.role).label)))"]
    assert [line for line in fine if role_checks("x.py", line)] == []


def test_no_role_is_checked_outside_the_policy_table() -> None:
    found = [hit for path, text in sources() if path not in TABLE for hit in role_checks(path, text)]
    assert found == [], ("a role check outside accounts/policies.py: declare a permission there (or at the "
                         "app's ready()) and ask access.may / holds / require", found)


# Where a template names a permission: the filter and the tag of ``policy_tags``.
TEMPLATE_ASKS = re.compile(r"""\|holds:"([a-z_]+\.[a-z_]+)"|{%\s*may\s+\S+\s+"([a-z_]+\.[a-z_]+)\"""")
ASKERS = {"may", "holds", "require"}


def asked_permissions() -> set[str]:
    """The permissions the code asks for by name: calls of access.may/holds/require (read with ``ast``, so a
    docstring's example counts for nothing), the templates' filter and tag, and the recognition moves."""
    names = set(policies.RECOGNITION_MOVES.values())
    for path, text in sources():
        if path.endswith(".html"):
            names |= {name for m in TEMPLATE_ASKS.finditer(text) for name in m.groups() if name}
            continue
        for node in ast.walk(ast.parse(text)):
            if not (isinstance(node, ast.Call) and len(node.args) >= 2):
                continue
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if func in ASKERS and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                names.add(node.args[1].value)
    return names


def test_every_permission_asked_is_declared_and_every_declared_one_is_asked() -> None:
    asked = asked_permissions()
    assert {"units.edit", "data.capture", "decisions.record", "users.manage", "models.edit"} <= asked  # the finder
    assert asked - set(POLICIES) == set()
    imports = {f"import.{kind}" for kind in IMPORT_KINDS}
    assert set(POLICIES) - asked - imports == set(), "declared but never asked: remove it or ask it"
    # Every import kind of these apps declares its own permission (none falls back to the default).
    assert {f"import.{kind}" for kind in ("units", "recognitions", "models", "model_sites", "awards",
                                          "data_values", "force_teams", "force_ratings")} <= set(POLICIES)
    assert {name for name in POLICIES if name.startswith("import.")} <= imports


def test_the_recognition_moves_are_the_cycles_moves() -> None:
    assert set(policies.RECOGNITION_MOVES) == set(ALL_MOVES)


# What each role may do, written out from the rules (DOMAIN.md, the actions' docstrings), not read from the table.
EXPECTED: dict[str, set[str]] = {
    Role.ADMIN: {"units.edit", "units.carry_over", "import.successions",
                 "data.capture", "decisions.record", "recognition.start_review",
                 "recognition.withdraw", "models.edit", "models.national_catalogue", "awards.catalogue",
                 "users.manage", "users.reset_totp", "accounts.totp", "import.units", "import.recognitions",
                 "import.models", "import.model_sites", "import.awards", "datasets.enter", "datasets.enter_late",
                 "datasets.province_catalogue", "datasets.national_catalogue", "import.data_values",
                 "datasets.review", "forces.edit", "forces.rate", "forces.review", "forces.rules",
                 "import.force_teams", "import.force_ratings", "classification.score", "classification.review",
                 "classification.scorecards", "import.classifications", "budget.edit", "budget.fund",
                 "import.budget_lines", "import.spending", "plans.edit",
                 "plans.report_task", "import.plans", "import.plan_objectives", "import.plan_tasks",
                 "plans.organisations", "reports.write", "reports.issue", "plans.committees"},
    Role.PROVINCE_OFFICER: {"units.edit", "units.carry_over", "import.successions", "data.capture",
                            "recognition.start_review", "recognition.withdraw",
                            "models.edit", "awards.catalogue", "users.manage", "accounts.totp", "import.units",
                            "import.recognitions", "import.models", "import.model_sites", "import.awards",
                            "datasets.enter", "datasets.enter_late", "datasets.province_catalogue",
                            "import.data_values", "datasets.review", "forces.edit", "forces.rate", "forces.review",
                            "forces.rules", "import.force_teams", "import.force_ratings", "classification.score",
                            "classification.review", "classification.scorecards", "import.classifications",
                            "budget.edit", "budget.fund", "import.budget_lines", "import.spending",
                            "plans.edit", "plans.report_task", "import.plans", "import.plan_objectives",
                            "import.plan_tasks", "plans.organisations", "reports.write", "plans.committees"},
    Role.COMMUNE_OFFICER: {"units.edit", "import.successions", "data.capture",
                           "recognition.start_review", "recognition.withdraw",
                           "models.edit", "import.units", "import.recognitions", "import.models",
                           "import.model_sites", "datasets.enter", "import.data_values", "forces.edit",
                           "forces.rate", "import.force_teams", "import.force_ratings", "classification.score",
                           "budget.edit", "import.budget_lines", "import.spending",
                           "plans.edit", "plans.report_task", "import.plans", "import.plan_objectives",
                           "import.plan_tasks", "reports.write", "plans.committees"},
    Role.ORG_REPORTER: {"data.capture", "recognition.withdraw", "import.recognitions", "datasets.enter",
                        "import.data_values", "plans.report_task"},
    Role.APPROVER: {"decisions.record", "recognition.start_review", "recognition.withdraw", "import.recognitions",
                    "import.awards", "datasets.review", "reports.issue"},
    Role.VIEWER: set(),
}
# The moves of the ANTT cycle each role may make on a unit in its capture scope.
EXPECTED_MOVES = {
    Role.ADMIN: {"register", "self_assess", "submit", "start_review", "decide", "withdraw"},
    Role.PROVINCE_OFFICER: {"register", "self_assess", "submit", "start_review", "withdraw"},
    Role.COMMUNE_OFFICER: {"register", "self_assess", "submit", "start_review", "withdraw"},
    Role.ORG_REPORTER: {"register", "self_assess", "submit", "withdraw"},
    Role.APPROVER: {"start_review", "decide", "withdraw"},
    Role.VIEWER: set(),
}


def test_each_role_holds_exactly_what_the_rules_say() -> None:
    assert set(EXPECTED) == set(Role.values)
    for role in Role.values:
        held = {name for name, rule in POLICIES.items() if rule.held_by(role)}
        assert held == EXPECTED[role], role
    assert all(rule.held_by(Role.ADMIN) for rule in POLICIES.values())


def test_declaring_refuses_unknown_roles_a_policy_without_administrators_and_a_changed_entry() -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        declare(Policy("test.x", frozenset({Role.ADMIN, "chief"}), "x"))
    with pytest.raises(ValueError, match="administrators"):
        declare(Policy("test.x", frozenset({Role.VIEWER}), "x"))
    with pytest.raises(ValueError, match="already declared"):
        declare(replace(POLICIES["units.edit"], roles=policies.ADMINS))
    assert declare(POLICIES["units.edit"]) is POLICIES["units.edit"]  # an app's ready() run twice
    assert "test.x" not in POLICIES
    with pytest.raises(LookupError, match=r"units\.edti"):
        policy("units.edti")  # a typo is an error, never a quiet refusal


@pytest.fixture
def people(example_units: None, make_user: Any) -> dict[str, User]:
    """One account per role on commune T99001 (its capture scope; the viewer's is a view scope)."""
    commune = Unit.objects.with_code("T99001", timezone.localdate()).get()
    return {role: make_user(f"u-{role}", role, commune) for role in Role.values}


def test_asking_on_units_inside_and_outside_the_scope(people: dict[str, User]) -> None:
    today = timezone.localdate()
    inside = Unit.objects.with_code("T99001", today).get()
    outside = Unit.objects.with_code("T99002", today).get()  # the same province's other commune
    for role, user in people.items():
        for name in ("units.edit", "data.capture", "decisions.record", "models.edit"):
            assert access.may(user, name, inside) == (name in EXPECTED[role]), (role, name)
            assert access.may(user, name, outside) == (role == Role.ADMIN), (role, name)
            assert access.holds(user, name) == (name in EXPECTED[role]), (role, name)
        for name in ("users.manage", "awards.catalogue", "import.awards"):
            assert access.holds(user, name) == (name in EXPECTED[role]), (role, name)
        assert access.can_change(user, inside) == ("units.edit" in EXPECTED[role])
        assert access.can_capture(user, inside) == ("data.capture" in EXPECTED[role])
        assert access.can_decide(user, inside) == ("decisions.record" in EXPECTED[role])
        for kind in ("units", "recognitions", "models", "model_sites", "awards"):
            assert access.can_import(user, kind) == (f"import.{kind}" in EXPECTED[role]), (role, kind)
        moves = allowed_moves(user, [inside, outside])
        assert moves[inside.pk] == EXPECTED_MOVES[role], role
        assert moves[outside.pk] == (EXPECTED_MOVES[role] if role == Role.ADMIN else set()), role
    # The system may do everything; a deactivated account nothing.
    assert access.may(None, "decisions.record", outside) and access.can_import(None, "awards")
    officer = people[Role.PROVINCE_OFFICER]
    officer.is_active = False
    assert not access.holds(officer, "users.manage") and not access.may(officer, "units.edit", inside)
    # Asking the wrong way round is a programming error, not a refusal.
    with pytest.raises(TypeError):
        access.may(officer, "units.edit")
    with pytest.raises(TypeError):
        access.may(officer, "users.manage", inside)
    with pytest.raises(TypeError):
        access.allowed_on(officer, ["users.manage"], [inside])


def test_a_permission_some_roles_hold_on_some_kinds_of_unit_only(people: dict[str, User]) -> None:
    """Data sets: a commune officer enters for the commune and its residential areas, an organisation's reporter
    for organisations, a province officer for every unit of the scope (written from the rule, DOMAIN.md)."""
    today = timezone.localdate()
    commune, area, agency = (Unit.objects.with_code(code, today).get()
                             for code in ("T99001", "KDC-T99001-03", "AG-T99001-001"))
    expected = {Role.ADMIN: {"T99001", "KDC-T99001-03", "AG-T99001-001"},
                Role.PROVINCE_OFFICER: {"T99001", "KDC-T99001-03", "AG-T99001-001"},
                Role.COMMUNE_OFFICER: {"T99001", "KDC-T99001-03"},
                Role.ORG_REPORTER: {"AG-T99001-001"}, Role.APPROVER: set(), Role.VIEWER: set()}
    for role, user in people.items():
        assert {u.code for u in (commune, area, agency) if access.may(user, "datasets.enter", u)} == expected[role]
        held = access.allowed_on(user, ["datasets.enter", "data.capture"], [commune, area, agency])
        assert {u.code for u in (commune, area, agency) if "datasets.enter" in held[u.pk]} == expected[role]
        listed = access.units_where(user, "datasets.enter").filter(pk__in=[commune.pk, area.pk, agency.pk])
        assert set(listed.values_list("code", flat=True)) == expected[role], role
    # Outside the capture scope nothing, whatever the kind (the other commune's residential area).
    other = Unit.objects.filter(parent__code="T99002", kind="residential_area").first()
    assert other is not None
    assert [r for r, user in people.items() if access.may(user, "datasets.enter", other)] == [Role.ADMIN]
    with pytest.raises(ValueError, match="restrict the capture scope"):
        declare(Policy("test.y", policies.DATA_CAPTURERS, "y", Scope.ROLE,
                       unit_kinds={Role.ORG_REPORTER: frozenset({"agency"})}))


def test_require_raises_the_callers_refusal(people: dict[str, User]) -> None:
    from django.core.exceptions import PermissionDenied

    from phongtrao.lib.workflow import ActionError

    inside = people[Role.VIEWER].unit
    assert inside is not None
    with pytest.raises(PermissionDenied, match="không được"):
        access.require(people[Role.VIEWER], "units.edit", inside, message="Bạn không được sửa.")
    with pytest.raises(ActionError, match="không được"):
        access.require(people[Role.APPROVER], "awards.catalogue", message="Bạn không được sửa.", error=ActionError)
    access.require(people[Role.COMMUNE_OFFICER], "models.edit", message="x")  # without a unit: holds
    access.require(people[Role.COMMUNE_OFFICER], "units.edit", inside, message="x")


def test_an_import_kind_nobody_declared_is_for_the_data_capturers(people: dict[str, User]) -> None:
    assert import_policy("widgets").roles == policies.DATA_CAPTURERS == {
        Role.ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.ORG_REPORTER}
    assert [role for role, user in people.items() if access.can_import(user, "widgets")] == [
        Role.ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.ORG_REPORTER]


def nav(user: User) -> dict[str, Any]:
    request = RequestFactory().get("/")
    request.user = user
    return account_nav(request)


def signed_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_menu_follows_the_table(people: dict[str, User], monkeypatch: pytest.MonkeyPatch) -> None:
    managers = {Role.ADMIN, Role.PROVINCE_OFFICER}
    for role, user in people.items():
        assert nav(user) == {"can_manage_users": role in managers, "nav_can_import": role != Role.VIEWER}, role
    users_link = f'href="{reverse("users:list")}"'
    viewer = people[Role.VIEWER]
    client = signed_in(viewer)
    assert users_link not in client.get(reverse("units:browse")).content.decode()
    assert client.get(reverse("users:list")).status_code == 403
    # One entry changed in the table: the menu entry and the page it leads to change together.
    widened = replace(POLICIES["users.manage"], roles=POLICIES["users.manage"].roles | {Role.VIEWER})
    monkeypatch.setitem(POLICIES, "users.manage", widened)
    assert nav(viewer)["can_manage_users"]
    assert users_link in client.get(reverse("units:browse")).content.decode()
    assert client.get(reverse("users:list")).status_code == 200


def test_templates_ask_the_same_table(people: dict[str, User]) -> None:
    template = Template('{% load policy_tags %}{% if user|holds:"users.manage" %}M{% endif %}'
                        '{% may user "units.edit" unit as edits %}{% if edits %}E{% endif %}')
    unit = people[Role.ADMIN].unit
    rendered = {role: template.render(Context({"user": user, "unit": unit})) for role, user in people.items()}
    assert rendered == {Role.ADMIN: "ME", Role.PROVINCE_OFFICER: "ME", Role.COMMUNE_OFFICER: "E",
                        Role.ORG_REPORTER: "", Role.APPROVER: "", Role.VIEWER: ""}
    assert template.render(Context({"unit": unit})) == ""  # no user in the context is nobody, not the system


def test_the_page_of_what_each_role_may_do(people: dict[str, User]) -> None:
    url = reverse("users:roles")
    assert signed_in(people[Role.COMMUNE_OFFICER]).get(url).status_code == 403
    page = signed_in(people[Role.PROVINCE_OFFICER]).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Thêm, sửa, đóng đơn vị trong danh mục đơn vị" in text and "Nhập đơn vị từ tệp" in text
    rows = re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", text, flags=re.S)
    assert len(rows) == len(POLICIES)  # every import kind of these apps has its own entry
    ticks = [len(re.findall(r"bi-check-lg", row)) for row in rows]
    assert sum(ticks) == sum(len(held) for held in EXPECTED.values())
    client = signed_in(people[Role.ADMIN])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("vi"):  # LocaleMiddleware activates English for the thread: restored on leaving
        english = client.get(url).content.decode()
    assert "What each role may do" in english and "Add, change and close units in the unit register" in english


def test_scopes_of_the_table_are_capture_or_role_only() -> None:
    assert {rule.scope for rule in POLICIES.values()} <= {Scope.CAPTURE, Scope.ROLE}
    assert all(POLICIES[name].scope == Scope.CAPTURE for name in policies.RECOGNITION_MOVES.values())
    assert all(rule.scope == Scope.ROLE for name, rule in POLICIES.items() if name.startswith("import."))
