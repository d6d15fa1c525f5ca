"""Named actions of the models registry. Views, the importers, the demo and commands call these.

Each action validates, runs in one transaction, writes the change, appends a ``ModelEvent``
(for changes to a model) and an audit row. Changes to a model go through ``MODELS``
(``phongtrao.lib.workflow``; the table is ``models.TRANSITIONS``): it locks the row, refuses a stale
version and a move the current status does not allow, with a Vietnamese message::

    proposed -> approved -> operating -> retired (thanh loại)
    proposed, approved -> retired (dropped before it ran)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from phongtrao.audit.actions import Actor, record, record_many
from phongtrao.lib.vnformat import date_text
from phongtrao.lib.vntext import fold
from phongtrao.lib.workflow import ActionError
from phongtrao.models_registry.models import (
    MODELS,
    CatalogueEntry,
    Evaluation,
    Field,
    Initiator,
    Model,
    Result,
    Site,
    SiteStatus,
    Status,
)
from phongtrao.units.models import Kind, Unit

__all__ = [
    "do_add_catalogue_entry", "do_approve_model", "do_create_model",
    "do_designate_leading", "do_operate_model", "do_record_evaluation", "do_rename_catalogue_entry",
    "do_replicate", "do_retire_model", "do_retire_site", "do_revoke_leading", "do_update_model",
]

CATALOGUES: dict[str, type[CatalogueEntry]] = {"field": Field, "initiator": Initiator}
CODE_RE = re.compile(r"^[a-z0-9_-]{1,60}$")
MODEL_FIELDS = ("code", "name", "field", "initiator", "unit", "description", "started_on")

# --- catalogues -----------------------------------------------------------------------------------


def catalogue_code(name: str) -> str:
    """A code from a name: "Phòng cháy, chữa cháy" -> "phong_chay_chua_chay"."""
    return re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")[:60] or "khac"


@transaction.atomic
def do_add_catalogue_entry(actor: Actor, catalogue: str, *, name: str, province: Unit | None,
                           code: str = "") -> CatalogueEntry:
    """Add a field or initiator, national (``province`` None) or for one province."""
    model = CATALOGUES[catalogue]
    name = " ".join(name.split())
    code = code.strip().lower() or catalogue_code(name)
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [gettext("Tên không được để trống.")]
    if not CODE_RE.match(code):
        errors["code"] = [gettext("Mã chỉ gồm chữ thường không dấu, số, “_” và “-” (tối đa 60 ký tự).")]
    if province is not None and province.kind != Kind.PROVINCE:
        errors["province"] = [gettext("Danh mục riêng chỉ đặt cho một tỉnh.")]
    if not errors:
        clash = model.objects.for_province(province).filter(code=code).first()
        if clash is None and province is None:
            clash = model.objects.filter(code=code).first()
        if clash is not None:
            errors["code"] = [gettext("Mã “%(code)s” đã có trong danh mục (%(name)s).")
                              % {"code": code, "name": clash.name}]
    if errors:
        raise ActionError(errors)
    entry = model(code=code, name=name, province=province)
    entry.refresh_derived()
    entry.save()
    record(actor, f"{catalogue}.create", entry, unit=province, before=None,
           after={"code": code, "name": name, "province_id": province.pk if province else None})
    return entry


def do_add_imported_catalogue_entry(actor: Actor, catalogue: str, *, name: str, province_id: int | None,
                                    taken: set[str]) -> CatalogueEntry:
    """Add a field or initiator the models importer met by name only (inside the import's transaction).
    The code comes from the name, suffixed ``_2``, ``_3``… until it is not in ``taken`` (the codes of the
    entries the importer already holds for that province and nationally)."""
    model = CATALOGUES[catalogue]
    name = " ".join(name.split())
    base = catalogue_code(name)
    code, n = base, 2
    while code in taken:
        code, n = f"{base[:56]}_{n}", n + 1
    entry = model(code=code, name=name, province_id=province_id)
    entry.refresh_derived()
    entry.save()
    record(actor, f"{catalogue}.create", entry, unit=entry.province, before=None,
           after={"code": code, "name": name, "province_id": province_id})
    return entry


@transaction.atomic
def do_rename_catalogue_entry(actor: Actor, catalogue: str, entry_id: int, *, name: str) -> CatalogueEntry:
    model = CATALOGUES[catalogue]
    entry = model.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise ActionError(gettext("Không tìm thấy mục danh mục."))
    name = " ".join(name.split())
    if not name:
        raise ActionError({"name": [gettext("Tên không được để trống.")]})
    if name == entry.name:
        return entry
    before = {"name": entry.name}
    entry.name = name
    entry.refresh_derived()
    entry.save()
    record(actor, f"{catalogue}.rename", entry, unit=entry.province, before=before, after={"name": name})
    return entry


# --- models ---------------------------------------------------------------------------------------


def _validate(model: Model) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not model.code.strip():
        errors.setdefault("code", []).append(gettext("Mã không được để trống."))
    elif Model.objects.filter(code=model.code).exclude(pk=model.pk).exists():
        errors.setdefault("code", []).append(gettext("Mã %(code)s đã dùng cho một mô hình khác.")
                                             % {"code": model.code})
    if not model.name.strip():
        errors.setdefault("name", []).append(gettext("Tên mô hình không được để trống."))
    province = _province_of(model.unit) if model.unit_id else None
    for name, entry in (("field", model.field), ("initiator", model.initiator)):
        if entry.province_id is not None and entry.province_id != (province.pk if province else None):
            errors.setdefault(name, []).append(gettext("“%(name)s” thuộc danh mục riêng của tỉnh khác.")
                                               % {"name": entry.name})
    return errors


def _province_of(unit: Unit | None) -> Unit | None:
    if unit is None:
        return None
    if unit.kind == Kind.PROVINCE:
        return unit
    return Unit.objects.filter(descendant_links__unit=unit, kind=Kind.PROVINCE).first()


@transaction.atomic
def do_create_model(actor: Actor, *, code: str, name: str, field: Field, initiator: Initiator, unit: Unit,
                    description: str = "", started_on: dt.date | None = None,
                    status: str = Status.PROPOSED) -> Model:
    model = Model(code=code.strip(), name=" ".join(name.split()), field=field, initiator=initiator, unit=unit,
                  description=description.strip(), started_on=started_on, status=status)
    errors = _validate(model)
    if status not in (Status.PROPOSED, Status.APPROVED, Status.OPERATING):
        errors.setdefault("status", []).append(gettext("Mô hình mới phải ở trạng thái đề xuất, đã phê duyệt "
                                                       "hoặc đang hoạt động."))
    if errors:
        raise ActionError(errors)
    return MODELS.created(model, actor=actor)


@transaction.atomic
def do_update_model(actor: Actor, model_id: int, *, expected_version: int | None = None, **changes: Any) -> Model:
    """Edit the register entry (not the status: that moves only by the transitions)."""
    model = MODELS.lock(model_id)
    MODELS.refuse(model, "update", expected_version)
    unknown = set(changes) - set(MODEL_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = model.snapshot()
    for name, value in changes.items():
        setattr(model, name, value.strip() if isinstance(value, str) else value)
    model.name = " ".join(model.name.split())
    errors = _validate(model)
    if errors:
        raise ActionError(errors)
    if model.snapshot() == before:
        return model
    return MODELS.move(model, "update", actor=actor, before=before)


@transaction.atomic
def do_approve_model(actor: Actor, model_id: int, *, expected_version: int | None = None) -> Model:
    return MODELS.move(MODELS.lock(model_id), "approve", actor=actor, expected_version=expected_version)


@transaction.atomic
def do_operate_model(actor: Actor, model_id: int, *, started_on: dt.date | None = None,
                     expected_version: int | None = None) -> Model:
    model = MODELS.lock(model_id)
    changes = {}
    if started_on is not None or model.started_on is None:
        changes["started_on"] = started_on or timezone.localdate()
    return MODELS.move(model, "operate", actor=actor, expected_version=expected_version, changes=changes)


@transaction.atomic
def do_retire_model(actor: Actor, model_id: int, *, retired_on: dt.date, reason: str,
                    expected_version: int | None = None) -> Model:
    """Retire (thanh loại) a model and, on the same date, its active sites."""
    model = MODELS.lock(model_id)
    MODELS.refuse(model, "retire", expected_version)
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [gettext("Phải ghi lý do thanh loại.")]
    if model.started_on and retired_on < model.started_on:
        errors["retired_on"] = [gettext("Ngày thanh loại phải từ ngày xây dựng (%(date)s) trở đi.")
                                % {"date": date_text(model.started_on)}]
    later = model.sites.active().filter(started_on__gt=retired_on).count()
    if later:
        errors.setdefault("retired_on", []).append(
            gettext("Có %(count)s điểm triển khai sau ngày %(date)s; chọn ngày thanh loại muộn hơn.")
            % {"count": later, "date": date_text(retired_on)})
    if errors:
        raise ActionError(errors)
    sites = list(model.sites.active().select_for_update().select_related("unit"))
    # record_many() takes a list of (object, unit | None, before | None, after | None): list is invariant.
    site_rows: list[tuple[Any, Unit | None, dict[str, Any] | None, dict[str, Any] | None]] = []
    for site in sites:
        before_site = site.snapshot()
        site.status, site.retired_on = SiteStatus.RETIRED, retired_on
        site_rows.append((site, site.unit, before_site, site.snapshot()))
    Site.objects.bulk_update(sites, ["status", "retired_on"])
    record_many(actor, "model_site.retire", site_rows)
    return MODELS.move(model, "retire", actor=actor, reason=reason.strip(),
                       changes={"retired_on": retired_on, "retired_reason": reason.strip()},
                       event_fields={"details": {"sites_retired": len(sites)}})


@transaction.atomic
def do_designate_leading(actor: Actor, model_id: int, *, decision_no: str, decision_date: dt.date,
                         issuer: str) -> Model:
    """Recognise an operating model as a leading example (điển hình tiên tiến) by a decision."""
    model = MODELS.lock(model_id)
    errors: dict[str, list[str]] = {}
    if not MODELS.allows(model, "designate_leading"):
        errors["status"] = [gettext("Chỉ mô hình đang hoạt động mới được công nhận điển hình tiên tiến "
                                    "(mô hình %(code)s đang “%(status)s”).")
                            % {"code": model.code, "status": model.get_status_display()}]
    if not decision_no.strip():
        errors["decision_no"] = [gettext("Phải ghi số quyết định.")]
    if not issuer.strip():
        errors["issuer"] = [gettext("Phải ghi cơ quan ra quyết định.")]
    if model.is_leading:
        errors.setdefault("status", []).append(gettext("Mô hình đã là điển hình tiên tiến."))
    if model.started_on and decision_date < model.started_on:
        errors.setdefault("decision_date", []).append(gettext(
            "Ngày quyết định (%(day)s) trước ngày xây dựng mô hình (%(started)s).")
            % {"day": date_text(decision_date), "started": date_text(model.started_on)})
    if errors:
        raise ActionError(errors)
    return MODELS.move(model, "designate_leading", actor=actor, changes={
        "is_leading": True, "leading_decision_no": decision_no.strip(), "leading_decision_date": decision_date,
        "leading_issuer": issuer.strip()})


@transaction.atomic
def do_revoke_leading(actor: Actor, model_id: int, *, reason: str = "") -> Model:
    model = MODELS.lock(model_id)
    if not model.is_leading:
        raise ActionError({"status": [gettext("Mô hình %(code)s không phải điển hình tiên tiến.")
                                      % {"code": model.code}]})
    return MODELS.move(model, "revoke_leading", actor=actor, changes={
        "is_leading": False, "leading_decision_no": "", "leading_decision_date": None, "leading_issuer": ""},
        event_fields={"details": {"reason": reason.strip()}})


# --- sites and evaluations ----------------------------------------------------------------------


@transaction.atomic
def do_replicate(actor: Actor, model_id: int, units: Iterable[Unit], *, started_on: dt.date,
                 teams: int = 1) -> list[Site]:
    """Add a site at each unit (nhân rộng), all or nothing. A unit where the model already runs is refused."""
    model = MODELS.lock(model_id)
    units = list(dict.fromkeys(units))
    errors: dict[str, list[str]] = {}
    if model.status not in (Status.APPROVED, Status.OPERATING):
        errors["status"] = [gettext("Chỉ nhân rộng mô hình đã phê duyệt hoặc đang hoạt động "
                                    "(mô hình %(code)s đang “%(status)s”).")
                            % {"code": model.code, "status": model.get_status_display()}]
    if not units:
        errors["units"] = [gettext("Chọn ít nhất một đơn vị.")]
    if teams < 1:
        errors["teams"] = [gettext("Mỗi điểm có ít nhất 1 tổ/nhóm.")]
    if model.started_on and started_on < model.started_on:
        errors["started_on"] = [gettext("Ngày triển khai (%(day)s) trước ngày xây dựng mô hình (%(started)s).")
                                % {"day": date_text(started_on), "started": date_text(model.started_on)}]
    for unit in units:
        if not unit.is_valid_on(started_on):
            errors.setdefault("units", []).append(gettext("%(name)s không có hiệu lực ngày %(date)s.")
                                                  % {"name": unit.name, "date": date_text(started_on)})
    running = list(model.sites.active().filter(unit__in=units).values_list("unit__name", flat=True))
    if running:
        errors.setdefault("units", []).append(gettext("Mô hình đã có điểm đang hoạt động tại: %(names)s.")
                                              % {"names": ", ".join(running)})
    if errors:
        raise ActionError(errors)
    sites = Site.objects.bulk_create([Site(model=model, unit=u, started_on=started_on, teams=teams) for u in units])
    record_many(actor, "model_site.create", [(site, site.unit, None, site.snapshot()) for site in sites])
    MODELS.note(model, "replicate", actor=actor, details={
        "units": [u.code for u in units], "teams": teams, "started_on": started_on.isoformat()})
    return sites


@transaction.atomic
def do_retire_site(actor: Actor, site_id: int, *, retired_on: dt.date) -> Site:
    site = Site.objects.select_for_update().select_related("unit", "model").filter(pk=site_id).first()
    if site is None:
        raise ActionError(gettext("Không tìm thấy điểm mô hình."))
    if site.status != SiteStatus.ACTIVE:
        raise ActionError({"status": [gettext("Điểm này đã thanh loại.")]})
    if retired_on < site.started_on:
        raise ActionError({"retired_on": [gettext("Ngày thanh loại phải từ ngày triển khai (%(date)s) trở đi.")
                                          % {"date": date_text(site.started_on)}]})
    before = site.snapshot()
    site.status, site.retired_on = SiteStatus.RETIRED, retired_on
    site.save()
    record(actor, "model_site.retire", site, unit=site.unit, before=before, after=site.snapshot())
    MODELS.note(site.model, "retire_site", actor=actor, details={
        "unit": site.unit.code, "retired_on": retired_on.isoformat()})
    return site


@transaction.atomic
def do_record_evaluation(actor: Actor, model_id: int, *, evaluated_on: dt.date, evaluator: str, result: str,
                         notes: str = "", site: Site | None = None) -> Evaluation:
    """Record an evaluation of the model (or of one site). An ineffective result proposes retirement."""
    model = MODELS.lock(model_id)
    errors: dict[str, list[str]] = {}
    if model.status == Status.RETIRED:
        errors["status"] = [gettext("Mô hình %(code)s đã thanh loại.") % {"code": model.code}]
    if result not in Result.values:
        errors["result"] = [gettext("Kết quả đánh giá không hợp lệ.")]
    if not evaluator.strip():
        errors["evaluator"] = [gettext("Phải ghi cơ quan đánh giá.")]
    if site is not None and site.model_id != model.pk:
        errors["site"] = [gettext("Điểm này không thuộc mô hình.")]
    if evaluated_on > timezone.localdate():
        errors["evaluated_on"] = [gettext("Ngày đánh giá không được ở tương lai.")]
    if model.started_on and evaluated_on < model.started_on:
        errors.setdefault("evaluated_on", []).append(
            gettext("Ngày đánh giá phải từ ngày xây dựng (%(date)s) trở đi.") % {"date": date_text(model.started_on)})
    if errors:
        raise ActionError(errors)
    evaluation = Evaluation.objects.create(model=model, site=site, evaluated_on=evaluated_on,
                                           evaluator=evaluator.strip(), result=result, notes=notes.strip())
    record(actor, "model.evaluate", evaluation, unit=site.unit if site else model.unit, before=None,
           after=evaluation.snapshot())
    MODELS.note(model, "evaluate", actor=actor, details={
        "result": result, "evaluated_on": evaluated_on.isoformat(), "site": site.unit.code if site else None})
    return evaluation
