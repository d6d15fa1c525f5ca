"""The models pages: access for every persona (also used by the route walk), lists, writes through pages.

``MODEL_ROUTES`` and ``check_model_route`` are imported by ``tests/test_access_routes.py``, which
walks every route: each persona opens every model page of a model owned by commune X, Y (T99) and
Z (Đà Nẵng), each with a site at the marker unit of its commune.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.workflow import ActionError
from phongtrao.models_registry import actions
from phongtrao.models_registry.models import Field, Initiator, Model, Result, SiteStatus, Status
from phongtrao.units.models import Unit
from tests.conftest import PASSWORD
from tests.personas import MARKERS, Persona, World, build_world

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 12, 31)
START = dt.date(2025, 7, 1)

# Model routes: do they need the right to change the model's owning unit? Which methods they answer.
MODEL_ROUTES: dict[str, tuple[bool, tuple[str, ...]]] = {
    "models_registry:detail": (False, ("get",)),
    "models_registry:edit": (True, ("get", "post")),
    "models_registry:transition": (True, ("post",)),
    "models_registry:replicate": (True, ("get", "post")),
    "models_registry:evaluate": (True, ("get", "post")),
    "models_registry:retire": (True, ("get", "post")),
    "models_registry:leading": (True, ("get", "post")),
    "models_registry:leading_revoke": (True, ("post",)),
}


def catalogue() -> tuple[Field, Initiator]:
    return Field.objects.get(code="giao_thong", province__isnull=True), Initiator.objects.get(code="cap_xa")


def make_model(code: str, owner: Unit, *, sites: list[Unit] = (), started_on: dt.date = START,  # type: ignore[assignment]
               name: str = "", actor: Actor | None = None) -> Model:
    actor = actor or Actor.system()
    field, initiator = catalogue()
    model = actions.do_create_model(actor, code=code, name=name or f"Mô hình {code}", field=field,
                                    initiator=initiator, unit=owner, started_on=started_on, status=Status.OPERATING)
    if sites:
        actions.do_replicate(actor, model.pk, list(sites), started_on=started_on)
    return model


def model_targets(world: World) -> dict[str, Model]:
    """One operating model per target: owned by the marker unit's commune, with a site at the marker unit."""
    found = getattr(world, "models", None)
    if found is None:
        found = {key: make_model(f"MH-MARK-{key}", target.parent, sites=[target])  # type: ignore[arg-type]
                 for key, target in world.targets.items()}
        world.models = found  # type: ignore[attr-defined]
    return found


def _snapshot() -> tuple[int, list[tuple[Any, ...]]]:
    return AuditEntry.objects.count(), list(Model.objects.order_by("code").values_list("code", "version", "status"))


def check_model_route(world: World, persona: Persona, name: str) -> None:
    needs_change, methods = MODEL_ROUTES[name]
    for key, model in model_targets(world).items():
        url = reverse(name, kwargs={"pk": model.pk})
        for method in methods:
            before = _snapshot()
            client = persona.client()
            response = client.get(url) if method == "get" else client.post(url, {})
            code = response.status_code
            where = (persona.name, name, key, method, code)
            assert code < 500, where
            refused = persona.user is None or key not in persona.sees or (needs_change and key not in persona.changes)
            if persona.user is None:
                assert code == 302 and "/tai-khoan/dang-nhap/" in response["Location"], where
            elif key not in persona.sees:
                assert code == 404, where
            elif needs_change and key not in persona.changes:
                assert code == 403, where
            elif method == "get":
                assert code == 200, where
                if name == "models_registry:detail":
                    assert MARKERS[key] in response.content.decode(), where
            if refused:
                assert _snapshot() == before, (*where, "a refused request wrote something")
            if code == 200:
                body = response.content.decode()
                leaked = {k for k, m in MARKERS.items() if k not in persona.sees and m in body}
                assert not leaked, (*where, leaked)


# --- pages ----------------------------------------------------------------------------------------


@pytest.fixture
def world(example_units: None) -> World:
    return build_world()


def test_route_checks_cover_every_model_route() -> None:
    from tests.test_access_routes import walk

    names = {name for name, pattern in walk() if name.startswith("models_registry:") and "pk" in
             pattern.pattern.regex.groupindex}
    assert names == set(MODEL_ROUTES)


