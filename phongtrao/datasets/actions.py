"""Named actions of data sets: save values, mark a report complete, reopen it; add a province's own elements
and data sets. Views, the API, the importer and commands call these.

Each write checks who acts (``datasets.policy``), validates, locks, writes, and appends its audit row (and for
a report's moves a ``ReportEvent``) in one transaction. Values carry the version they were read at: a value
saved by someone else in between is refused with ``StaleVersion``, never overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from phongtrao.accounts import access
from phongtrao.audit.actions import Actor, record, record_many
from phongtrao.datasets import policy
from phongtrao.datasets.models import (
    REPORTS,
    DataElement,
    DataSet,
    DataSetElement,
    DataSetReport,
    DataSetVersion,
    DataValue,
    OptionCombo,
    ReportStatus,
)
from phongtrao.datasets.values import InvalidValue, check_comment, check_value
from phongtrao.lib.bulk import insert_objects
from phongtrao.lib.locks import serialise
from phongtrao.lib.periods import Period
from phongtrao.lib.vnformat import date_text
from phongtrao.lib.workflow import ActionError, Move, StaleVersion
from phongtrao.units.models import Kind, Unit

__all__ = ["ActionError", "SaveResult", "StaleVersion", "ValueInput", "cell_key", "do_add_dataset",
           "do_add_dataset_version", "do_add_element", "do_approve_report", "do_complete_report", "do_reopen_report",
           "do_return_report", "do_save_values", "do_submit_report", "do_unapprove_report", "find_report",
           "in_sentence"]


@dataclass(frozen=True)
class ValueInput:
    element: DataElement
    option_combo: OptionCombo
    value: Decimal | dt.date | None
    comment: str = ""
    # The version read (0: there was no value); None: do not check (an import replaces what is there).
    expected_version: int | None = None


@dataclass
class SaveResult:
    created: list[DataValue] = field(default_factory=list)
    updated: list[DataValue] = field(default_factory=list)
    unchanged: int = 0
    report: DataSetReport | None = None

    @property
    def saved(self) -> list[DataValue]:
        return self.created + self.updated


def cell_key(element: DataElement, option_combo: OptionCombo) -> str:
    """How a cell is named in an action's errors (and the entry page's field names use the ids)."""
    return f"{element.code}:{option_combo.code}"


def in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter in lower case ("quý II/2026", not "quý ii/2026")."""
    return label[:1].lower() + label[1:]


def _user(actor: Actor) -> Any:
    return actor.user if actor.user is not None and actor.user.pk else None


def _today() -> dt.date:
    return timezone.localdate()


def check_form(actor: Actor, unit: Unit, dataset: DataSet, period: Period, *, entering: bool = True,
               version: DataSetVersion | None = None) -> DataSetVersion:
    """The form in force for ``period``, after the checks every write of ``unit``'s report makes: the actor may
    enter for the unit, the data set applies to it and has this period type, and entry is open. ``version``: the
    form in force, when the caller read it already (a bulk load checks many units against one form)."""
    user = _user(actor)
    if not policy.may_enter(user, unit):
        raise ActionError(gettext("Bạn không có quyền nhập số liệu cho %(name)s.") % {"name": unit.name})
    if dataset.period_type != period.type.value:
        raise ActionError({"period": [gettext("Biểu “%(name)s” báo cáo theo %(type)s, không theo kỳ “%(period)s”.")
                                      % {"name": dataset.name, "type": in_sentence(period.type.label),
                                         "period": period.label}]})
    if not dataset.applies_to(unit):
        raise ActionError(gettext("Biểu “%(name)s” không áp dụng cho %(unit)s.") % {"name": dataset.name,
                                                                                   "unit": unit.name})
    if not period.overlaps(unit.valid_from, unit.valid_to):
        raise ActionError({"period": [gettext("%(unit)s không tồn tại trong %(period)s.")
                                      % {"unit": unit.name, "period": in_sentence(period.label)}]})
    version = version or dataset.version_for(period)
    if version is None:
        raise ActionError({"period": [gettext("Biểu “%(name)s” chưa có mẫu áp dụng cho %(period)s.")
                                      % {"name": dataset.name, "period": in_sentence(period.label)}]})
    if entering:
        today = _today()
        if today < dataset.opening_date(period):
            raise ActionError({"period": [gettext("Chưa đến thời gian nhập %(period)s: mở từ ngày %(day)s.")
                                          % {"period": in_sentence(period.label),
                                             "day": date_text(dataset.opening_date(period))}]})
        closing = dataset.closing_date(period)
        if closing is not None and today > closing and not policy.may_enter_late(user):
            raise ActionError({"period": [gettext("Đã hết hạn nhập %(period)s (hạn cuối ngày %(day)s); đề nghị cán "
                                                  "bộ cấp tỉnh nhập bổ sung.")
                                          % {"period": in_sentence(period.label), "day": date_text(closing)}]})
    return version


