"""Named actions of the movement's money: a unit's yearly estimate and allocation per category and source, spending
entries checked against the caps, and the province's crime-prevention fund. Views, importers and the demo call
these.

Each checks who acts (``budget.*`` policies, declared at ``ready()``), validates, locks, writes and appends its audit
rows in one transaction. Every row carries a version: a stale version is refused, never overwritten. The caps are
checked under a lock per unit and year (``budget:spending:<unit>:<year>``; on SQLite every write transaction is
immediate), so two entries written at once cannot both slip under a cap: the second sees the first. The fund's
balance is checked under a lock per province the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext

from phongtrao.accounts import access
from phongtrao.audit.actions import Actor, record, record_many
from phongtrao.budget.models import (
    INCOME_PURPOSES,
    BudgetLine,
    Cap,
    Category,
    Flow,
    FundEntry,
    FundPurpose,
    Measure,
    Source,
    Spending,
)
from phongtrao.lib.locks import serialise
from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR
from phongtrao.lib.vnformat import number
from phongtrao.lib.workflow import ActionError, StaleVersion
from phongtrao.models_registry.models import Model as MovementModel
from phongtrao.units.models import Kind, Unit

__all__ = ["ActionError", "Breach", "CapExceeded", "FundData", "LineData", "NegativeBalance", "SpendingData",
           "StaleVersion", "cap_breaches", "do_delete_spending", "do_record_fund", "do_record_funds",
           "do_record_spending", "do_record_spendings", "do_save_line", "do_save_lines", "do_update_spending",
           "fund_balance"]

MAX_AMOUNT = 10**13  # ten thousand billion VND: beyond any line of this budget
BUDGET_KINDS = (Kind.PROVINCE, Kind.DISTRICT, Kind.COMMUNE)


def _user(actor: Actor) -> Any:
    return actor.user if actor.user is not None and actor.user.pk else None


def check_year(year: int) -> None:
    if not FIRST_RECORD_YEAR <= year <= LAST_RECORD_YEAR:
        raise ActionError({"year": [gettext("Năm không hợp lệ.")]})


def _require_edit(actor: Actor, unit: Unit) -> None:
    access.require(_user(actor), "budget.edit", unit, error=ActionError,
                   message=gettext("Bạn không có quyền cập nhật kinh phí của %(name)s.") % {"name": unit.name})
    if unit.kind not in BUDGET_KINDS:
        raise ActionError({"unit": [gettext("Kinh phí được lập theo tỉnh, huyện hoặc xã; %(name)s không phải đơn vị "
                                            "hành chính các cấp đó.") % {"name": unit.name}]})


def _amount_errors(name: str, value: int, *, positive: bool) -> dict[str, list[str]]:
    if value < (1 if positive else 0) or value > MAX_AMOUNT:
        return {name: [gettext("Số tiền phải là số nguyên đồng từ %(min)s đến %(max)s.")
                       % {"min": 1 if positive else 0, "max": number(MAX_AMOUNT)}]}
    return {}


# --- estimates and allocations ----------------------------------------------------------------------


@dataclass
class LineData:
    year: int
    category: Category
    source: Source
    estimate: int = 0
    allocated: int = 0
    note: str = ""

    def errors(self) -> dict[str, list[str]]:
        self.note = " ".join(self.note.split())
        errors = _amount_errors("estimate", self.estimate, positive=False)
        errors |= _amount_errors("allocated", self.allocated, positive=False)
        if len(self.note) > 255:
            errors["note"] = [gettext("Ghi chú dài quá 255 ký tự.")]
        return errors


def do_save_line(actor: Actor, unit: Unit, data: LineData, *, expected_version: int | None) -> BudgetLine:
    """The estimate and allocation of ``unit`` for a year, category and source: a new line (``expected_version`` 0 or
    None) or a change of the one read at ``expected_version``."""
    _require_edit(actor, unit)
    check_year(data.year)
    errors = data.errors()
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        serialise(f"budget:lines:{unit.pk}:{data.year}")
        line = (BudgetLine.objects.select_for_update(of=("self",))
                .filter(unit=unit, year=data.year, category=data.category, source=data.source).first())
        found = line.version if line is not None else 0
        if expected_version is not None and expected_version != found:
            raise StaleVersion(gettext("Dự toán này vừa được người khác lưu sau khi bạn mở trang; hãy tải lại trang "
                                       "rồi làm lại."))
        if line is None:
            line = BudgetLine(unit=unit, year=data.year, category=data.category, source=data.source)
            before = None
        else:
            before = line.snapshot()
            line.version += 1
        line.estimate, line.allocated, line.note, line.saved_by = (data.estimate, data.allocated, data.note,
                                                                    _user(actor))
        line.save()
        record(actor, "budget_line.save", line, unit=unit, before=before, after=line.snapshot())
    return line


def do_save_lines(actor: Actor, rows: Sequence[tuple[Unit, LineData]], *, action: str = "budget_line.save",
                  check: bool = True) -> tuple[int, int]:
    """Many lines at once (an import, the demo): each (unit, year, category, source) created or replaced, the same
    checks, one insert and one update of lines and one of audit rows. Returns (created, updated)."""
    errors: dict[str, list[str]] = {}
    seen: set[tuple[int, int, int, int]] = set()
    for index, (unit, data) in enumerate(rows):
        try:
            if check:
                _require_edit(actor, unit)
            check_year(data.year)
        except ActionError as exc:
            errors[str(index)] = [m for ms in exc.errors.values() for m in ms]
            continue
        problems = data.errors()
        key = (unit.pk, data.year, data.category.pk, data.source.pk)
        if key in seen:
            problems.setdefault("", []).append(gettext("Dòng trùng đơn vị, năm, nội dung chi và nguồn với dòng trước."))
        seen.add(key)
        if problems:
            errors[str(index)] = [m for ms in problems.values() for m in ms]
    if errors:
        raise ActionError(errors)
    user = _user(actor)
    with transaction.atomic():
        serialise("budget:lines")
        years = {d.year for _u, d in rows}
        existing = {(ln.unit_id, ln.year, ln.category_id, ln.source_id): ln for ln in BudgetLine.objects
                    .select_for_update(of=("self",)).filter(year__in=years, unit__in={u.pk for u, _d in rows})
                    .select_related("category", "source")}
        created: list[BudgetLine] = []
        updated: list[BudgetLine] = []
        audits: list[tuple[Any, Unit | None, dict[str, Any] | None, dict[str, Any] | None]] = []
        for unit, data in rows:
            line = existing.get((unit.pk, data.year, data.category.pk, data.source.pk))
            if line is None:
                line = BudgetLine(unit=unit, year=data.year, category=data.category, source=data.source,
                                  estimate=data.estimate, allocated=data.allocated, note=data.note, saved_by=user)
                created.append(line)
                audits.append((line, unit, None, None))
            elif (line.estimate, line.allocated, line.note) != (data.estimate, data.allocated, data.note):
                before = line.snapshot()
                line.estimate, line.allocated, line.note, line.saved_by = (data.estimate, data.allocated, data.note,
                                                                            user)
                line.version += 1
                updated.append(line)
                audits.append((line, unit, before, None))
        BudgetLine.objects.bulk_create(created, batch_size=1000)
        BudgetLine.objects.bulk_update(updated, ["estimate", "allocated", "note", "saved_by", "version"],
                                       batch_size=1000)
        if audits:
            record_many(actor, action, [(obj, unit, before, obj.snapshot()) for obj, unit, before, _a in audits])
    return len(created), len(updated)


# --- spending and the caps ------------------------------------------------------------------------


@dataclass
class SpendingData:
    spent_on: dt.date
    category: Category
    source: Source
    amount: int
    purpose: str
    model: MovementModel | None = None
    km: int | None = None
    visits: int | None = None

    def errors(self) -> dict[str, list[str]]:
        self.purpose = " ".join(self.purpose.split())
        errors = _amount_errors("amount", self.amount, positive=True)
        if not self.purpose:
            errors["purpose"] = [gettext("Nhập nội dung chi (chi cho việc gì).")]
        elif len(self.purpose) > 500:
            errors["purpose"] = [gettext("Nội dung chi dài quá 500 ký tự.")]
        if self.km is not None and not 1 <= self.km <= 1_000_000:
            errors["km"] = [gettext("Số km phải từ 1 đến 1.000.000.")]
        if self.visits is not None and not 1 <= self.visits <= 10_000:
            errors["visits"] = [gettext("Số lượt thăm phải từ 1 đến 10.000.")]
        try:
            check_year(self.spent_on.year)
        except ActionError:
            errors["spent_on"] = [gettext("Ngày chi không hợp lệ.")]
        return errors


@dataclass(frozen=True)
class Breach:
    """``cap`` broken: ``counted`` (VND, or visits when ``visits``) against at most ``limit``."""

    cap: Cap
    limit: int
    counted: int
    visits: bool = False

    def message(self) -> str:
        if self.visits:
            text = gettext("%(cap)s: %(counted)s lượt thăm mô hình trong năm, tối đa %(limit)s lượt.")
        else:
            text = gettext("%(cap)s: tính cả khoản này là %(counted)s đồng, tối đa %(limit)s đồng.")
        return (text % {"cap": gettext(self.cap.name), "counted": number(self.counted), "limit": number(self.limit)}
                + " " + gettext("Căn cứ: %(basis)s.") % {"basis": self.cap.legal_basis})


class CapExceeded(ActionError):
    """The entry is over a cap and no override reason was given."""

    def __init__(self, breaches: list[Breach]) -> None:
        self.breaches = breaches
        super().__init__({"override_reason": [
            *(b.message() for b in breaches),
            gettext("Khoản chi vượt mức chi tối đa: chỉ lưu được khi nhập lý do chi vượt mức.")]})


def _caps() -> list[Cap]:
    return list(Cap.objects.select_related("category"))


def _applies(cap: Cap, unit: Unit, entry: Spending) -> bool:
    if cap.category_id != entry.category_id or (cap.level and cap.level != unit.kind):
        return False
    if cap.effective_from > entry.spent_on or (cap.effective_to is not None and cap.effective_to < entry.spent_on):
        return False
    if cap.measure == Measure.PER_MODEL_YEAR:
        return entry.model_id is not None
    if cap.measure == Measure.PER_KM:
        return entry.km is not None
    if cap.measure == Measure.PER_VISIT_MODEL:
        return entry.visits is not None and entry.model_id is not None
    return entry.visits is not None and entry.model_id is None


def cap_breaches(entries: Sequence[Spending], *, exclude: Sequence[int] = ()) -> list[list[Breach]]:
    """The caps each of ``entries`` (unsaved, or saved ones whose pks are in ``exclude``) breaks, in order: what one
    model got in the year (this unit, this category) counts the entries already stored and the earlier ones of
    ``entries``. Two queries whatever the number of entries (the caps, the sums per model)."""
    caps = _caps()
    keys = {(e.unit_id, e.model_id, e.year, e.category_id) for e in entries if e.model_id is not None}
    totals: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    if keys:
        stored = (Spending.objects.filter(model_id__in={k[1] for k in keys}, year__in={k[2] for k in keys},
                                          unit_id__in={k[0] for k in keys}).exclude(pk__in=list(exclude))
                  .values_list("unit_id", "model_id", "year", "category_id")
                  .annotate(total=Sum("amount"), visits=Sum("visits")))
        for unit_id, model_id, year, category_id, total, visits in stored:
            key = (unit_id, model_id, year, category_id)
            if key in keys:
                totals[key] = [int(total or 0), int(visits or 0)]
    found: list[list[Breach]] = []
    for entry in entries:
        key = (entry.unit_id, entry.model_id, entry.year, entry.category_id)
        so_far = totals[key] if entry.model_id is not None else [0, 0]
        breaches: list[Breach] = []
        for cap in caps:
            if not _applies(cap, entry.unit, entry):
                continue
            if cap.measure == Measure.PER_MODEL_YEAR:
                counted = so_far[0] + entry.amount
                if counted > cap.amount:
                    breaches.append(Breach(cap, cap.amount, counted))
            elif cap.measure == Measure.PER_KM:
                limit = cap.amount * (entry.km or 0)
                if entry.amount > limit:
                    breaches.append(Breach(cap, limit, entry.amount))
            else:
                limit = cap.amount * (entry.visits or 0)
                if entry.amount > limit:
                    breaches.append(Breach(cap, limit, entry.amount))
                if cap.measure == Measure.PER_VISIT_MODEL and cap.max_count is not None:
                    count = so_far[1] + (entry.visits or 0)
                    if count > cap.max_count:
                        breaches.append(Breach(cap, cap.max_count, count, visits=True))
        if entry.model_id is not None:
            so_far[0] += entry.amount
            so_far[1] += entry.visits or 0
        found.append(breaches)
    return found


def _mark(entry: Spending, breaches: list[Breach], reason: str) -> None:
    money = [b for b in breaches if not b.visits] or breaches
    entry.over_cap = bool(breaches)
    entry.cap = money[0].cap if breaches else None
    entry.cap_limit = money[0].limit if breaches else None
    entry.cap_counted = money[0].counted if breaches else None
    entry.override_reason = reason if breaches else ""


def _fill(entry: Spending, data: SpendingData) -> None:
    entry.spent_on, entry.year = data.spent_on, data.spent_on.year
    entry.category, entry.source, entry.amount, entry.purpose = data.category, data.source, data.amount, data.purpose
    entry.model, entry.km, entry.visits = data.model, data.km, data.visits


def do_record_spending(actor: Actor, unit: Unit, data: SpendingData, *, override_reason: str = "") -> Spending:
    """A new spending entry of ``unit``. Over a cap it is refused (``CapExceeded``, naming each cap, the amount
    counted and its basis) unless ``override_reason`` is given; then it is saved with the reason and is listed
    among the entries over the caps."""
    _require_edit(actor, unit)
    errors = data.errors()
    if errors:
        raise ActionError(errors)
    reason = override_reason.strip()
    with transaction.atomic():
        serialise(f"budget:spending:{unit.pk}:{data.spent_on.year}")
        entry = Spending(unit=unit, saved_by=_user(actor))
        _fill(entry, data)
        breaches = cap_breaches([entry])[0]
        if breaches and not reason:
            raise CapExceeded(breaches)
        _mark(entry, breaches, reason)
        entry.save()
        record(actor, "spending.record", entry, unit=unit, before=None,
               after=entry.snapshot())
    return entry


def do_update_spending(actor: Actor, pk: int, data: SpendingData, *, override_reason: str = "",
                       expected_version: int | None) -> Spending:
    """Change an entry read at ``expected_version``; the caps are checked again (the entry itself not counted twice)."""
    errors = data.errors()
    if errors:
        raise ActionError(errors)
    reason = override_reason.strip()
    with transaction.atomic():
        entry = Spending.objects.select_for_update(of=("self",)).select_related("unit", "category", "source",
                                                                                 "cap").filter(pk=pk).first()
        if entry is None:
            raise ActionError(gettext("Không tìm thấy khoản chi."))
        _require_edit(actor, entry.unit)
        if expected_version is not None and entry.version != expected_version:
            raise StaleVersion(gettext("Khoản chi này vừa được người khác sửa sau khi bạn mở trang; hãy tải lại trang "
                                       "rồi làm lại."))
        serialise(f"budget:spending:{entry.unit_id}:{data.spent_on.year}")
        before = entry.snapshot()
        _fill(entry, data)
        breaches = cap_breaches([entry], exclude=[entry.pk])[0]
        if breaches and not reason:
            raise CapExceeded(breaches)
        _mark(entry, breaches, reason)
        entry.version += 1
        entry.saved_by = _user(actor)
        entry.save()
        record(actor, "spending.update", entry, unit=entry.unit, before=before, after=entry.snapshot())
    return entry


def do_delete_spending(actor: Actor, pk: int, *, expected_version: int | None) -> None:
    with transaction.atomic():
        entry = Spending.objects.select_for_update(of=("self",)).select_related("unit", "category", "source",
                                                                                 "cap").filter(pk=pk).first()
        if entry is None:
            raise ActionError(gettext("Không tìm thấy khoản chi."))
        _require_edit(actor, entry.unit)
        if expected_version is not None and entry.version != expected_version:
            raise StaleVersion(gettext("Khoản chi này vừa được người khác sửa sau khi bạn mở trang; hãy tải lại trang "
                                       "rồi làm lại."))
        record(actor, "spending.delete", entry, unit=entry.unit, before=entry.snapshot(), after=None)
        entry.delete()


def do_record_spendings(actor: Actor, rows: Sequence[tuple[Unit, SpendingData, str]], *,
                        action: str = "spending.record", check: bool = True) -> list[Spending]:
    """Many new entries at once (an import, the demo): the same checks row by row (the caps counting the earlier
    rows), all or nothing; one insert of entries and one of audit rows."""
    errors: dict[str, list[str]] = {}
    entries: list[Spending] = []
    user = _user(actor)
    for index, (unit, data, _reason) in enumerate(rows):
        try:
            if check:
                _require_edit(actor, unit)
        except ActionError as exc:
            errors[str(index)] = [m for ms in exc.errors.values() for m in ms]
        problems = data.errors()
        if problems:
            errors.setdefault(str(index), []).extend(m for ms in problems.values() for m in ms)
        entry = Spending(unit=unit, saved_by=user)
        if not problems:
            _fill(entry, data)
        entries.append(entry)
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        serialise("budget:spending")
        for unit_id, year in sorted({(e.unit_id, e.year) for e in entries}):
            serialise(f"budget:spending:{unit_id}:{year}")
        for index, (entry, breaches, (_unit, _data, reason)) in enumerate(
                zip(entries, cap_breaches(entries), rows, strict=True)):
            if breaches and not reason.strip():
                errors[str(index)] = [*(b.message() for b in breaches),
                                      gettext("Khoản chi vượt mức chi tối đa: chỉ lưu được khi nhập lý do chi vượt "
                                              "mức.")]
            _mark(entry, breaches, reason.strip())
        if errors:
            raise ActionError(errors)
        Spending.objects.bulk_create(entries, batch_size=1000)
        record_many(actor, action, [(e, e.unit, None, e.snapshot()) for e in entries])
    return entries


# --- the crime-prevention fund --------------------------------------------------------------------


@dataclass
class FundData:
    year: int
    quarter: int
    flow: str
    purpose: str
    amount: int
    note: str = ""

    def errors(self) -> dict[str, list[str]]:
        self.note = " ".join(self.note.split())
        errors = _amount_errors("amount", self.amount, positive=True)
        if self.quarter not in (1, 2, 3, 4):
            errors["quarter"] = [gettext("Quý phải từ 1 đến 4.")]
        if self.flow not in Flow.values:
            errors["flow"] = [gettext("Chọn thu hoặc chi.")]
        elif (self.purpose in INCOME_PURPOSES) != (self.flow == Flow.INCOME) or self.purpose not in FundPurpose.values:
            errors["purpose"] = [gettext("Nguồn thu hoặc mục chi không hợp với loại thu/chi đã chọn.")]
        if len(self.note) > 255:
            errors["note"] = [gettext("Ghi chú dài quá 255 ký tự.")]
        try:
            check_year(self.year)
        except ActionError as exc:
            errors |= exc.errors
        return errors


def fund_balance(province: Unit) -> int:
    """The fund's balance to date: all income less all spending (one query)."""
    total = 0
    for flow, amount in FundEntry.objects.filter(province=province).values_list("flow").annotate(s=Sum("amount")):
        total += int(amount) if flow == Flow.INCOME else -int(amount)
    return total