def test_commune_officer_sees_own_models_only(world: World) -> None:
    models = model_targets(world)
    client = world.personas["commune"].client()
    body = client.get(reverse("models_registry:list")).content.decode()
    assert models["X"].name in body and models["Y"].name not in body and models["Z"].name not in body
    assert client.get(reverse("models_registry:detail", args=[models["Y"].pk])).status_code == 404
    province = world.personas["province"].client().get(reverse("models_registry:list")).content.decode()
    assert models["X"].name in province and models["Y"].name in province and models["Z"].name not in province


def test_list_search_ignores_diacritics_filters_sorts_and_pages(world: World, django_assert_max_num_queries: Any
                                                                 ) -> None:
    province = Unit.objects.with_code("T99", DAY).get()
    for i in range(55):
        make_model(f"L{i:03d}", province, name=f"Mô hình Đường làng số {i:03d}")
    make_model("AN1", province, name="Mô hình Ánh sáng an ninh")
    client = world.personas["province"].client()
    url = reverse("models_registry:list")
    with django_assert_max_num_queries(12):
        response = client.get(url, {"q": "duong lang", "sort": "-name"})
    body = response.content.decode()
    assert "Mô hình Đường làng số 054" in body and "Ánh sáng" not in body
    assert "Hiển thị 1–50 trong 55" in body
    assert "Mô hình Ánh sáng an ninh" in client.get(url, {"q": "anh sang"}).content.decode()
    retired = client.get(url, {"status": "retired"}).content.decode()
    assert "Không có mô hình nào" in retired
    for bad in ({"page": "x"}, {"sort": "DROP"}, {"field": "abc"}, {"unit": "99999999999999999999"},
                {"status": "<b>"}):
        assert client.get(url, bad).status_code == 200
    export = client.get(reverse("models_registry:export"), {"q": "duong lang"})
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 56 and rows[0][0] == "Mã"


def test_unit_filter_limits_to_the_subtree(world: World) -> None:
    models = model_targets(world)
    client = world.personas["province"].client()
    commune_y = world.targets["Y"].parent
    body = client.get(reverse("models_registry:list"), {"unit": commune_y.pk}).content.decode()
    assert models["Y"].name in body and models["X"].name not in body


def test_create_edit_and_stale_version_through_pages(world: World) -> None:
    client = world.personas["province"].client()
    field, initiator = catalogue()
    province = Unit.objects.with_code("T99", DAY).get()
    data = {"code": "MH-NEW", "name": "Mô hình Camera an ninh", "field": field.pk, "initiator": initiator.pk,
            "unit": province.pk, "started_on": "2025-03-01", "description": "", "status": "proposed"}
    response = client.post(reverse("models_registry:create"), data)
    model = Model.objects.get(code="MH-NEW")
    assert response.status_code == 302 and model.status == Status.PROPOSED and model.unit == province
    edit = reverse("models_registry:edit", args=[model.pk])
    assert client.post(edit, {**data, "name": "Tên một", "version": 1}).status_code == 302
    stale = client.post(edit, {**data, "name": "Tên hai", "version": 1})
    assert stale.status_code == 200 and "CHƯA được lưu" in stale.content.decode()
    model.refresh_from_db()
    assert model.name == "Tên một" and model.version == 2
    # The commune officer may not create a model owned by the province.
    commune = world.personas["commune"].client()
    assert commune.post(reverse("models_registry:create"), {**data, "code": "MH-X"}).status_code == 200
    assert not Model.objects.filter(code="MH-X").exists()
    assert world.personas["viewer"].client().get(reverse("models_registry:create")).status_code == 403