def _lock_report(dataset: DataSet, unit: Unit, period: Period, *, create: bool) -> DataSetReport | None:
    report = (DataSetReport.objects.select_for_update().filter(dataset=dataset, unit=unit, period=period.id).first())
    if report is None and create:
        report = DataSetReport(dataset=dataset, unit=unit)
        report.set_period(period)
        report.save()
    return report


def refuse_locked(report: DataSetReport | None) -> None:
    """Refuse a value's save when its report is no longer open (every door saves through ``do_save_values``)."""
    if report is None or report.status == ReportStatus.OPEN:
        return
    if report.status == ReportStatus.APPROVED:
        raise ActionError(gettext("Báo cáo đã được cấp trên phê duyệt nên số liệu đã khóa; chỉ sửa được sau khi "
                                  "cấp trên bỏ phê duyệt."))
    if report.status == ReportStatus.SUBMITTED:
        raise ActionError(gettext("Báo cáo đã gửi lên cấp trên nên số liệu đã khóa; chỉ sửa được khi cấp trên trả "
                                  "lại báo cáo."))
    raise ActionError(gettext("Báo cáo đã được đánh dấu hoàn thành; mở lại báo cáo trước khi sửa số liệu."))


@transaction.atomic
def do_save_values(actor: Actor, unit: Unit, dataset: DataSet, period: Period, inputs: Sequence[ValueInput],
                   *, action: str = "datavalue.save") -> SaveResult:
    """Save the given cells of ``unit``'s report (all or nothing). Errors are keyed by ``cell_key``."""
    version = check_form(actor, unit, dataset, period)
    serialise(f"datavalues:{unit.pk}:{period.id}")  # one writer of a unit's period at a time
    report = _lock_report(dataset, unit, period, create=False)
    refuse_locked(report)
    allowed = {link.element_id for link in version.element_links.all()}
    errors: dict[str, list[str]] = {}
    for item in inputs:
        key = cell_key(item.element, item.option_combo)
        if item.element.pk not in allowed:
            errors.setdefault(key, []).append(gettext("Chỉ tiêu “%(name)s” không có trong biểu này.")
                                              % {"name": item.element.name})
        elif item.option_combo.combo_id != item.element.combo_id:
            errors.setdefault(key, []).append(gettext("Phân tổ “%(option)s” không thuộc chỉ tiêu “%(name)s”.")
                                              % {"option": item.option_combo.name, "name": item.element.name})
        try:
            check_value(item.element, item.value)
            check_comment(item.comment)
        except InvalidValue as exc:
            errors.setdefault(key, []).append(str(exc))
    if errors:
        raise ActionError(errors)
    existing = {(v.element_id, v.option_combo_id): v for v in DataValue.objects.select_for_update().filter(
        unit=unit, period=period.id, element_id__in={i.element.pk for i in inputs})}
    stale = []
    for item in inputs:
        old = existing.get((item.element.pk, item.option_combo.pk))
        have = old.version if old is not None else 0
        if item.expected_version is not None and have != item.expected_version:
            stale.append(item)
    if stale:
        raise StaleVersion({cell_key(i.element, i.option_combo): [
            gettext("Ô này vừa được người khác lưu sau khi bạn mở trang; số liệu của bạn chưa được lưu. "
                    "Xem giá trị mới rồi nhập lại.")] for i in stale})
    result = SaveResult()
    user = _user(actor)
    audit: list[tuple[Any, Unit | None, dict[str, Any] | None, dict[str, Any] | None]] = []
    for item in inputs:
        number, day = (None, item.value) if isinstance(item.value, dt.date) else (item.value, None)
        comment = check_comment(item.comment)
        old = existing.get((item.element.pk, item.option_combo.pk))
        if old is None:
            if number is None and day is None and not comment:
                result.unchanged += 1
                continue
            value = DataValue(element=item.element, unit=unit, option_combo=item.option_combo, value=number,
                              date_value=day, comment=comment, source=actor.channel, updated_by=user)
            value.set_period(period)
            value.save()
            result.created.append(value)
            audit.append((value, unit, None, value.snapshot()))
            continue
        if old.value == number and old.date_value == day and old.comment == comment:
            result.unchanged += 1
            continue
        before = old.snapshot()
        old.value, old.date_value, old.comment = number, day, comment
        old.version += 1
        old.source, old.updated_by = actor.channel, user
        old.save()
        result.updated.append(old)
        audit.append((old, unit, before, old.snapshot()))
    if result.saved and report is None:
        report = _lock_report(dataset, unit, period, create=True)
    result.report = report
    record_many(actor, action, audit)
    return result


