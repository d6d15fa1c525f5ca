"""``import data_values`` (docs/interchange-data-values.md): values of data-set elements, one row per cell.

A row names the element (and optionally the data set), the unit (its code resolved on the period's last day,
among the units the importer may enter for), the period (``2025``, ``2025Q3``, …), the disaggregation's options
(codes or Vietnamese names, separated by ";"), the value and a comment. All or nothing: any bad row and nothing
is written. Values are written through ``do_save_values`` (one call per unit, data set and period), so an
import obeys the same rules as the entry page: no writing into a report marked complete, none after the closing
date except for province officers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import CaptureScope
from phongtrao.audit.actions import Actor
from phongtrao.datasets import policy
from phongtrao.datasets.actions import ActionError, ValueInput, check_form, do_save_values, in_sentence
from phongtrao.datasets.export import COLUMNS
from phongtrao.datasets.models import DataElement, DataSet, OptionCombo
from phongtrao.datasets.values import InvalidValue, check_comment, parse_value
from phongtrao.lib.importing import (
    DryRunRollback,
    ImportKind,
    ImportResult,
    RowError,
    ambiguous_code,
    open_table,
    register,
    required_cell,
    unit_not_found,
    write_all_or_nothing,
)
from phongtrao.lib.locks import serialise
from phongtrao.lib.periods import Period
from phongtrao.lib.tabular import Table
from phongtrao.units.models import Unit

KIND = "data_values"


@dataclass
class Row:
    number: int
    element: DataElement
    unit: Unit
    period: Period
    combo: OptionCombo
    dataset: DataSet
    value: Decimal | dt.date | None
    comment: str


class Catalogue:
    """Elements, data sets and option combos, read once for the file."""

    def __init__(self) -> None:
        self.elements = {e.code: e for e in DataElement.objects.select_related("combo")}
        self.datasets = {d.code: d for d in DataSet.objects.all()}
        self.combos: dict[int, list[tuple[frozenset[str], OptionCombo]]] = defaultdict(list)
        self.words: dict[int, dict[str, str]] = defaultdict(dict)  # combo -> accepted word -> option code
        for oc in OptionCombo.objects.prefetch_related("options"):
            self.combos[oc.combo_id].append((frozenset(oc.option_codes), oc))
            for option in oc.options.all():
                for word in (option.code, option.name, option.name_en):
                    if word:
                        self.words[oc.combo_id][" ".join(word.split()).casefold()] = option.code
        self._versions: dict[tuple[int, str], set[int] | None] = {}
        self._applies: dict[tuple[int, int], bool] = {}

    def applies(self, dataset: DataSet, unit: Unit) -> bool:
        key = (dataset.pk, unit.pk)
        if key not in self._applies:
            self._applies[key] = dataset.applies_to(unit)
        return self._applies[key]

    def combo(self, element: DataElement, text: str) -> OptionCombo:
        words = [" ".join(w.split()).casefold() for w in text.split(";") if w.strip()]
        codes = set()
        for word in words:
            if word not in self.words[element.combo_id]:
                raise InvalidValue(gettext("phân tổ “%(word)s” không có ở chỉ tiêu này") % {"word": word[:40]})
            codes.add(self.words[element.combo_id][word])
        for options, oc in self.combos[element.combo_id]:
            if options == codes:
                return oc
        if not codes:
            raise InvalidValue(gettext("chỉ tiêu này có phân tổ: ghi đủ các phân tổ của ô, cách nhau bằng dấu “;”"))
        raise InvalidValue(gettext("chưa đủ phân tổ của ô: mỗi nhóm phân tổ ghi một lựa chọn"))

    def elements_of(self, dataset: DataSet, period: Period) -> set[int] | None:
        key = (dataset.pk, period.id)
        if key not in self._versions:
            version = dataset.version_for(period)
            self._versions[key] = None if version is None else set(
                version.element_links.values_list("element_id", flat=True))
        return self._versions[key]


def import_data_values(name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False) -> ImportResult:
    result, table = open_table(KIND, name, data, COLUMNS, dry_run=dry_run)
    if table is None:
        return result
    with transaction.atomic():
        serialise(f"import:{KIND}")
        return _import(result, table, actor=actor, dry_run=dry_run)


def unfilled(raw: dict[str, str]) -> bool:
    """A template row left as it came (no unit, no value, no comment): skipped, not an error."""
    return not any(raw.get(key, "").strip() for key in ("unit_code", "value", "comment"))


def _parse(number: int, raw: dict[str, str], cat: Catalogue, errors: list[RowError]) -> dict[str, Any] | None:
    out: dict[str, Any] = {"number": number}
    bad = False
    for key in ("element", "unit_code", "period"):
        if not raw.get(key, "").strip():
            errors.append(RowError(number, key, required_cell()))
            bad = True
    if bad:
        return None
    code = raw["element"].strip()
    element = cat.elements.get(code)
    if element is None:
        errors.append(RowError(number, "element", gettext("không có chỉ tiêu mã “%(code)s”") % {"code": code[:60]}))
        return None
    out["element"] = element
    try:
        out["period"] = Period.parse(raw["period"])
    except ValueError as exc:
        errors.append(RowError(number, "period", str(exc)))
        bad = True
    dataset_code = raw.get("dataset", "").strip()
    out["dataset"] = None
    if dataset_code:
        out["dataset"] = cat.datasets.get(dataset_code)
        if out["dataset"] is None:
            errors.append(RowError(number, "dataset", gettext("không có biểu mẫu mã “%(code)s”")
                                   % {"code": dataset_code[:60]}))
            bad = True
    for key, read in (("options", lambda t: cat.combo(element, t)),
                      ("value", lambda t: parse_value(element, t)), ("comment", check_comment)):
        try:
            out[key] = read(raw.get(key, ""))
        except InvalidValue as exc:
            errors.append(RowError(number, key, str(exc)))
            bad = True
    out["unit_code"] = raw["unit_code"].strip()
    return None if bad else out


def _dataset_for(parsed: dict[str, Any], unit: Unit, cat: Catalogue) -> DataSet | str:
    """The data set the row's value belongs to (the one named, else the first that holds the element for the
    unit's kind and the period's type), or a message."""
    element, period = parsed["element"], parsed["period"]
    candidates = [parsed["dataset"]] if parsed["dataset"] else sorted(cat.datasets.values(), key=lambda d: d.position)
    for dataset in candidates:
        if dataset.period_type != period.type.value or unit.kind not in dataset.kinds:
            continue
        elements = cat.elements_of(dataset, period)
        if elements is not None and element.pk in elements and cat.applies(dataset, unit):
            return dataset
    if parsed["dataset"]:
        return gettext("biểu “%(name)s” không có chỉ tiêu này cho %(unit)s trong %(period)s") % {
            "name": parsed["dataset"].name, "unit": unit.name, "period": in_sentence(period.label)}
    return gettext("không biểu mẫu nào có chỉ tiêu này cho %(kind)s theo %(type)s") % {
        "kind": unit.get_kind_display().lower(), "type": in_sentence(period.type.label)}


def _import(result: ImportResult, table: Table, *, actor: Actor, dry_run: bool) -> ImportResult:
    cat = Catalogue()
    errors: list[RowError] = []
    skipped = 0
    parsed = []
    with translation.override("vi"):  # option names in a file are Vietnamese whatever the reader's language
        for number, raw in table.rows:
            if unfilled(raw):
                skipped += 1
            elif (p := _parse(number, raw, cat, errors)) is not None:
                parsed.append(p)
    if skipped:
        result.warnings.append(gettext("bỏ qua %(n)s dòng chưa điền mã đơn vị, giá trị hay ghi chú") % {"n": skipped})
    candidates = Unit.objects.by_codes(p["unit_code"] for p in parsed)
    scope = CaptureScope(actor.user)
    user = actor.user if actor.user is not None and actor.user.pk else None
    rows: list[Row] = []
    seen: dict[tuple[int, int, str, int], int] = {}
    checked: dict[tuple[int, int, str], str | None] = {}
    may: dict[int, bool] = {}
    for p in parsed:
        day = p["period"].reference_date
        valid = [u for u in candidates.get(p["unit_code"], []) if u.is_valid_on(day) and u.pk in scope]
        if len(valid) > 1:
            valid = [u for u in valid if u.kind in p["element"].kinds] or valid
        if not valid:
            errors.append(RowError(p["number"], "unit_code", unit_not_found(p["unit_code"], day)))
            continue
        if len(valid) > 1:
            errors.append(RowError(p["number"], "unit_code", ambiguous_code(p["unit_code"], day)))
            continue
        unit = valid[0]
        if unit.pk not in may:
            may[unit.pk] = policy.may_enter(user, unit)
        if not may[unit.pk]:
            errors.append(RowError(p["number"], "unit_code", gettext("bạn không nhập số liệu cho %(name)s")
                                   % {"name": unit.name}))
            continue
        dataset = _dataset_for(p, unit, cat)
        if isinstance(dataset, str):
            errors.append(RowError(p["number"], "dataset" if p["dataset"] else "element", dataset))
            continue
        key = (dataset.pk, unit.pk, p["period"].id)
        if key not in checked:
            try:
                check_form(actor, unit, dataset, p["period"])
                checked[key] = None
            except ActionError as exc:
                checked[key] = "; ".join(m for ms in exc.errors.values() for m in ms)
        if checked[key]:
            errors.append(RowError(p["number"], "period", str(checked[key])))
            continue
        cell = (p["element"].pk, unit.pk, p["period"].id, p["options"].pk)
        if cell in seen:
            errors.append(RowError(p["number"], "value", gettext("trùng với dòng %(row)s (cùng chỉ tiêu, phân tổ, "
                                                                 "đơn vị và kỳ)") % {"row": seen[cell]}))
            continue
        seen[cell] = p["number"]
        rows.append(Row(p["number"], p["element"], unit, p["period"], p["options"], dataset, p["value"], p["comment"]))
    return write_all_or_nothing(result, errors, dry_run, lambda: _write(rows, actor, result))


def _write(rows: list[Row], actor: Actor, result: ImportResult) -> None:
    groups: dict[tuple[int, int, str], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row.dataset.pk, row.unit.pk, row.period.id)].append(row)
    for group in groups.values():
        first = group[0]
        try:
            saved = do_save_values(actor, first.unit, first.dataset, first.period,
                                   [ValueInput(r.element, r.combo, r.value, r.comment) for r in group],
                                   action="datavalue.import")
        except ActionError as exc:
            result.errors = [RowError(r.number, "value", "; ".join(m for ms in exc.errors.values() for m in ms))
                             for r in group]
            result.created = result.updated = result.unchanged = 0
            raise DryRunRollback from exc  # nothing of the file is written
        result.created += len(saved.created)
        result.updated += len(saved.updated)
        result.unchanged += saved.unchanged
        result.preview += [(r.number, "save", f"{r.unit.code} {r.period.id}: {r.element.name}") for r in group]
    result.preview.sort()


register(ImportKind(key=KIND, label=gettext_lazy("Số liệu biểu mẫu báo cáo"), columns=COLUMNS,
                    run=import_data_values))