def test_transitions_refuse_illegal_moves_in_vietnamese(example_units: None) -> None:
    province = Unit.objects.with_code("T99", DAY).get()
    field, initiator = catalogue()
    model = actions.do_create_model(Actor.system(), code="T1", name="Mô hình", field=field, initiator=initiator,
                                    unit=province)
    with pytest.raises(ActionError, match="Không thể đưa vào hoạt động: mô hình T1 đang ở trạng thái"):
        actions.do_operate_model(Actor.system(), model.pk)
    actions.do_approve_model(Actor.system(), model.pk)
    with pytest.raises(ActionError, match="Chỉ mô hình đang hoạt động"):
        actions.do_designate_leading(Actor.system(), model.pk, decision_no="1/QĐ", decision_date=DAY, issuer="UBND")
    actions.do_operate_model(Actor.system(), model.pk)
    with pytest.raises(ActionError, match="trước ngày xây dựng mô hình"):  # operated today
        actions.do_designate_leading(Actor.system(), model.pk, decision_no="1/QĐ-UBND",
                                     decision_date=timezone.localdate() - dt.timedelta(days=1), issuer="UBND tỉnh")
    actions.do_designate_leading(Actor.system(), model.pk, decision_no="1/QĐ-UBND", decision_date=timezone.localdate(),
                                 issuer="UBND tỉnh")
    actions.do_revoke_leading(Actor.system(), model.pk)
    actions.do_retire_model(Actor.system(), model.pk, retired_on=timezone.localdate(), reason="Không hiệu quả")
    with pytest.raises(ActionError, match="Không thể thanh loại"):
        actions.do_retire_model(Actor.system(), model.pk, retired_on=timezone.localdate(), reason="lần hai")
    model.refresh_from_db()
    assert list(model.events.values_list("action", flat=True)) == [
        "create", "approve", "operate", "designate_leading", "revoke_leading", "retire"]
    assert AuditEntry.objects.filter(object_type="models_registry.model", object_id=str(model.pk)).count() == 6


def test_replicate_is_all_or_nothing_and_retire_closes_sites(world: World) -> None:
    commune_x = world.targets["X"].parent
    model = make_model("R1", commune_x, sites=[world.targets["X"]])
    areas = list(Unit.objects.filter(code__in=["KDC-T99001-01", "KDC-T99001-02"]))
    with pytest.raises(ActionError, match="đã có điểm đang hoạt động"):
        actions.do_replicate(Actor.system(), model.pk, [*areas, world.targets["X"]], started_on=START)
    assert model.sites.count() == 1
    client = world.personas["commune"].client()
    url = reverse("models_registry:replicate", args=[model.pk])
    response = client.post(url, {"units": [u.pk for u in areas], "started_on": "2025-08-01", "teams": "2"})
    assert response.status_code == 302 and model.sites.count() == 3
    # A unit outside the officer's scope is refused by the form, and nothing is added.
    other = Unit.objects.with_code("KDC-T99002-01", DAY).get()
    response = client.post(url, {"units": [other.pk], "started_on": "2025-08-01", "teams": "1"})
    assert response.status_code == 200 and model.sites.count() == 3
    picker = client.get(reverse("models_registry:replicate_picker"), {"unit_q": "khu pho"}).content.decode()
    assert "KDC-T99001" in picker and "KDC-T99002" not in picker
    # Replicating before the model was built is refused.
    response = client.post(url, {"units": [areas[0].pk], "started_on": "30/06/2025", "teams": "1"})
    assert "Ngày triển khai (30/06/2025) trước ngày xây dựng mô hình (01/07/2025)." in response.content.decode()
    retire = reverse("models_registry:retire", args=[model.pk])
    # The retirement is validated before the confirmation is asked: a date before the start is refused.
    early = client.post(retire, {"retired_on": "30/06/2025", "reason": "Không còn phù hợp", "version": 1})
    assert "confirm-retire" not in early.content.decode() and not early.context["confirming"]
    assert "Ngày thanh loại phải từ ngày xây dựng (01/07/2025) trở đi." in early.content.decode()
    confirm = client.post(retire, {"retired_on": "2025-12-01", "reason": "Không còn phù hợp", "version": 1})
    assert "confirm-retire" in confirm.content.decode()
    model.refresh_from_db()
    assert model.status == Status.OPERATING
    done = client.post(retire, {"retired_on": "2025-12-01", "reason": "Không còn phù hợp", "version": model.version,
                                "confirm": "True"})
    assert done.status_code == 302
    model.refresh_from_db()
    assert model.status == Status.RETIRED and not model.sites.filter(status=SiteStatus.ACTIVE).exists()


