"""API v1 of data sets: the catalogue, values (read and write), a report's completion, and figures.

Scoped like the pages: values are listed only for units the caller may see; a unit named outside the caller's
view scope is 404 as if unknown; writing needs ``datasets.policy.may_enter`` (else 403). Writes call the same
named actions as the entry page (``channel="api"``): all or nothing, ``dry_run`` checks without writing, a
``version`` that is not the saved one is 409.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from phongtrao.accounts.access import get_unit_for_user, visible_units
from phongtrao.api.errors import ApiError, detail
from phongtrao.api.schemas import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, ErrorOut, Text, UnitId
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import Channel
from phongtrao.datasets import policy
from phongtrao.datasets.actions import ValueInput, do_complete_report, do_save_values
from phongtrao.datasets.export import value_cell
from phongtrao.datasets.figures import as_json_number, element_figures
from phongtrao.datasets.models import DataElement, DataSet, DataValue, OptionCombo
from phongtrao.datasets.values import InvalidValue, parse_value
from phongtrao.lib.periods import Period

if TYPE_CHECKING:
    from django.http import HttpRequest

router = Router(tags=["số liệu biểu mẫu"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}
Code = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_-]+$")]
PeriodId = Annotated[str, Field(min_length=4, max_length=8, pattern=r"^[0-9]{4}([SQ][0-9]|[0-9]{2})?$",
                                description="Kỳ: 2025, 2025S1, 2025Q3 hoặc 202508.")]
MAX_VALUES = 2000


class OptionComboOut(Schema):
    code: str
    name: str
    options: list[str]


class ElementOut(Schema):
    code: str
    name: str
    name_en: str
    value_type: str
    aggregation: str
    section: str
    option_combos: list[OptionComboOut]


class DataSetOut(Schema):
    code: str
    name: str
    name_en: str
    period_type: str
    kinds: list[str]
    source: str
    root_id: int | None
    elements: list[ElementOut] = Field(description="Chỉ tiêu của phiên bản đang áp dụng cho kỳ hiện tại.")


class ValueOut(Schema):
    element: str
    unit_id: int
    unit_code: str
    period: str
    option_combo: str
    options: list[str]
    value: str = Field(description="Như trong tệp nhập: 1234, 12,5, 19/08/2025, có/không; rỗng: đã xóa.")
    number: float | None
    comment: str
    version: int
    updated_at: Any


class ValuePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ValueOut]


class ValueFilters(Schema):
    dataset: Code | None = Field(None, description="Chỉ các chỉ tiêu của biểu mẫu này.")
    element: Code | None = None
    period: PeriodId | None = None
    unit_id: UnitId | None = Field(None, description="Chỉ số liệu của đơn vị này (phải được xem).")
    in_subtree: UnitId | None = Field(None, description="Đơn vị này và mọi đơn vị bên dưới (phải được xem).")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ValueIn(Schema):
    element: Code
    options: list[Code] = Field(default_factory=list, description="Mã các phân tổ của ô; rỗng: không phân tổ.")
    value: Text | float | int | None = Field(None, description="Số (hoặc chuỗi như trong tệp), ngày 19/08/2025; "
                                                               "null: xóa giá trị.")
    comment: Text = Field("", max_length=2000)
    version: int | None = Field(None, ge=0, description="Phiên bản đã đọc (0: chưa có); bỏ trống: ghi đè.")


class ValuesIn(Schema):
    dataset: Code
    unit_id: UnitId
    period: PeriodId
    dry_run: bool = False
    values: list[ValueIn] = Field(max_length=MAX_VALUES)


class SaveOut(Schema):
    dry_run: bool
    created: int
    updated: int
    unchanged: int


class ReportIn(Schema):
    dataset: Code
    unit_id: UnitId
    period: PeriodId
    version: int | None = Field(None, ge=0)


class ReportOut(Schema):
    dataset: str
    unit_id: int
    period: str
    status: str
    status_label: str
    version: int


class FigureFilters(Schema):
    unit_id: UnitId
    dataset: Code
    first: PeriodId = Field(description="Kỳ đầu.")
    last: PeriodId | None = Field(None, description="Kỳ cuối (cùng loại kỳ); bỏ trống: chỉ kỳ đầu.")


def _period(text: str, field: str = "period") -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise ApiError(422, "validation_error", str(exc), [detail(str(exc), field=field)]) from exc


def _combos(elements: list[DataElement]) -> dict[int, list[OptionCombo]]:
    out: dict[int, list[OptionCombo]] = {}
    for oc in OptionCombo.objects.filter(combo_id__in={e.combo_id for e in elements}).order_by("position"):
        out.setdefault(oc.combo_id, []).append(oc)
    return out


@router.get("/data-sets", response={200: list[DataSetOut], **ERRORS}, summary="Danh mục biểu mẫu báo cáo")
def list_datasets(request: HttpRequest) -> list[dict[str, Any]]:
    from django.utils import timezone

    out = []
    for dataset in DataSet.objects.order_by("position", "code"):
        version = dataset.version_for(Period.containing(timezone.localdate(), dataset.period_type))
        links = list(version.element_links.select_related("element").order_by("position")) if version else []
        combos = _combos([link.element for link in links])
        out.append({"code": dataset.code, "name": dataset.name, "name_en": dataset.name_en,
                    "period_type": dataset.period_type, "kinds": dataset.kinds, "source": dataset.source,
                    "root_id": dataset.root_id, "elements": [{
                        "code": link.element.code, "name": link.element.name, "name_en": link.element.name_en,
                        "value_type": link.element.value_type, "aggregation": link.element.aggregation,
                        "section": link.section, "option_combos": [
                            {"code": oc.code, "name": oc.name, "options": list(oc.option_codes)}
                            for oc in combos.get(link.element.combo_id, [])]} for link in links]})
    return out


@router.get("/data-values", response={200: ValuePage, **ERRORS}, summary="Số liệu đã nhập")
def list_values(request: HttpRequest, filters: Query[ValueFilters]) -> dict[str, Any]:
    """Values of units the caller may see, by unit, period and element."""
    f = filters
    values = DataValue.objects.filter(unit__in=visible_units(request.user).values("pk"))
    if f.dataset:
        dataset = get_object_or_404(DataSet, code=f.dataset)
        values = values.filter(element__dataset_versions__dataset=dataset).distinct()
    if f.element:
        values = values.filter(element__code=f.element)
    if f.period:
        values = values.filter(period=_period(f.period).id)
    if f.unit_id is not None:
        values = values.filter(unit=get_unit_for_user(request, f.unit_id))
    if f.in_subtree is not None:
        values = values.in_subtree(get_unit_for_user(request, f.in_subtree))
    count = values.count()
    page = list(values.select_related("element", "unit", "option_combo")
                .order_by("unit__sort_key", "unit_id", "period_start", "element__code", "option_combo__position")
                [f.offset:f.offset + f.limit])
    items = [{"element": v.element.code, "unit_id": v.unit_id, "unit_code": v.unit.code, "period": v.period,
              "option_combo": v.option_combo.code, "options": list(v.option_combo.option_codes),
              "value": value_cell(v.element, v), "number": None if v.value is None else float(v.value),
              "comment": v.comment, "version": v.version, "updated_at": v.updated_at} for v in page]
    return {"count": count, "limit": f.limit, "offset": f.offset, "items": items}


def _inputs(dataset: DataSet, period: Period, payload: ValuesIn) -> list[ValueInput]:
    version = dataset.version_for(period)
    elements = {link.element.code: link.element for link in
                (version.element_links.select_related("element") if version else [])}
    combos = _combos(list(elements.values()))
    errors, inputs = [], []
    for index, item in enumerate(payload.values):
        where = f"values[{index}]"
        element = elements.get(item.element)
        if element is None:
            errors.append(detail(gettext("Chỉ tiêu không có trong biểu này."), field=f"{where}.element"))
            continue
        wanted = frozenset(item.options)
        combo = next((oc for oc in combos.get(element.combo_id, []) if frozenset(oc.option_codes) == wanted), None)
        if combo is None:
            errors.append(detail(gettext("Phân tổ không đúng với chỉ tiêu."), field=f"{where}.options"))
            continue
        raw = item.value
        try:
            if isinstance(raw, bool):
                raise InvalidValue(gettext("Chỉ tiêu này nhận một số."))
            value = parse_value(element, str(Decimal(str(raw))) if isinstance(raw, int | float) else (raw or ""),
                                english=isinstance(raw, int | float))
        except (InvalidValue, ArithmeticError) as exc:
            errors.append(detail(str(exc), field=f"{where}.value"))
            continue
        inputs.append(ValueInput(element, combo, value, item.comment, item.version))
    if errors:
        raise ApiError(422, "validation_error", gettext("Dữ liệu gửi lên không hợp lệ."), errors)
    return inputs


class _DryRun(Exception):
    pass


@router.post("/data-values", response={200: SaveOut, **WRITE_ERRORS}, summary="Ghi số liệu")
def save_values(request: HttpRequest, payload: ValuesIn) -> dict[str, Any]:
    """Save the cells of one unit's data set and period, all or nothing (``dry_run``: check only)."""
    unit = get_unit_for_user(request, payload.unit_id)
    if not policy.may_enter(request.user, unit):
        raise ApiError(403, "forbidden", gettext("Bạn không có quyền nhập số liệu cho đơn vị này."))
    dataset = get_object_or_404(DataSet, code=payload.dataset)
    period = _period(payload.period)
    inputs = _inputs(dataset, period, payload)
    result: Any = None
    try:
        with transaction.atomic():
            result = do_save_values(Actor.of_request(request, Channel.API), unit, dataset,
                                    period, inputs)
            if payload.dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return {"dry_run": payload.dry_run, "created": len(result.created), "updated": len(result.updated),
            "unchanged": result.unchanged}