class NegativeBalance(ActionError):
    def __init__(self, balance: int, amount: int) -> None:
        self.balance = balance
        super().__init__({"negative_reason": [gettext(
            "Khoản chi %(amount)s đồng làm số dư Quỹ còn %(after)s đồng (hiện có %(balance)s đồng): chỉ lưu được khi "
            "nhập lý do chi quá số dư.") % {"amount": number(amount), "after": number(balance - amount),
                                            "balance": number(balance)}]})


def _require_fund(actor: Actor, province: Unit) -> None:
    access.require(_user(actor), "budget.fund", province, error=ActionError,
                   message=gettext("Bạn không có quyền cập nhật Quỹ phòng, chống tội phạm của %(name)s.")
                   % {"name": province.name})
    if province.kind != Kind.PROVINCE:
        raise ActionError({"province": [gettext("Quỹ phòng, chống tội phạm được lập ở cấp tỉnh.")]})


def do_record_fund(actor: Actor, province: Unit, data: FundData, *, negative_reason: str = "") -> FundEntry:
    """An income or spending total of the province's fund for a quarter. A spending that takes the balance to date
    below zero is refused (``NegativeBalance``) unless a reason is given; then it is saved with it."""
    _require_fund(actor, province)
    errors = data.errors()
    if errors:
        raise ActionError(errors)
    reason = negative_reason.strip()
    with transaction.atomic():
        serialise(f"budget:fund:{province.pk}")
        balance = fund_balance(province)
        below = data.flow == Flow.SPENDING and balance - data.amount < 0
        if below and not reason:
            raise NegativeBalance(balance, data.amount)
        entry = FundEntry.objects.create(province=province, year=data.year, quarter=data.quarter, flow=data.flow,
                                         purpose=data.purpose, amount=data.amount, note=data.note,
                                         negative_reason=reason if below else "", saved_by=_user(actor))
        record(actor, "fund.record", entry, unit=province, before=None,
               after=entry.snapshot() | {"balance_after": balance + entry.signed})
    return entry


def do_record_funds(actor: Actor, rows: Sequence[tuple[Unit, FundData, str]]) -> list[FundEntry]:
    """Many fund totals at once (the demo, the generator), in order, the balance checked row by row."""
    for province, data, _reason in rows:
        _require_fund(actor, province)
        errors = data.errors()
        if errors:
            raise ActionError(errors)
    with transaction.atomic():
        serialise("budget:fund")
        balances: dict[int, int] = {}
        made = []
        for province, data, reason in rows:
            if province.pk not in balances:
                balances[province.pk] = fund_balance(province)
            below = data.flow == Flow.SPENDING and balances[province.pk] - data.amount < 0
            if below and not reason.strip():
                raise NegativeBalance(balances[province.pk], data.amount)
            entry = FundEntry(province=province, year=data.year, quarter=data.quarter, flow=data.flow,
                              purpose=data.purpose, amount=data.amount, note=data.note,
                              negative_reason=reason.strip() if below else "", saved_by=_user(actor))
            balances[province.pk] += entry.signed
            made.append(entry)
        FundEntry.objects.bulk_create(made, batch_size=1000)
        record_many(actor, "fund.record", [(e, e.province, None, e.snapshot()) for e in made])
    return made