@transaction.atomic
def do_complete_report(actor: Actor, unit: Unit, dataset: DataSet, period: Period,
                       *, expected_version: int | None = None) -> DataSetReport:
    """Mark the report complete after its validation rules pass (their violations refuse it, listed)."""
    from phongtrao.datasets.validation import check_unit

    check_form(actor, unit, dataset, period)
    serialise(f"datavalues:{unit.pk}:{period.id}")
    report = _lock_report(dataset, unit, period, create=False)
    # A report not created yet counts as version 1, the version it gets when its first value is saved.
    if expected_version is not None and (report.version if report else 1) != expected_version:
        raise StaleVersion(gettext("Báo cáo vừa được người khác cập nhật; hãy xem lại rồi làm lại."))
    if report is not None:
        REPORTS.refuse(report, "complete")
    violations = check_unit(unit, dataset, period)
    if violations:
        raise ActionError({"validation": [v.message for v in violations]})
    report = report or _lock_report(dataset, unit, period, create=True)
    assert report is not None
    return REPORTS.move(report, "complete", actor=actor,
                        changes={"completed_at": timezone.now(), "completed_by": _user(actor)})


@transaction.atomic
def do_reopen_report(actor: Actor, unit: Unit, dataset: DataSet, period: Period) -> DataSetReport:
    """Open a complete report again for corrections (a submitted or approved one is returned by the level
    above instead)."""
    check_form(actor, unit, dataset, period)
    report = _lock_report(dataset, unit, period, create=False)
    if report is None:
        raise ActionError(gettext("Báo cáo chưa được đánh dấu hoàn thành."))
    return REPORTS.move(report, "reopen", actor=actor, changes={"completed_at": None, "completed_by": None})


def find_report(dataset: DataSet, unit: Unit, period: Period) -> DataSetReport:
    report = DataSetReport.objects.filter(dataset=dataset, unit=unit, period=period.id).first()
    if report is None:
        raise ActionError(gettext("Chưa có báo cáo của %(unit)s cho %(period)s.")
                          % {"unit": unit.name, "period": in_sentence(period.label)})
    return report


@transaction.atomic
def do_submit_report(actor: Actor, report: DataSetReport, *, expected_version: int | None = None) -> DataSetReport:
    """The unit sends its complete report to the level above (who may enter for the unit submits)."""
    report = REPORTS.lock(report)
    if not policy.may_enter(_user(actor), report.unit):
        raise ActionError(gettext("Bạn không có quyền gửi báo cáo của %(name)s.") % {"name": report.unit.name})
    return REPORTS.move(report, "submit", actor=actor, expected_version=expected_version,
                        changes={"submitted_at": timezone.now(), "returned_reason": ""})