@router.post("/data-reports/complete", response={200: ReportOut, **WRITE_ERRORS}, summary="Đánh dấu hoàn thành")
def complete_report(request: HttpRequest, payload: ReportIn) -> dict[str, Any]:
    """Mark the report complete; its validation rules' violations refuse it (422, listed)."""
    unit = get_unit_for_user(request, payload.unit_id)
    if not policy.may_enter(request.user, unit):
        raise ApiError(403, "forbidden", gettext("Bạn không có quyền nhập số liệu cho đơn vị này."))
    dataset = get_object_or_404(DataSet, code=payload.dataset)
    report = do_complete_report(Actor.of_request(request, Channel.API), unit, dataset,
                                _period(payload.period), expected_version=payload.version)
    return {"dataset": dataset.code, "unit_id": unit.pk, "period": report.period, "status": report.status,
            "status_label": str(report.get_status_display()), "version": report.version}


@router.get("/data-figures", response={200: dict[str, Any], **ERRORS}, summary="Số liệu tổng hợp")
def figures(request: HttpRequest, filters: Query[FigureFilters]) -> dict[str, Any]:
    """Totals of a data set's elements over a unit's subtree and a range of periods, by disaggregation (the same
    figures as the annual report's ``activities`` section)."""
    root = get_unit_for_user(request, filters.unit_id)
    dataset = get_object_or_404(DataSet, code=filters.dataset)
    first = _period(filters.first, "first")
    last = _period(filters.last, "last") if filters.last else first
    if last.type != first.type or last < first or first.type.value != dataset.period_type:
        raise ApiError(422, "validation_error", gettext("Các kỳ phải cùng loại kỳ của biểu mẫu, kỳ đầu trước kỳ cuối."))
    version = dataset.version_for(last)
    elements = version.ordered_elements() if version else []
    out = element_figures(root, first, last, elements=elements)
    return {"unit_id": root.pk, "dataset": dataset.code, "first": first.id, "last": last.id, "elements": {
        code: {"total": as_json_number(e["total"]),
               "by": {c: {o: as_json_number(v) for o, v in opts.items()} for c, opts in e["by"].items()}}
        for code, e in out.items()}}
