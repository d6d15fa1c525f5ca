"""Models registry pages: the list (search, filters, sort, Excel), a model's page, create/edit, the status
moves, replicate (unit picker), evaluations, retire, leading examples, the overdue list, the catalogues and
the year's figures.

Models come through ``get_model_for_user`` (404 out of view, 403 without the right to change its owning
unit); units through ``phongtrao.accounts.access``; every write through ``models_registry.actions``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from phongtrao.accounts.access import capture_units, holds, is_admin, may, require, visible_units
from phongtrao.accounts.forms import unit_search
from phongtrao.accounts.models import User
from phongtrao.audit.actions import Actor
from phongtrao.lib.rehearsal import rehearse
from phongtrao.lib.vnformat import date_text
from phongtrao.lib.workflow import ActionError, StaleVersion
from phongtrao.models_registry import actions
from phongtrao.models_registry.export import workbook
from phongtrao.models_registry.forms import (
    SORTS,
    CatalogueAddForm,
    CatalogueRenameForm,
    CreateModelForm,
    EditModelForm,
    EvaluationForm,
    LeadingForm,
    ModelListForm,
    ReplicateForm,
    RetireForm,
    UnitYearForm,
)
from phongtrao.models_registry.models import Field, Initiator, Model, ModelQuerySet, Result, Status, evaluation_months
from phongtrao.models_registry.queries import (
    catalogue_provinces,
    model_page_context,
    overdue_units,
    picker_communes,
    picker_units,
    user_catalogue,
)
from phongtrao.reports.annual import SECTIONS, section_blocks
from phongtrao.reports.render.html import render_blocks
from phongtrao.units.models import Kind, Unit

PER_PAGE = 50
EXPORT_LIMIT = 50_000


def _signed_in(request: HttpRequest) -> User:
    """The signed-in user of a view behind ``login_required`` (which redirects anonymous visitors)."""
    user = request.user
    assert isinstance(user, User), "only for views behind login_required"
    return user


def may_edit(user: Any, unit: Unit | None) -> bool:
    """Register editors change models of units in their capture scope (administrators: every model)."""
    if is_admin(user):
        return True
    return unit is not None and may(user, "models.edit", unit)


def get_model_for_user(request: HttpRequest, pk: int, *, for_change: bool = False) -> Model:
    model = (Model.objects.visible_to(request.user).select_related("field", "initiator", "unit")
             .filter(pk=pk).first())
    if model is None:
        raise Http404(gettext("Không tìm thấy mô hình."))
    if for_change and not may_edit(request.user, model.unit):
        raise PermissionDenied(gettext("Bạn không có quyền thay đổi mô hình này."))
    return model


def _require_editor(request: HttpRequest) -> None:
    require(_signed_in(request), "models.edit", message=gettext("Bạn không có quyền thêm hoặc sửa mô hình."))


def _filtered(request: HttpRequest) -> tuple[ModelListForm, ModelQuerySet, Unit | None]:
    fields, initiators = user_catalogue(request.user)
    form = ModelListForm(request.GET, fields=fields, initiators=initiators)
    models = Model.objects.visible_to(request.user).select_related("field", "initiator", "unit")
    within = visible_units(request.user).filter(pk=form.value("unit")).first() if form.value("unit") else None
    if within is not None:
        models = models.touching(within)
    models = models.search(form.value("q", ""))
    for name in ("field", "initiator", "status"):
        if form.value(name):
            models = models.filter(**{name: form.value(name)})
    models = models.with_last_evaluation().order_by(*SORTS.get(form.value("sort") or "name", SORTS["name"]))
    return form, models, within


@require_GET
@login_required
def model_list(request: HttpRequest) -> HttpResponse:
    """Models the user may see: search without diacritics, filters, a unit's subtree, sort, pages."""
    form, models, within = _filtered(request)
    page = Paginator(models, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "models_registry/list.html", {
        "form": form, "page": page, "within": within, "can_create": may_create(request.user)})