def test_ineffective_evaluation_proposes_retirement_and_overdue_list(world: World, settings: Any) -> None:
    settings.PHONGTRAO = {**settings.PHONGTRAO, "MODEL_EVALUATION_MONTHS": 6}
    commune_x = world.targets["X"].parent
    today = timezone.localdate()
    old = make_model("O1", commune_x, sites=[world.targets["X"]], started_on=today - dt.timedelta(days=400))
    fresh = make_model("O2", commune_x, started_on=today - dt.timedelta(days=30))
    client = world.personas["commune"].client()
    overdue = reverse("models_registry:overdue")
    body = client.get(overdue, {"unit": commune_x.pk}).content.decode()
    assert "O1" in body and "Mô hình O2" not in body
    response = client.post(reverse("models_registry:evaluate", args=[old.pk]), {
        "site": old.sites.get().pk, "evaluated_on": today.isoformat(), "evaluator": "Công an xã",
        "result": Result.INEFFECTIVE, "notes": ""})
    assert response.status_code == 302
    assert "Mô hình O1" not in client.get(overdue, {"unit": commune_x.pk}).content.decode()
    detail = client.get(reverse("models_registry:detail", args=[old.pk])).content.decode()
    assert "propose-retire" in detail and reverse("models_registry:retire", args=[old.pk]) in detail
    assert fresh.status == Status.OPERATING
    # An evaluation in the future is refused.
    response = client.post(reverse("models_registry:evaluate", args=[old.pk]), {
        "evaluated_on": (today + dt.timedelta(days=3)).isoformat(), "evaluator": "X", "result": "effective"})
    assert response.status_code == 200 and "tương lai" in response.content.decode()


def test_overdue_is_one_query(world: World, django_assert_num_queries: Any) -> None:
    commune_x = world.targets["X"].parent
    for i in range(5):
        make_model(f"Q{i}", commune_x, started_on=dt.date(2020, 1, 1))
    with django_assert_num_queries(1):
        found = list(Model.objects.touching(commune_x).overdue(timezone.localdate()))
    assert len(found) == 5


def test_catalogue_page_adds_and_renames_for_the_province(world: World) -> None:
    province = Unit.objects.with_code("T99", DAY).get()
    client = world.personas["province"].client()
    url = reverse("models_registry:catalogue")
    response = client.post(f"{url}?unit={province.pk}", {"add-catalogue": "field", "add-name": "Bảo vệ rừng"})
    assert response.status_code == 302
    entry = Field.objects.get(name="Bảo vệ rừng")
    assert entry.province == province and entry.code == "bao_ve_rung"
    client.post(f"{url}?unit={province.pk}", {"catalogue": "field", "entry": entry.pk, "name": "Bảo vệ rừng, biển"})
    entry.refresh_from_db()
    assert entry.name == "Bảo vệ rừng, biển"
    national = Field.objects.get(code="giao_thong")
    assert client.post(f"{url}?unit={province.pk}", {"catalogue": "field", "entry": national.pk,
                                                    "name": "Đổi"}).status_code == 403
    assert world.personas["commune"].client().post(url, {"add-catalogue": "field",
                                                         "add-name": "Không được"}).status_code == 403
    assert "Bảo vệ rừng, biển" in world.personas["commune"].client().get(url).content.decode()
    assert "Bảo vệ rừng" not in world.personas["other_province"].client().get(url).content.decode()


def test_figures_page_shows_the_section_and_breakdowns(example_units: None, example_dir: Any, make_user: Any,
                                                       client: Any) -> None:
    from phongtrao.lib.importing import run_import

    for kind in ("models", "model_sites"):
        assert run_import(kind, f"{kind}.csv", (example_dir / f"{kind}.csv").read_bytes(), actor=Actor.system()).ok
    province = Unit.objects.with_code("T99", DAY).get()
    make_user("tinh1", Role.PROVINCE_OFFICER, unit=province)
    client.login(username="tinh1", password=PASSWORD)
    body = client.get(reverse("models_registry:figures"), {"unit": province.pk, "year": 2025}).content.decode()
    assert "models-by-field" in body and "An ninh khu dân cư" in body
    # No evaluation yet: every commune still needs an effective model.
    assert "6 xã chưa có mô hình hiệu quả" in body
    assert client.get(reverse("models_registry:figures"), {"year": "abc", "unit": "x"}).status_code == 200


@pytest.mark.django_db
def test_catalogue_querysets_keep_django_s_ordered_property() -> None:
    """``QuerySet.ordered`` is a bool that first()/last() read; the catalogue's own ordering must not shadow it."""
    from phongtrao.models_registry.models import Field

    assert Field.objects.all().ordered is False
    assert Field.objects.in_catalogue_order().ordered is True
    codes = list(Field.objects.in_catalogue_order().values_list("position", flat=True))
    assert codes == sorted(codes)
