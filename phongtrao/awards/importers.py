"""``import awards`` (INTERCHANGE.md): award recipients, one row each, grouped into decisions.

Columns: year, award_type (a catalogue code), recipient_kind (collective/Tập thể, individual/Cá nhân),
recipient_name, unit_code (the collective itself, or the individual's unit), title, decision_no,
decision_date, and the optional achievement (Thành tích).

- Unit codes resolve as of 31 December of the row's year.
- **Grouping.** Rows form one decision when they share (year, award_type, decision_no, decision_date)
  *and* the issuing unit. The issuing unit follows from the award form's level: the recipient's
  commune for commune awards, its district for district awards (before 2025), its province for
  provincial and central awards (central decisions are recorded under the province that receives
  them). So two communes that both number a decision "01/QĐ-UBND" keep two decisions.
- **Idempotent.** An existing decision with the same key is reused; a recipient already on it (same
  kind, unit and name, diacritics and case ignored) is left unchanged (its title and achievement are
  updated when the file gives other ones). Importing a file twice adds nothing.
- All-or-nothing: any bad row and nothing is written. Every row is checked against the acting
  user's capture scope (the recipient's unit and the issuing unit).
- A once-per-person award (the medal) already given to the same name in the same unit is a warning.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import CaptureScope
from phongtrao.audit.actions import Actor, record_many
from phongtrao.awards.authority import ISSUING_KINDS
from phongtrao.awards.models import AwardDecision, AwardRecipient, AwardType, RecipientKind
from phongtrao.lib.importing import (
    ImportKind,
    ImportResult,
    RowError,
    ambiguous_code,
    open_table,
    register,
    required_cell,
    too_long,
    unit_not_found,
    write_all_or_nothing,
)
from phongtrao.lib.locks import serialise
from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR, year_end
from phongtrao.lib.tabular import CellError, Column, Table, parse_choice, parse_date, parse_int
from phongtrao.lib.vntext import fold
from phongtrao.units.models import Kind, Unit, UnitAncestor

COLUMNS = [
    Column("year", "Năm", required=True),
    Column("award_type", "Hình thức khen thưởng", required=True),
    Column("recipient_kind", "Đối tượng", required=True),
    Column("recipient_name", "Tên"),
    Column("unit_code", "Mã đơn vị", required=True),
    Column("title", "Chức vụ"),
    Column("decision_no", "Số quyết định"),
    Column("decision_date", "Ngày quyết định"),
    Column("achievement", "Thành tích"),
]
KIND_WORDS = {"collective": RecipientKind.COLLECTIVE, "tập thể": RecipientKind.COLLECTIVE,
              "tap the": RecipientKind.COLLECTIVE, "individual": RecipientKind.INDIVIDUAL,
              "cá nhân": RecipientKind.INDIVIDUAL, "ca nhan": RecipientKind.INDIVIDUAL}
MIN_YEAR, MAX_YEAR = FIRST_RECORD_YEAR, LAST_RECORD_YEAR
# The unit kind an imported decision of each level is recorded under (a national one: the province).
LEVEL_KIND = {level: kinds[0] for level, kinds in ISSUING_KINDS.items()}

DecisionKey = tuple[int, int, int, str, "dt.date | None"]  # authority, award type, year, number, date


@dataclass
class Row:
    number: int
    year: int
    award_type: AwardType
    kind: str
    name: str
    code: str
    title: str
    decision_no: str
    decision_date: dt.date | None
    achievement: str
    unit: Unit | None = None
    authority: Unit | None = None

    @property
    def ref_date(self) -> dt.date:
        return year_end(self.year)

    def key(self) -> DecisionKey:
        assert self.authority is not None
        return (self.authority.pk, self.award_type.pk, self.year, self.decision_no, self.decision_date)

    def recipient_key(self) -> tuple[str, int, str]:
        assert self.unit is not None
        return (self.kind, self.unit.pk, fold(self.name))


@dataclass
class Plan:
    new_decisions: dict[DecisionKey, AwardDecision] = field(default_factory=dict)
    new_recipients: list[tuple[Row, AwardRecipient, AwardDecision]] = field(default_factory=list)
    updated: list[tuple[AwardRecipient, dict[str, Any]]] = field(default_factory=list)


def _parse(number: int, raw: dict[str, str], types: dict[str, AwardType], errors: list[RowError]) -> Row | None:
    values: dict[str, Any] = {}
    bad = False

    def fail(column: str, message: str) -> None:
        nonlocal bad
        errors.append(RowError(number, column, message))
        bad = True

    def cell(key: str, parse: Any) -> None:
        try:
            values[key] = parse(raw.get(key, ""))
        except CellError as exc:
            fail(key, str(exc))

    for key in ("year", "award_type", "recipient_kind", "unit_code"):
        if not raw.get(key, "").strip():
            fail(key, required_cell())
    if raw.get("year", "").strip():
        cell("year", lambda t: parse_int(t, minimum=MIN_YEAR, maximum=MAX_YEAR))
    if raw.get("recipient_kind", "").strip():
        cell("recipient_kind", lambda t: parse_choice(t, KIND_WORDS, gettext("đối tượng")))
    cell("decision_date", parse_date)
    code = raw.get("award_type", "").strip()
    award_type = types.get(code.casefold())
    if code and award_type is None:
        fail("award_type", gettext("hình thức khen thưởng “%(code)s” không có trong danh mục") % {"code": code[:60]})
    kind = values.get("recipient_kind")
    name = " ".join(raw.get("recipient_name", "").split())
    if kind == RecipientKind.INDIVIDUAL and not name:
        fail("recipient_name", gettext("cá nhân phải có họ tên"))
    if award_type is not None and kind and not award_type.allows(kind):
        fail("recipient_kind", gettext("“%(award)s” không dành cho %(kind)s")
             % {"award": award_type.name, "kind": RecipientKind(kind).label.lower()})
    for key, limit in (("recipient_name", 255), ("title", 255), ("decision_no", 60)):
        if len(raw.get(key, "").strip()) > limit:
            fail(key, too_long(limit))
    if kind == RecipientKind.COLLECTIVE and raw.get("title", "").strip():
        fail("title", gettext("chức vụ chỉ dùng cho cá nhân"))
    if bad or award_type is None:
        return None
    assert kind is not None  # required: a blank cell failed above, else parse_choice gave a kind or failed
    return Row(number, values["year"], award_type, kind, name, raw["unit_code"].strip(),
               " ".join(raw.get("title", "").split()), " ".join(raw.get("decision_no", "").split()),
               values["decision_date"], raw.get("achievement", "").strip())


def _authorities(units: list[Unit]) -> dict[int, dict[str, Unit]]:
    """For each unit, itself and its ancestors that may issue awards, by kind (one query)."""
    found: dict[int, dict[str, Unit]] = defaultdict(dict)
    links = (UnitAncestor.objects.filter(unit_id__in={u.pk for u in units},
                                         ancestor__kind__in=(Kind.PROVINCE, Kind.DISTRICT, Kind.COMMUNE))
             .select_related("ancestor"))
    for link in links:
        found[link.unit_id][link.ancestor.kind] = link.ancestor
    return found


def _resolve(rows: list[Row], actor: Actor, errors: list[RowError]) -> None:
    candidates = Unit.objects.by_codes(r.code for r in rows)
    scope = CaptureScope(actor.user)
    for row in rows:
        # Only units in the scope count: outside it reads exactly like an unknown code.
        valid = [u for u in candidates.get(row.code, []) if u.is_valid_on(row.ref_date) and u.pk in scope]
        if not valid:
            errors.append(RowError(row.number, "unit_code", unit_not_found(row.code, row.ref_date)))
        elif len(valid) > 1:
            errors.append(RowError(row.number, "unit_code", ambiguous_code(row.code, row.ref_date)))
        else:
            row.unit = valid[0]
    resolved = [r for r in rows if r.unit is not None]
    authorities = _authorities([r.unit for r in resolved if r.unit is not None])
    seen: dict[tuple[Any, ...], int] = {}
    for row in resolved:
        assert row.unit is not None
        level_kind = LEVEL_KIND[row.award_type.authority_level]
        authority = authorities.get(row.unit.pk, {}).get(level_kind)
        if authority is None:
            errors.append(RowError(row.number, "unit_code",
                                   gettext("%(unit)s không thuộc %(kind)s nào để ban hành “%(award)s”")
                                   % {"unit": row.unit.name, "kind": Kind(level_kind).label.lower(),
                                      "award": row.award_type.name}))
            continue
        if authority.pk not in scope:
            errors.append(RowError(row.number, "unit_code",
                                   gettext("quyết định của %(authority)s nằm ngoài phạm vi được nhập liệu của "
                                           "tài khoản") % {"authority": authority.name}))
            continue
        row.authority = authority
        key = (*row.key(), *row.recipient_key())
        if key in seen:
            errors.append(RowError(row.number, "recipient_name",
                                   gettext("trùng với dòng %(row)s (cùng quyết định, đối tượng và đơn vị)")
                                   % {"row": seen[key]}))
            continue
        seen[key] = row.number


def import_awards(name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False) -> ImportResult:
    result, table = open_table("awards", name, data, COLUMNS, dry_run=dry_run)
    if table is None:
        return result
    with transaction.atomic():  # validate and write as one, one import of this kind at a time
        serialise("import:awards")
        return _import_awards(result, table, actor=actor, dry_run=dry_run)


def _import_awards(result: ImportResult, table: Table, *, actor: Actor, dry_run: bool) -> ImportResult:
    types = {t.code.casefold(): t for t in AwardType.objects.all()}
    errors: list[RowError] = []
    rows = [r for number, raw in table.rows if (r := _parse(number, raw, types, errors)) is not None]
    _resolve(rows, actor, errors)
    return write_all_or_nothing(result, errors, dry_run, lambda: _write(_plan(rows, result), actor))


def _existing(rows: list[Row]) -> dict[DecisionKey, AwardDecision]:
    keys = {r.key() for r in rows}
    decisions = (AwardDecision.objects.select_for_update()
                 .filter(year__in={k[2] for k in keys}, award_type_id__in={k[1] for k in keys},
                         authority_id__in={k[0] for k in keys}))
    found: dict[DecisionKey, AwardDecision] = {}
    for decision in decisions.order_by("pk"):
        key = (decision.authority_id, decision.award_type_id, decision.year, decision.number, decision.date)
        if key in keys:
            found.setdefault(key, decision)
    return found


def _plan(rows: list[Row], result: ImportResult) -> Plan:
    plan = Plan()
    existing = _existing(rows)
    recipients: dict[tuple[int, str, int, str], AwardRecipient] = {}
    last_position: dict[int, int] = defaultdict(int)  # id() of the decision object -> its last position
    highest: dict[int, int] = defaultdict(int)
    for rec in AwardRecipient.objects.select_for_update().filter(decision__in=list(existing.values())):
        recipients[(rec.decision_id, rec.kind, rec.unit_id, rec.search_name)] = rec
        highest[rec.decision_id] = max(highest[rec.decision_id], rec.position)
    for found in existing.values():
        last_position[id(found)] = highest[found.pk]
    preview: list[tuple[int, str, str]] = []
    for row in rows:
        assert row.unit is not None and row.authority is not None
        key = row.key()
        decision = existing.get(key) or plan.new_decisions.get(key)
        label = f"{row.award_type.code} {row.decision_no or '—'}: {row.name or row.unit.name}"
        if decision is None:
            decision = AwardDecision(award_type=row.award_type, year=row.year, number=row.decision_no,
                                     date=row.decision_date, authority=row.authority)
            plan.new_decisions[key] = decision
        old = recipients.get((decision.pk, *row.recipient_key())) if decision.pk else None
        if old is None:
            last_position[id(decision)] += 1
            new = AwardRecipient(kind=row.kind, unit=row.unit, name=row.name or row.unit.name, title=row.title,
                                 achievement=row.achievement, position=last_position[id(decision)])
            new.refresh_derived()
            plan.new_recipients.append((row, new, decision))
            preview.append((row.number, "create", label))
            continue
        changes = {k: v for k, v in (("title", row.title), ("achievement", row.achievement))
                   if v and getattr(old, k) != v}
        if changes:
            before = old.snapshot()
            for k, v in changes.items():
                setattr(old, k, v)
            plan.updated.append((old, before))
            preview.append((row.number, "update", label))
        else:
            result.unchanged += 1
    result.created, result.updated = len(plan.new_recipients), len(plan.updated)
    result.preview = sorted(preview)
    if plan.new_decisions:
        result.warnings.append(gettext("quyết định mới: %(n)s") % {"n": len(plan.new_decisions)})
    _warn_repeats(plan, result)
    return plan


def _warn_repeats(plan: Plan, result: ImportResult) -> None:
    medal_rows = [(row, rec) for row, rec, _ in plan.new_recipients
                  if row.award_type.once_per_person and rec.kind == RecipientKind.INDIVIDUAL]
    if not medal_rows:
        return
    earlier = set(AwardRecipient.objects.filter(
        decision__award_type__in={row.award_type.pk for row, _ in medal_rows}, kind=RecipientKind.INDIVIDUAL,
        unit_id__in={rec.unit_id for _, rec in medal_rows},
    ).values_list("decision__award_type_id", "unit_id", "search_name"))
    seen: set[tuple[int, int, str]] = set()
    for row, rec in medal_rows:
        key = (row.award_type.pk, rec.unit_id, rec.search_name)
        if key in earlier or key in seen:
            result.warnings.append(gettext("dòng %(row)s: %(name)s (%(unit)s) có thể đã nhận “%(award)s” trước "
                                           "đây (mỗi người chỉ nhận một lần)")
                                   % {"row": row.number, "name": rec.name, "unit": rec.unit.name,
                                      "award": row.award_type.name})
        seen.add(key)


def _write(plan: Plan, actor: Actor) -> None:
    decisions = list(plan.new_decisions.values())
    AwardDecision.objects.bulk_create(decisions, batch_size=1000)
    created: list[AwardRecipient] = []
    for _, rec, decision in plan.new_recipients:
        rec.decision = decision  # saved now: bulk_create set its id
        created.append(rec)
    AwardRecipient.objects.bulk_create(created, batch_size=1000)
    AwardRecipient.objects.bulk_update([r for r, _ in plan.updated], ["title", "achievement"], batch_size=1000)
    record_many(actor, "award_decision.import", [(d, d.authority, None, d.snapshot()) for d in decisions])
    record_many(actor, "award.import",
                [(r, r.unit, None, r.snapshot()) for r in created]
                + [(r, r.unit, before, r.snapshot()) for r, before in plan.updated])


register(ImportKind(key="awards", label=gettext_lazy("Khen thưởng"), columns=COLUMNS, run=import_awards))
