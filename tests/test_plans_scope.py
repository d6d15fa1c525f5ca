"""Plans seen from below and measured per commune:

- a commune officer's plans list shows the commune's plans AND the province's plans that cover it, read-only (no
  edit buttons, the forms 403, a write refused as out of scope), with only the failing units they see;
- an objective measured in every commune by a built-in figure asks the figure's many-units form once (one
  grouped query), whatever the number of communes, and gets the values of the one-unit form.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from phongtrao.audit.actions import Actor
from phongtrao.lib import indicators as library
from phongtrao.lib.periods import Period
from phongtrao.plans.actions import ActionError, ObjectiveData, PlanData, do_create_plan, do_save_objective
from phongtrao.plans.evaluation import evaluate_plan
from phongtrao.plans.models import Plan, PlanKind, Scope
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Unit
from tests.test_plans import save
from tests.test_plans_committees import client, world  # noqa: F401  (the module's fixture)

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
YEAR = 2025


def plan_of(root: Unit, number: str) -> Plan:
    return do_create_plan(SYSTEM, PlanData(PlanKind.objects.get(code="de_an"), number, dt.date(2024, 1, 5),
                                           f"Kế hoạch {number}", root, root, 2024, 2026))


def test_a_commune_officer_sees_the_plans_covering_the_commune_read_only(world: dict[str, Any]) -> None:  # noqa: F811
    province, communes = world["province"], world["communes"]
    mine, other = communes[0], communes[1]
    scheme = plan_of(province, "900/QĐ-UBND")
    own = plan_of(mine, "901/KH-UBND")
    neighbour = plan_of(other, "902/KH-UBND")
    for index, commune in enumerate(communes):  # communes 0, 2, 4 held no review conference
        save(commune.code, "hop_ban_chi_dao", index % 2)
    from phongtrao.datasets.models import DataElement

    do_save_objective(SYSTEM, scheme.pk, ObjectiveData(1, "Mỗi xã họp Ban Chỉ đạo", element=DataElement.objects.get(
        code="hop_ban_chi_dao"), target=Decimal(1), scope=Scope.EACH_COMMUNE))
    xa = client(world["xa"])
    listed = {p.pk for p in xa.get("/ke-hoach/?sort=number").context["page"]}
    assert scheme.pk in listed and own.pk in listed and neighbour.pk not in listed
    text = xa.get(f"/ke-hoach/{scheme.pk}/?nam={YEAR}").content.decode()
    assert "900/QĐ-UBND" in text and f"/ke-hoach/{scheme.pk}/sua/" not in text and "muc-tieu/moi" not in text
    failing = [c for i, c in enumerate(communes) if i % 2 == 0]
    assert mine.name in text and all(c.name not in text for c in failing if c != mine)  # only what they see
    assert f"{len(communes) - len(failing)}/{len(communes)}" in text  # the plan's count, unchanged
    assert xa.get(f"/ke-hoach/{scheme.pk}/sua/").status_code == 403
    assert xa.get(f"/ke-hoach/{scheme.pk}/muc-tieu/moi/").status_code == 403
    assert xa.get(f"/ke-hoach/{scheme.pk}/xuat-excel/?nam={YEAR}").status_code == 200
    with pytest.raises(ActionError):  # a write on the province's plan is out of the commune officer's scope
        do_save_objective(Actor(world["xa"]), scheme.pk, ObjectiveData(2, "Của xã", manual_met=True))
    own_text = xa.get(f"/ke-hoach/{own.pk}/").content.decode()
    assert f"/ke-hoach/{own.pk}/sua/" in own_text
    # the commune's plan may implement the province's scheme (chosen on the form)
    form = xa.get(f"/ke-hoach/{own.pk}/sua/").content.decode()
    assert f'value="{scheme.pk}"' in form


@pytest.mark.parametrize("key", ["recognition.residential_area.total", "recognition.residential_area.recognised",
                                 "models.models"])
def test_a_per_commune_figure_is_one_query_whatever_the_communes(world: dict[str, Any], key: str,  # noqa: F811
                                                                 django_assert_num_queries: Any) -> None:
    province = world["province"]
    plan = plan_of(province, f"903/{key}")
    objective = do_save_objective(SYSTEM, plan.pk, ObjectiveData(1, "Mỗi xã", figure=key, target=Decimal(1),
                                                                 scope=Scope.EACH_COMMUNE))
    with django_assert_num_queries(3):  # the objectives, the communes, the figure for all of them
        first = evaluate_plan(plan, [YEAR])[objective.pk][YEAR]
    period = Period.year_of(YEAR)
    communes = list(Unit.objects.in_subtree(province).of_kind(Kind.COMMUNE))
    one_by_one = {c.pk: library.evaluate(key, c, period) for c in communes}  # the one-unit form
    assert {u.pk for u in first.failing} == {pk for pk, v in one_by_one.items() if (v or 0) < 1}
    assert first.measured_units == len(communes)
    assert library.evaluate_many(key, communes, period) == one_by_one
    for n in range(3):  # more communes: still three queries
        do_create_unit(SYSTEM, code=f"T99{900 + n}", name=f"Xã Thêm {n}", kind=Kind.COMMUNE, parent=province,
                       valid_from=dt.date(2020, 1, 1))
    with django_assert_num_queries(3):
        more = evaluate_plan(plan, [YEAR])[objective.pk][YEAR]
    assert more.measured_units == len(communes) + 3 and len(more.failing) == len(first.failing) + 3