def may_create(user: Any) -> bool:
    return holds(user, "models.edit")


@require_GET
@login_required
def export(request: HttpRequest) -> HttpResponse:
    _form, models, _within = _filtered(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(workbook(models[:EXPORT_LIMIT]),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="mo-hinh-{stamp}.xlsx"'
    return response


def _owners(request: HttpRequest) -> Any:
    return capture_units(request.user).of_kind(Kind.PROVINCE, Kind.COMMUNE).valid_on(timezone.localdate()) \
        .vi_ordered()


@login_required
def create(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    fields, initiators = user_catalogue(request.user)
    initial = {"unit": request.user.unit_id, "started_on": timezone.localdate()}  # type: ignore[union-attr]
    form = CreateModelForm(request.POST or None, owners=_owners(request), fields=fields, initiators=initiators,
                           initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            model = actions.do_create_model(Actor.of_request(request), **form.model_fields())
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã thêm “%(name)s” (mã %(code)s).")
                             % {"name": model.name, "code": model.code})
            return redirect("models_registry:detail", model.pk)
    return render(request, "models_registry/model_form.html", {"form": form, "model": None})


@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A model: its register entry, sites, evaluations, history and audit history."""
    model = get_model_for_user(request, pk)
    context = model_page_context(request.user, model)
    context["can_change"] = may_edit(request.user, model.unit)
    return render(request, "models_registry/detail.html", context)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the register entry; the form's version makes a concurrent save a refusal."""
    model = get_model_for_user(request, pk, for_change=True)
    fields, initiators = user_catalogue(request.user)
    initial = {name: getattr(model, name) for name in ("code", "name", "field", "initiator", "unit", "started_on",
                                                       "description", "version")}
    owners = _owners(request)
    if model.unit_id is not None:  # keep the current owner selectable even outside the user's scope
        owners = owners | Unit.objects.filter(pk=model.unit_id)
    form = EditModelForm(request.POST or None, owners=owners.distinct(), fields=fields, initiators=initiators,
                         initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_model(Actor.of_request(request), model.pk, expected_version=form.cleaned_data["version"],
                                    **form.model_fields())
        except StaleVersion:
            form.add_error(None, gettext("Mô hình này vừa được người khác sửa sau khi bạn mở biểu mẫu, nên thay "
                                         "đổi của bạn CHƯA được lưu. Hãy tải lại trang rồi sửa lại."))
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã lưu thay đổi của mô hình %(name)s.") % {"name": model.name})
            return redirect("models_registry:detail", model.pk)
    return render(request, "models_registry/model_form.html", {"form": form, "model": model})


MOVES = {"approve": actions.do_approve_model, "operate": actions.do_operate_model}


@require_POST
@login_required
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a proposed model, or put an approved one into operation (POST ``action``)."""
    model = get_model_for_user(request, pk, for_change=True)
    move = MOVES.get(request.POST.get("action", ""))
    if move is None:
        messages.error(request, gettext("Thao tác không hợp lệ."))
    else:
        try:
            move(Actor.of_request(request), model.pk)
        except ActionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, gettext("Đã chuyển trạng thái mô hình %(name)s.") % {"name": model.name})
    return redirect("models_registry:detail", model.pk)


@login_required
def replicate(request: HttpRequest, pk: int) -> HttpResponse:
    """Add many sites at once (nhân rộng), from the unit picker; all or nothing."""
    model = get_model_for_user(request, pk, for_change=True)
    form = ReplicateForm(request.POST or None, units=picker_units(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sites = actions.do_replicate(Actor.of_request(request), model.pk, list(data["units"]),
                                         started_on=data["started_on"], teams=data["teams"])
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã nhân rộng mô hình tới %(n)s điểm mới.") % {"n": len(sites)})
            return redirect("models_registry:detail", model.pk)
    chosen = list(form.cleaned_data.get("units") or []) if form.is_bound else []
    return render(request, "models_registry/replicate.html", {"form": form, "model": model, "chosen": chosen})


@require_GET
@login_required
def replicate_picker(request: HttpRequest) -> HttpResponse:
    """htmx: units matching the search box (diacritics ignored) as checkboxes, within the capture scope."""
    _require_editor(request)
    text = request.GET.get("unit_q", "")[:100]
    communes = picker_communes(request.user, text)
    grouped = {unit.pk for _, below in communes for unit in below}
    units = [unit for unit in unit_search(picker_units(request.user), text) if unit.pk not in grouped]
    return render(request, "models_registry/_picker_results.html",
                  {"units": units, "communes": communes, "searched": True})


@login_required
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an evaluation of the model or of one of its sites (``?site=<pk>`` preselects it)."""
    model = get_model_for_user(request, pk, for_change=True)
    sites = model.sites.active().filter(unit__in=visible_units(request.user)).select_related("unit__parent") \
        .order_by("unit__sort_key")
    form = EvaluationForm(request.POST or None, sites=sites, initial={"site": request.GET.get("site", "")[:18]
                                                                      if request.GET.get("site", "").isdigit()
                                                                      else None})
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = actions.do_record_evaluation(Actor.of_request(request), model.pk, **form.cleaned_data)
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            if evaluation.result == Result.INEFFECTIVE:
                messages.warning(request, gettext("Kết quả “Không hiệu quả”: đề nghị xem xét thanh loại mô hình."))
            else:
                messages.success(request, gettext("Đã ghi kết quả đánh giá."))
            return redirect("models_registry:detail", model.pk)
    return render(request, "models_registry/evaluate.html", {"form": form, "model": model})


@login_required
def retire(request: HttpRequest, pk: int) -> HttpResponse:
    """Retire (thanh loại) a model after a confirmation step; its active sites are retired with it."""
    model = get_model_for_user(request, pk, for_change=True)
    form = RetireForm(request.POST or None, initial={"retired_on": timezone.localdate(), "version": model.version})
    confirming = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def run() -> object:
            return actions.do_retire_model(Actor.of_request(request), model.pk, retired_on=data["retired_on"],
                                           reason=data["reason"], expected_version=data["version"])

        if not data["confirm"]:  # validate first (a rehearsal), then ask
            if (refusal := rehearse(run, ActionError)) is not None:
                form.add_action_error(refusal)
            else:
                confirming = True
        else:
            try:
                run()
            except ActionError as exc:
                form.add_action_error(exc)
            else:
                messages.success(request, gettext("Đã thanh loại mô hình %(name)s từ ngày %(date)s.")
                                 % {"name": model.name, "date": date_text(data["retired_on"])})
                return redirect("models_registry:detail", model.pk)
    active_sites = model.sites.active().count()
    return render(request, "models_registry/retire.html", {"form": form, "model": model, "confirming": confirming,
                                                           "active_sites": active_sites})


@login_required
def leading(request: HttpRequest, pk: int) -> HttpResponse:
    """Designate the model a leading example (điển hình tiên tiến), with its decision."""
    model = get_model_for_user(request, pk, for_change=True)
    form = LeadingForm(request.POST or None, initial={"decision_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_designate_leading(Actor.of_request(request), model.pk, **form.cleaned_data)
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã công nhận %(name)s là điển hình tiên tiến.") % {"name": model.name})
            return redirect("models_registry:detail", model.pk)
    return render(request, "models_registry/leading.html", {"form": form, "model": model})


@require_POST
@login_required
def leading_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_model_for_user(request, pk, for_change=True)
    try:
        actions.do_revoke_leading(Actor.of_request(request), model.pk, reason=request.POST.get("reason", "")[:2000])
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("Đã thu hồi công nhận điển hình tiên tiến."))
    return redirect("models_registry:detail", model.pk)


@require_GET
@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """Operating models overdue for evaluation, in a province or commune the user may see."""
    form = UnitYearForm(request.GET)
    choices = overdue_units(request.user)
    unit = choices.filter(pk=form.value("unit")).first() if form.value("unit") else choices.first()
    today = timezone.localdate()
    models = Model.objects.none()
    if unit is not None:
        models = (Model.objects.visible_to(request.user).touching(unit).overdue(today)
                  .select_related("field", "unit").order_by("last_evaluated_on", "started_on", "code"))
    page = Paginator(models, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "models_registry/overdue.html", {
        "form": form, "unit": unit, "choices": choices, "page": page, "months": evaluation_months(), "today": today})


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """A province's fields and initiators (national ones and its own); officers add and rename its own."""
    provinces = catalogue_provinces(request.user)
    form = UnitYearForm(request.GET)
    province = provinces.filter(pk=form.value("unit")).first() if form.value("unit") else provinces.first()
    editable = province is not None and may_edit(request.user, province)
    add_form, rename_form = CatalogueAddForm(prefix="add"), None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(gettext("Bạn không có quyền sửa danh mục của tỉnh này."))
        result = _catalogue_post(request, province)
        if isinstance(result, HttpResponse):
            return result
        add_form, rename_form = result
    return render(request, "models_registry/catalogue.html", {
        "province": province, "provinces": provinces, "editable": editable, "add_form": add_form,
        "rename_form": rename_form,
        "fields": Field.objects.for_province(province).select_related("province").in_catalogue_order(),
        "initiators": Initiator.objects.for_province(province).select_related("province").in_catalogue_order()})


def _catalogue_post(request: HttpRequest, province: Any) -> Any:
    """Add an entry to the province's catalogue, or rename one of its own (administrators: national ones too)."""
    add_form, rename_form = CatalogueAddForm(prefix="add"), None
    if "add-name" in request.POST:
        add_form = CatalogueAddForm(request.POST, prefix="add")
        if add_form.is_valid():
            data = add_form.cleaned_data
            try:
                actions.do_add_catalogue_entry(Actor.of_request(request), data["catalogue"], name=data["name"],
                                               code=data["code"], province=province)
            except ActionError as exc:
                add_form.add_action_error(exc)
            else:
                messages.success(request, gettext("Đã thêm “%(name)s”.") % {"name": data["name"]})
                return redirect(f"{request.path}?unit={province.pk}")
    else:
        rename_form = CatalogueRenameForm(request.POST)
        if rename_form.is_valid():
            data = rename_form.cleaned_data
            entries = actions.CATALOGUES[data["catalogue"]].objects.for_province(province)
            if not holds(request.user, "models.national_catalogue"):
                entries = entries.filter(province=province)
            if not entries.filter(pk=data["entry"]).exists():
                raise PermissionDenied(gettext("Chỉ đổi tên được mục do tỉnh thêm."))
            try:
                actions.do_rename_catalogue_entry(Actor.of_request(request), data["catalogue"], data["entry"],
                                                  name=data["name"])
            except ActionError as exc:
                rename_form.add_action_error(exc)
            else:
                messages.success(request, gettext("Đã đổi tên thành “%(name)s”.") % {"name": data["name"]})
                return redirect(f"{request.path}?unit={province.pk}")
    return add_form, rename_form


@require_GET
@login_required
def figures(request: HttpRequest) -> HttpResponse:
    """The year's models figures of a unit the user may see: the annual report's section, on the web."""
    form = UnitYearForm(request.GET)
    choices = overdue_units(request.user)
    unit = choices.filter(pk=form.value("unit")).first() if form.value("unit") else choices.first()
    year = form.value("year") or timezone.localdate().year
    section = SECTIONS["models"]
    data = section.build(unit, year) if unit is not None else None
    html = render_blocks(section_blocks(section, unit, year, data)) if unit is not None else ""
    return render(request, "models_registry/figures.html", {
        "form": form, "unit": unit, "year": year, "section": data, "choices": choices, "section_html": html,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
        "statuses": Status})

