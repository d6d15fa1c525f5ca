"""``import models`` and ``import model_sites`` (INTERCHANGE.md).

models: one row per model code; a known code is updated. ``field`` and ``initiated_by`` are
looked up in the catalogues by code or name (case and diacritics ignored); a value not yet there
is added (to the owning unit's province, or nationally) and listed as a warning. Extra columns:
``unit_code`` (Mã đơn vị quản lý, resolved as of the row's ``started_on`` or today) and
``description``. Without ``unit_code`` the owner is the importing user's only capture root; for
the system (and administrators) it stays empty until the sites are imported, then it is the
province the sites lie in.

model_sites: the unit code resolves as of the row's ``started_on`` (required). A site is the
model at a unit from a date: a row with the same model, unit and ``started_on`` updates it.

Both are all-or-nothing, check every unit against the importing user's capture scope, and write
history (``ModelEvent``) and audit rows. Models are created and changed through ``MODELS`` (the
"import" move of the life cycle, the same path as the pages): a model changed since it was read is
refused like a stale form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import CaptureScope, is_admin
from phongtrao.audit.actions import Actor, record_many
from phongtrao.lib.importing import (
    ImportKind,
    ImportResult,
    RefusedRows,
    RowError,
    ambiguous_code,
    model_code_taken,
    open_table,
    register,
    required_cell,
    too_long,
    unit_not_found,
    write_all_or_nothing,
)
from phongtrao.lib.locks import serialise
from phongtrao.lib.tabular import CellError, Column, Table, parse_choice, parse_date, parse_int
from phongtrao.lib.vnformat import date_text
from phongtrao.lib.vntext import fold
from phongtrao.lib.workflow import ActionError, Move
from phongtrao.models_registry.actions import CATALOGUES, do_add_imported_catalogue_entry
from phongtrao.models_registry.models import (
    MODELS,
    CatalogueEntry,
    Model,
    Site,
    SiteStatus,
    Status,
)
from phongtrao.units.models import Kind, Unit, UnitAncestor

MODEL_COLUMNS = [
    Column("code", "Mã", required=True),
    Column("name", "Tên mô hình", required=True),
    Column("field", "Lĩnh vực", required=True),
    Column("initiated_by", "Cấp/cơ quan phát động", required=True),
    Column("started_on", "Ngày xây dựng"),
    Column("status", "Trạng thái"),
    Column("retired_on", "Ngày thanh loại"),
    Column("unit_code", "Mã đơn vị quản lý"),
    Column("description", "Mô tả"),
]
SITE_COLUMNS = [
    Column("model_code", "Mã mô hình", required=True),
    Column("unit_code", "Mã đơn vị", required=True),
    Column("started_on", "Ngày triển khai", required=True),
    Column("teams", "Số tổ/nhóm"),
    Column("status", "Trạng thái"),
    Column("retired_on", "Ngày thanh loại"),
]
STATUS_WORDS = {"active": "active", "đang hoạt động": "active", "dang hoat dong": "active",
                "retired": "retired", "thanh loại": "retired", "thanh loai": "retired"}
MODEL_STATUS = {"active": Status.OPERATING, "retired": Status.RETIRED}


def _required(number: int, raw: dict[str, str], key: str, errors: list[RowError]) -> str:
    value = raw.get(key, "").strip()
    if not value:
        errors.append(RowError(number, key, required_cell()))
    return value


def _cells(number: int, raw: dict[str, str], parsers: dict[str, Any], errors: list[RowError]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, parse in parsers.items():
        try:
            values[key] = parse(raw.get(key, ""))
        except CellError as exc:
            errors.append(RowError(number, key, str(exc)))
            values[key] = None
    return values


def _status_and_date(number: int, values: dict[str, Any], errors: list[RowError]) -> str | None:
    """``status`` (empty: retired when a date is given) checked against ``retired_on``."""
    status, retired_on = values.get("status"), values.get("retired_on")
    if status is None and retired_on is not None:
        status = "retired"
    if status == "active" and retired_on is not None:
        errors.append(RowError(number, "retired_on", gettext("chỉ ghi ngày thanh loại khi trạng thái là thanh loại")))
    started_on = values.get("started_on")
    if retired_on is not None and started_on is not None and retired_on < started_on:
        errors.append(RowError(number, "retired_on", gettext("ngày thanh loại trước ngày bắt đầu")))
    return status


def _resolve_unit(number: int, code: str, day: dt.date, candidates: dict[str, list[Unit]],
                  scope: CaptureScope, errors: list[RowError]) -> Unit | None:
    # Only units in the scope count: outside it reads exactly like an unknown code.
    valid = [u for u in candidates.get(code, []) if u.is_valid_on(day) and u.pk in scope]
    if len(valid) > 1:  # a code shared by an administrative unit and a local one: the higher unit
        valid = [u for u in valid if u.depth == min(v.depth for v in valid)]
    if not valid:
        errors.append(RowError(number, "unit_code", unit_not_found(code, day)))
        return None
    if len(valid) > 1:
        errors.append(RowError(number, "unit_code", ambiguous_code(code, day)))
        return None
    return valid[0]


def _provinces(units: list[Unit]) -> dict[int, int]:
    """unit id -> the id of the province it lies in (one query)."""
    ids = [u.pk for u in units]
    rows = UnitAncestor.objects.filter(unit_id__in=ids, ancestor__kind=Kind.PROVINCE).values_list(
        "unit_id", "ancestor_id")
    return dict(rows)


# --- models ---------------------------------------------------------------------------------------


@dataclass
class ModelRow:
    number: int
    code: str
    name: str
    field_text: str
    initiator_text: str
    started_on: dt.date | None
    status: str | None
    retired_on: dt.date | None
    unit_code: str
    description: str
    unit: Unit | None = None
    existing: Model | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Catalogue:
    """Finds entries by code or folded name (national and the province's own) and adds missing ones."""

    def __init__(self, catalogue: str, label: str, result: ImportResult, actor: Actor) -> None:
        self.catalogue, self.label, self.result, self.actor = catalogue, label, result, actor
        self.entries = list(CATALOGUES[catalogue].objects.all())

    def find(self, text: str, province_id: int | None) -> CatalogueEntry:
        key, folded = text.strip().casefold(), fold(text)
        for entry in self.entries:
            if entry.province_id in (None, province_id) and (entry.code == key or entry.search_name == folded):
                return entry
        return self._add(text, province_id)

    def _add(self, text: str, province_id: int | None) -> CatalogueEntry:
        taken = {e.code for e in self.entries if e.province_id in (None, province_id)}
        entry = do_add_imported_catalogue_entry(self.actor, self.catalogue, name=text, province_id=province_id,
                                                taken=taken)
        name, code = entry.name, entry.code
        self.entries.append(entry)
        values = {"what": self.label, "name": name, "code": code}
        if province_id is None:
            warning = gettext("đã thêm %(what)s mới “%(name)s” (mã %(code)s) vào danh mục toàn quốc") % values
        else:
            warning = gettext("đã thêm %(what)s mới “%(name)s” (mã %(code)s) vào danh mục của tỉnh") % values
        self.result.warnings.append(warning)
        return entry


def _parse_model(number: int, raw: dict[str, str], errors: list[RowError]) -> ModelRow | None:
    before = len(errors)
    code = _required(number, raw, "code", errors)
    name = _required(number, raw, "name", errors)
    field_text = _required(number, raw, "field", errors)
    initiator_text = _required(number, raw, "initiated_by", errors)
    values = _cells(number, raw, {"started_on": parse_date, "retired_on": parse_date,
                                  "status": lambda t: parse_choice(t, STATUS_WORDS, gettext("trạng thái"))}, errors)
    status = _status_and_date(number, values, errors)
    for key, limit in (("code", 40), ("name", 255), ("field", 255), ("initiated_by", 255)):
        if len(raw.get(key, "").strip()) > limit:
            errors.append(RowError(number, key, too_long(limit)))
    if len(errors) > before:
        return None
    return ModelRow(number, code, " ".join(name.split()), field_text, initiator_text, values["started_on"], status,
                    values["retired_on"], raw.get("unit_code", "").strip(), raw.get("description", "").strip())


def _default_owner(actor: Actor) -> Unit | None:
    """The importing user's only capture root (a province or commune officer's own unit)."""
    from phongtrao.accounts.models import ScopeKind, UnitScope

    user = actor.user
    if user is None or is_admin(user):
        return None
    roots = list(Unit.objects.filter(pk__in=UnitScope.objects.filter(user_id=user.pk, kind=ScopeKind.CAPTURE)
                                     .values("unit_id"))[:2])
    return roots[0] if len(roots) == 1 else None


def import_models(name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False) -> ImportResult:
    result, table = open_table("models", name, data, MODEL_COLUMNS, dry_run=dry_run)
    if table is None:
        return result
    with transaction.atomic():  # validate and write as one, one import of this kind at a time
        serialise("import:models")
        return _import_models(result, table, actor=actor, dry_run=dry_run)


def _import_models(result: ImportResult, table: Table, *, actor: Actor, dry_run: bool) -> ImportResult:
    errors: list[RowError] = []
    rows = [r for number, raw in table.rows if (r := _parse_model(number, raw, errors)) is not None]
    scope = CaptureScope(actor.user)
    candidates = Unit.objects.by_codes(r.unit_code for r in rows if r.unit_code)
    existing = {m.code: m for m in Model.objects.select_for_update(of=("self",)).filter(
        code__in=[r.code for r in rows]).select_related("unit")}  # locked: checked here, written below
    default_owner = _default_owner(actor)
    seen: dict[str, int] = {}
    today = timezone.localdate()
    for row in rows:
        if row.code in seen:
            errors.append(RowError(row.number, "code", gettext("trùng với dòng %(row)s (cùng mã %(code)s)")
                                   % {"row": seen[row.code], "code": row.code}))
            continue
        seen[row.code] = row.number
        row.existing = existing.get(row.code)
        if row.unit_code:
            row.unit = _resolve_unit(row.number, row.unit_code, row.started_on or today, candidates, scope, errors)
        elif row.existing is not None:
            row.unit = row.existing.unit
        else:
            row.unit = default_owner
            if row.unit is None and not scope.unlimited:
                errors.append(RowError(row.number, "unit_code",
                                       gettext("bắt buộc với tài khoản có nhiều phạm vi: ghi mã đơn vị quản lý "
                                               "mô hình")))
        if row.existing is not None and not scope.unlimited and (
                row.existing.unit_id is None or row.existing.unit_id not in scope):
            errors.append(RowError(row.number, "code", model_code_taken(row.code)))
    return write_all_or_nothing(result, errors, dry_run, lambda: _write_models(rows, actor, result))


def _write_models(rows: list[ModelRow], actor: Actor, result: ImportResult) -> None:
    provinces = _provinces([r.unit for r in rows if r.unit is not None])
    fields = Catalogue("field", gettext("lĩnh vực"), result, actor)
    initiators = Catalogue("initiator", gettext("cấp/cơ quan phát động"), result, actor)
    locked = {m.code: m for m in Model.objects.select_for_update().filter(code__in=[r.code for r in rows])}
    creates: list[tuple[ModelRow, Model]] = []
    updates: list[tuple[ModelRow, Model, dict[str, Any]]] = []  # row, model, changes
    for row in rows:
        province_id = provinces.get(row.unit.pk) if row.unit is not None else None
        target: dict[str, Any] = {
            "name": row.name,
            "field": fields.find(row.field_text, province_id),
            "initiator": initiators.find(row.initiator_text, province_id),
            "unit": row.unit,
            "started_on": row.started_on,
        }
        if row.description:
            target["description"] = row.description
        old = locked.get(row.code)
        if row.status is not None:
            target["status"] = MODEL_STATUS[row.status]
            target["retired_on"] = row.retired_on if row.status == "retired" else None
        elif old is None:
            target["status"] = Status.OPERATING
        if old is None:
            creates.append((row, Model(code=row.code, **target)))
            continue
        if all(getattr(old, k) == v for k, v in target.items()):
            result.unchanged += 1
            continue
        updates.append((row, old, target))
    MODELS.created_many([m for _, m in creates], actor=actor, action="import",
                        event_fields=[{"details": {"import_row": row.number}} for row, _ in creates])
    try:
        MODELS.move_many([Move(m, "import", changes=target, event_fields={"details": {"import_row": row.number}})
                          for row, m, target in updates], actor=actor)
    except ActionError as exc:
        raise RefusedRows(exc, [row.number for row, _, _ in updates]) from exc
    result.created, result.updated = len(creates), len(updates)
    result.preview = sorted([(row.number, "create", f"{m.code} {m.name}") for row, m in creates]
                            + [(row.number, "update", f"{m.code} {m.name}") for row, m, _ in updates])


# --- model sites ----------------------------------------------------------------------------------


@dataclass
class SiteRow:
    number: int
    model_code: str
    unit_code: str
    started_on: dt.date
    teams: int
    status: str
    retired_on: dt.date | None
    model: Model | None = None
    unit: Unit | None = None


def _parse_site(number: int, raw: dict[str, str], errors: list[RowError]) -> SiteRow | None:
    before = len(errors)
    model_code = _required(number, raw, "model_code", errors)
    unit_code = _required(number, raw, "unit_code", errors)
    if not raw.get("started_on", "").strip():
        errors.append(RowError(number, "started_on", gettext("bắt buộc: mã đơn vị được tra theo ngày triển khai")))
    values = _cells(number, raw, {"started_on": parse_date, "retired_on": parse_date,
                                  "teams": lambda t: parse_int(t, minimum=1, maximum=10_000),
                                  "status": lambda t: parse_choice(t, STATUS_WORDS, gettext("trạng thái"))}, errors)
    status = _status_and_date(number, values, errors)
    if len(errors) > before:
        return None
    teams = values["teams"] if values["teams"] is not None else 1
    return SiteRow(number, model_code, unit_code, values["started_on"], teams, status or "active",
                   values["retired_on"])


def import_model_sites(name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False) -> ImportResult:
    result, table = open_table("model_sites", name, data, SITE_COLUMNS, dry_run=dry_run)
    if table is None:
        return result
    with transaction.atomic():  # validate and write as one, one import of this kind at a time
        serialise("import:model_sites")
        return _import_model_sites(result, table, actor=actor, dry_run=dry_run)


def _import_model_sites(result: ImportResult, table: Table, *, actor: Actor, dry_run: bool) -> ImportResult:
    errors: list[RowError] = []
    rows = [r for number, raw in table.rows if (r := _parse_site(number, raw, errors)) is not None]
    scope = CaptureScope(actor.user)
    candidates = Unit.objects.by_codes(r.unit_code for r in rows)
    models = {m.code: m for m in Model.objects.select_for_update().filter(code__in={r.model_code for r in rows})}
    seen: dict[tuple[int, int, dt.date], int] = {}
    row_warnings: list[str] = []  # dropped when there are errors
    for row in rows:
        row.model = models.get(row.model_code)
        if row.model is not None and not scope.unlimited and (
                row.model.unit_id is None or row.model.unit_id not in scope):
            row.model = None  # outside the scope reads exactly like an unknown model
        if row.model is None:
            errors.append(RowError(row.number, "model_code", gettext(
                "mô hình mã “%(code)s”: không tìm thấy hoặc ngoài phạm vi của bạn (nhập danh sách mô hình trước)")
                % {"code": row.model_code}))
        row.unit = _resolve_unit(row.number, row.unit_code, row.started_on, candidates, scope, errors)
        if row.model is not None and row.unit is not None:
            key = (row.model.pk, row.unit.pk, row.started_on)
            if key in seen:
                errors.append(RowError(row.number, "unit_code",
                                       gettext("trùng với dòng %(row)s (cùng mô hình, đơn vị và ngày triển khai)")
                                       % {"row": seen[key]}))
            seen[key] = row.number
        if row.status == "retired" and row.retired_on is None:
            row_warnings.append(gettext("dòng %(row)s: điểm thanh loại không ghi ngày thanh loại, nên không được "
                                        "tính vào số liệu năm nào") % {"row": row.number})
    if not errors:
        result.warnings += row_warnings
    return write_all_or_nothing(result, errors, dry_run, lambda: _write_sites(rows, actor, result))


def _write_sites(rows: list[SiteRow], actor: Actor, result: ImportResult) -> None:
    model_ids = sorted({r.model.pk for r in rows if r.model is not None})
    existing: dict[tuple[int, int, dt.date], Site] = {}
    for start in range(0, len(model_ids), 900):
        for site in Site.objects.select_for_update().filter(model_id__in=model_ids[start:start + 900]):
            existing[(site.model_id, site.unit_id, site.started_on)] = site
    creates: list[tuple[SiteRow, Site]] = []
    updates: list[tuple[SiteRow, Site, dict[str, Any]]] = []
    for row in rows:
        assert row.model is not None and row.unit is not None
        target = {"teams": row.teams, "status": SiteStatus(row.status), "retired_on": row.retired_on}
        old = existing.get((row.model.pk, row.unit.pk, row.started_on))
        if old is None:
            creates.append((row, Site(model=row.model, unit=row.unit, started_on=row.started_on, **target)))
            continue
        if all(getattr(old, k) == v for k, v in target.items()):
            result.unchanged += 1
            continue
        before = old.snapshot()
        for k, v in target.items():
            setattr(old, k, v)
        updates.append((row, old, before))
    Site.objects.bulk_create([s for _, s in creates], batch_size=1000)
    now = timezone.now()
    for _, site, _ in updates:
        site.updated_at = now
    Site.objects.bulk_update([s for _, s, _ in updates], ["teams", "status", "retired_on", "updated_at"],
                             batch_size=1000)
    _adopt_owners(rows, actor)
    record_many(actor, "model_site.import", [(s, s.unit, None, s.snapshot()) for _, s in creates]
                + [(s, s.unit, before, s.snapshot()) for _, s, before in updates])
    result.created, result.updated = len(creates), len(updates)
    result.preview = sorted(
        [(row.number, "create", f"{row.model_code} @ {row.unit_code} ({date_text(row.started_on)})")
         for row, _ in creates]
        + [(row.number, "update", f"{row.model_code} @ {row.unit_code} ({date_text(row.started_on)})")
           for row, _, _ in updates])


def _adopt_owners(rows: list[SiteRow], actor: Actor) -> None:
    """Models imported without an owner take the province their sites lie in (when there is just one)."""
    orphans = {r.model.pk for r in rows if r.model is not None and r.model.unit_id is None}
    if not orphans:
        return
    found = (UnitAncestor.objects.filter(ancestor__kind=Kind.PROVINCE, unit__model_sites__model_id__in=orphans)
             .values_list("unit__model_sites__model_id", "ancestor_id").distinct())
    by_model: dict[int, set[int]] = {}
    for model_id, province_id in found:
        by_model.setdefault(model_id, set()).add(province_id)
    models = list(MODELS.locking().filter(pk__in=[m for m, p in by_model.items() if len(p) == 1],
                                          unit__isnull=True))
    units = Unit.objects.in_bulk({next(iter(by_model[m.pk])) for m in models})
    # An edit of each model (its owner), as on the model's page: the version read is checked.
    MODELS.move_many([Move(m, "update", changes={"unit": units[next(iter(by_model[m.pk]))]}) for m in models],
                     actor=actor)


register(ImportKind(key="models", label=gettext_lazy("Mô hình"), columns=MODEL_COLUMNS, run=import_models))
register(ImportKind(key="model_sites", label=gettext_lazy("Điểm mô hình"), columns=SITE_COLUMNS,
                    run=import_model_sites))

__all__ = ["MODEL_COLUMNS", "SITE_COLUMNS", "import_model_sites", "import_models"]