def _refuse_reviewer(actor: Actor, report: DataSetReport) -> None:
    if not policy.may_review(_user(actor), report.unit):
        raise ActionError(gettext("Chỉ cán bộ cấp tỉnh hoặc người phê duyệt của cấp trên %(name)s mới duyệt, trả "
                                  "lại được báo cáo này.") % {"name": report.unit.name})


def children_not_approved(report: DataSetReport) -> list[Unit]:
    """The child units whose report of the data set's ``child_dataset`` for the period is not approved yet (the
    children valid on the period's reference date, of that data set's kinds); one query."""
    child = report.dataset.child_dataset
    if child is None:
        return []
    period = report.period_obj
    approved = DataSetReport.objects.filter(dataset=child, period=period.id, status=ReportStatus.APPROVED)
    children = Unit.objects.filter(parent_id=report.unit_id, kind__in=list(child.kinds)).valid_on(
        period.reference_date)
    if child.root_id is not None:
        children = children.filter(ancestor_links__ancestor_id=child.root_id)
    return list(children.exclude(pk__in=approved.values("unit_id")).vi_ordered())


@transaction.atomic
def do_approve_report(actor: Actor, report: DataSetReport, *, expected_version: int | None = None) -> DataSetReport:
    """The level above approves a submitted report; its values are locked from then on. A data set with a
    ``child_dataset`` is approved only after every child unit's report of it has been."""
    report = REPORTS.lock(report)
    _refuse_reviewer(actor, report)
    REPORTS.refuse(report, "approve", expected_version)
    waiting = children_not_approved(report)
    if waiting:
        names = ", ".join(u.name for u in waiting[:5]) + ("…" if len(waiting) > 5 else "")
        raise ActionError({"status": [gettext("Chưa duyệt được: còn %(n)s đơn vị cấp dưới chưa được duyệt báo cáo "
                                              "“%(name)s” (%(names)s).") % {
            "n": len(waiting), "name": report.dataset.child_dataset.label if report.dataset.child_dataset else "",
            "names": names}]})
    return REPORTS.move(report, "approve", actor=actor, expected_version=expected_version,
                        changes={"approved_at": timezone.now(), "approved_by": _user(actor)})


@transaction.atomic
def do_return_report(actor: Actor, report: DataSetReport, reason: str, *,
                     expected_version: int | None = None) -> DataSetReport:
    """The level above sends a complete or submitted report back with a reason; it is open again."""
    report = REPORTS.lock(report)
    _refuse_reviewer(actor, report)
    reason = reason.strip()
    return REPORTS.move(report, "return", actor=actor, expected_version=expected_version, reason=reason,
                        changes={"returned_reason": reason, "completed_at": None, "completed_by": None,
                                 "submitted_at": None})


def _parent_approved(report: DataSetReport) -> DataSetReport | None:
    """The parent unit's approved report that waited for this one (a data set naming this one as its child)."""
    if report.unit.parent_id is None:
        return None
    return (DataSetReport.objects.filter(unit_id=report.unit.parent_id, period=report.period,
                                         dataset__child_dataset_id=report.dataset_id, status=ReportStatus.APPROVED)
            .select_related("dataset", "unit").first())


@transaction.atomic
def do_unapprove_report(actor: Actor, report: DataSetReport, reason: str, *,
                        expected_version: int | None = None) -> DataSetReport:
    """Withdraw an approval (with a reason): the report is open again and its values may be saved. Refused
    while the parent's report that waited for this approval is itself approved."""
    report = REPORTS.lock(report)
    _refuse_reviewer(actor, report)
    REPORTS.refuse(report, "unapprove", expected_version)
    parent = _parent_approved(report)
    if parent is not None:
        raise ActionError({"status": [gettext("Báo cáo “%(name)s” của %(unit)s đã được duyệt; bỏ phê duyệt báo cáo "
                                              "đó trước.") % {"name": parent.dataset.label, "unit": parent.unit.name}]})
    reason = reason.strip()
    return REPORTS.move(report, "unapprove", actor=actor, expected_version=expected_version, reason=reason,
                        changes={"returned_reason": reason, "approved_at": None, "approved_by": None,
                                 "completed_at": None, "completed_by": None, "submitted_at": None})


@dataclass
class ReportFill:
    """One unit's report in ``do_fill_reports``: its values, when it was marked complete (None: left open), and
    the moves after that ("submit", "approve", or ("return", reason))."""

    unit: Unit
    inputs: Sequence[ValueInput]
    completed_at: dt.datetime | None = None
    moves: Sequence[str | tuple[str, str]] = ()


@transaction.atomic
def do_fill_reports(actor: Actor, dataset: DataSet, period: Period, fills: Sequence[ReportFill]) -> dict[str, int]:
    """A bulk load (the demo, synthetic data): many units' values of one data set and period and their reports'
    moves, in a few statements. The checks of ``check_form`` (no entry window: a load of past years), each value
    checked like a saved one; a unit that already has a report of the period is left as it is. Values: one
    insert and one audit insert; reports: ``created_many``, then one ``move_many`` per step (the workflow's
    event and audit rows)."""
    from phongtrao.datasets.validation import check_units

    have = set(DataSetReport.objects.filter(dataset=dataset, period=period.id,
                                            unit__in=[f.unit.pk for f in fills]).values_list("unit_id", flat=True))
    have |= set(DataValue.objects.filter(period=period.id, unit__in=[f.unit.pk for f in fills])
                .values_list("unit_id", flat=True))
    fills = [f for f in fills if f.unit.pk not in have]
    user = _user(actor)
    values: list[DataValue] = []
    form = dataset.version_for(period)  # one form for every unit of the load
    for fill in fills:
        check_form(actor, fill.unit, dataset, period, entering=False, version=form)
        for item in fill.inputs:
            try:
                check_value(item.element, item.value)
            except InvalidValue as exc:
                raise ActionError({cell_key(item.element, item.option_combo): [str(exc)]}) from None
            number, day = (None, item.value) if isinstance(item.value, dt.date) else (item.value, None)
            value = DataValue(element=item.element, unit=fill.unit, option_combo=item.option_combo, value=number,
                              date_value=day, comment=check_comment(item.comment), source=actor.channel,
                              updated_by=user)
            value.set_period(period)
            values.append(value)
    insert_objects(DataValue, values)
    record_many(actor, "datavalue.save", [(v, v.unit, None, v.snapshot()) for v in values])
    reports = {}
    for fill in fills:
        report = DataSetReport(dataset=dataset, unit=fill.unit)
        report.set_period(period)
        reports[fill.unit.pk] = report
    REPORTS.created_many(list(reports.values()), actor=actor, action="create")
    done = {"values": len(values), "reports": len(reports)}
    closing = [f for f in fills if f.completed_at is not None]
    violations = check_units([f.unit for f in closing], dataset, period)
    completing = [f for f in closing if not violations[f.unit.pk]]
    REPORTS.move_many([Move(reports[f.unit.pk], "complete", changes={"completed_at": f.completed_at})
                       for f in completing], actor=actor)
    for step in range(max((len(f.moves) for f in completing), default=0)):
        moves = []
        for fill in completing:
            if step >= len(fill.moves):
                continue
            move = fill.moves[step]
            action, reason = (move, "") if isinstance(move, str) else move
            report = reports[fill.unit.pk]
            steps: dict[str, dict[str, Any]] = {
                "submit": {"submitted_at": fill.completed_at}, "approve": {"approved_at": timezone.now()},
                "return": {"returned_reason": reason, "completed_at": None, "submitted_at": None}}
            changes = steps[action]
            moves.append(Move(report, action, changes=changes, reason=reason))
            done[action] = done.get(action, 0) + 1
        REPORTS.move_many(moves, actor=actor)
    done["complete"] = len(completing)
    return done


# --- a province's own elements and data sets ---------------------------------------------------------


def _province_check(actor: Actor, province: Unit | None) -> None:
    user = _user(actor)
    if province is None:
        access.require(user, "datasets.national_catalogue", error=ActionError,
                       message=gettext("Chỉ quản trị viên thêm được chỉ tiêu, biểu mẫu dùng chung toàn quốc."))
        return
    if province.kind != Kind.PROVINCE:
        raise ActionError({"province": [gettext("Chỉ tiêu, biểu mẫu riêng thuộc về một tỉnh.")]})
    access.require(user, "datasets.province_catalogue", province, error=ActionError, message=gettext(
        "Bạn không có quyền thêm chỉ tiêu, biểu mẫu của %(name)s.") % {"name": province.name})


@transaction.atomic
def do_add_element(actor: Actor, *, code: str, name: str, value_type: str, kinds: list[str], combo: Any,
                   province: Unit | None, aggregation: str = "sum", name_en: str = "", phrase: str = "",
                   measure: str = "") -> DataElement:
    _province_check(actor, province)
    if DataElement.objects.filter(code=code).exists():
        raise ActionError({"code": [gettext("Mã chỉ tiêu “%(code)s” đã có.") % {"code": code}]})
    element = DataElement(code=code, name=name, name_en=name_en, value_type=value_type, kinds=list(kinds),
                          combo=combo, province=province, aggregation=aggregation, phrase=phrase, measure=measure)
    element.full_clean()
    element.save()
    record(actor, "dataelement.create", element, unit=province, before=None, after=element.snapshot())
    return element


@transaction.atomic
def do_add_dataset(actor: Actor, *, code: str, name: str, period_type: str, kinds: list[str], source: str,
                   province: Unit | None, elements: Sequence[tuple[str, DataElement]], effective_from: dt.date,
                   expiry_days: int = 0, name_en: str = "") -> DataSet:
    """A new data set (a province's: assigned to its subtree) with its first version."""
    _province_check(actor, province)
    if DataSet.objects.filter(code=code).exists():
        raise ActionError({"code": [gettext("Mã biểu mẫu “%(code)s” đã có.") % {"code": code}]})
    _check_elements(province, elements)
    dataset = DataSet(code=code, name=name, name_en=name_en, period_type=period_type, kinds=list(kinds),
                      root=province, source=source, expiry_days=expiry_days)
    dataset.full_clean()
    dataset.save()
    _new_version(dataset, 1, effective_from, elements)
    record(actor, "dataset.create", dataset, unit=province, before=None, after=dataset.snapshot())
    return dataset


def _check_elements(province: Unit | None, elements: Sequence[tuple[str, DataElement]]) -> None:
    foreign = [e.name for _section, e in elements if e.province_id is not None and e.province_id != (
        province.pk if province else None)]
    if foreign:
        raise ActionError({"elements": [gettext("Chỉ tiêu của tỉnh khác: %(names)s.") % {"names": ", ".join(foreign)}]})


def _new_version(dataset: DataSet, number: int, effective_from: dt.date,
                 elements: Sequence[tuple[str, DataElement]]) -> DataSetVersion:
    version = DataSetVersion.objects.create(dataset=dataset, number=number, effective_from=effective_from)
    DataSetElement.objects.bulk_create([DataSetElement(version=version, element=e, position=i, section=section)
                                        for i, (section, e) in enumerate(elements, start=1)])
    return version


@transaction.atomic
def do_add_dataset_version(actor: Actor, dataset: DataSet, *, effective_from: dt.date,
                           elements: Sequence[tuple[str, DataElement]]) -> DataSetVersion:
    """A new form from ``effective_from`` on; the version in force before it ends the day before. Values stay
    where they are: a period before ``effective_from`` keeps showing the old form with its values."""
    _province_check(actor, dataset.root if dataset.root_id else None)
    _check_elements(dataset.root, elements)
    current = list(DataSetVersion.objects.select_for_update().filter(dataset=dataset).order_by("-effective_from"))
    if current and effective_from <= current[0].effective_from:
        raise ActionError({"effective_from": [gettext("Phiên bản mới phải áp dụng sau ngày %(day)s.")
                                              % {"day": date_text(current[0].effective_from)}]})
    if current:
        current[0].effective_to = effective_from - dt.timedelta(days=1)
        current[0].save(update_fields=["effective_to"])
    version = _new_version(dataset, (max(v.number for v in current) if current else 0) + 1, effective_from, elements)
    record(actor, "dataset.version", dataset, unit=dataset.root, before=None,
           after={"version": version.number, "effective_from": effective_from.isoformat(),
                  "elements": [e.code for _s, e in elements]})
    return version
