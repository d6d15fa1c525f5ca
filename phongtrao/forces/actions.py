"""Named actions of the grassroots security force: establish, change and dissolve a team; a province's own size
rule; save, submit and return a commune's yearly ratings. Views, importers, the demo and commands call these.

Each checks who acts (``forces.*`` policies, declared at ``ready()``), validates, locks, writes and appends its
event and audit rows in one transaction. Teams and rating sheets move through ``TEAMS`` / ``SHEETS``
(``lib.workflow``): a stale version is refused, never overwritten; ratings carry the version they were read at.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from phongtrao.accounts import access
from phongtrao.audit.actions import Actor, record, record_many
from phongtrao.forces.models import (
    RATING_FIELDS,
    SHEETS,
    TEAMS,
    RatingSheet,
    SheetStatus,
    SizeRule,
    Team,
    TeamRating,
    TeamStatus,
)
from phongtrao.forces.rules import quota, rating_period, required_for, rule_for
from phongtrao.lib.locks import serialise
from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR
from phongtrao.lib.vnformat import date_text
from phongtrao.lib.workflow import ActionError, Move, StaleVersion
from phongtrao.units.models import SUBTYPES, Kind, Unit, UnitAncestor

__all__ = ["ActionError", "RatingInput", "RuleNumbers", "StaleVersion", "TeamData", "derive_sizes",
           "do_add_province_rule", "do_dissolve_team", "do_dissolve_teams", "do_establish_team", "do_establish_teams",
           "do_record_ratings", "do_return_ratings", "do_save_ratings", "do_submit_ratings", "do_update_team",
           "quota_violations"]

MAX_COUNT = 999


def _user(actor: Actor) -> Any:
    return actor.user if actor.user is not None and actor.user.pk else None


@dataclass
class TeamData:
    """What a team's form, an import row or the demo gives."""

    decision_no: str
    decision_date: dt.date
    started_on: dt.date
    leaders: int = 1
    deputies: int = 0
    members: int = 0
    residents: int | None = None
    decision_signer: str = ""

    def errors(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        self.decision_no = " ".join(self.decision_no.split())
        self.decision_signer = " ".join(self.decision_signer.split())
        if not self.decision_no:
            errors["decision_no"] = [gettext("Nhập số quyết định thành lập tổ.")]
        elif len(self.decision_no) > 60:
            errors["decision_no"] = [gettext("Số quyết định dài quá 60 ký tự.")]
        if len(self.decision_signer) > 120:
            errors["decision_signer"] = [gettext("Tên người ký dài quá 120 ký tự.")]
        if self.started_on < self.decision_date:
            errors["started_on"] = [gettext("Ngày bắt đầu hoạt động không được trước ngày quyết định thành lập "
                                            "(%(day)s).") % {"day": date_text(self.decision_date)}]
        for name in ("leaders", "deputies", "members"):
            if not 0 <= getattr(self, name) <= MAX_COUNT:
                errors[name] = [gettext("Số thành viên phải từ 0 đến %(max)s.") % {"max": MAX_COUNT}]
        if self.leaders + self.deputies + self.members == 0:
            errors.setdefault("members", []).append(gettext("Tổ phải có ít nhất một thành viên."))
        if self.residents is not None and not 0 <= self.residents <= 10_000_000:
            errors["residents"] = [gettext("Số nhân khẩu không hợp lệ.")]
        return errors

    def fields(self) -> dict[str, Any]:
        return {"decision_no": self.decision_no, "decision_date": self.decision_date,
                "decision_signer": self.decision_signer, "started_on": self.started_on, "leaders": self.leaders,
                "deputies": self.deputies, "members": self.members, "residents": self.residents}


def _require_edit(actor: Actor, area: Unit) -> None:
    access.require(_user(actor), "forces.edit", area, error=ActionError,
                   message=gettext("Bạn không có quyền cập nhật tổ bảo vệ ANTT của %(name)s.") % {"name": area.name})


def check_area(area: Unit, day: dt.date) -> None:
    if area.kind != Kind.RESIDENTIAL_AREA:
        raise ActionError({"unit": [gettext("Tổ bảo vệ ANTT được thành lập ở khu dân cư (thôn, tổ dân phố, …); "
                                            "%(name)s không phải khu dân cư.") % {"name": area.name}]})
    if not area.is_valid_on(day):
        raise ActionError({"started_on": [gettext("%(name)s không tồn tại vào ngày %(day)s.")
                                          % {"name": area.name, "day": date_text(day)}]})


def provinces_of(unit_ids: set[int]) -> dict[int, int]:
    """The province of each unit (one query over the closure table)."""
    found: dict[int, int] = {}
    for unit_id, province_id in (UnitAncestor.objects.filter(unit_id__in=unit_ids, ancestor__kind=Kind.PROVINCE)
                                 .values_list("unit_id", "ancestor_id")):
        found[unit_id] = province_id
    return found


def derive_sizes(teams: Sequence[Team], day: dt.date | None = None) -> None:
    """Set each team's total, size rule and required members (the rule in force on ``day``, default today).
    Two queries for any number of teams (the rules, the provinces); nothing is saved."""
    day = day or timezone.localdate()
    rules = list(SizeRule.objects.in_force(day))
    provinces: dict[int, int] = {}
    unit_ids = {t.unit_id for t in teams}
    for start in range(0, len(unit_ids), 900):
        provinces |= provinces_of(set(sorted(unit_ids)[start:start + 900]))
    for team in teams:
        team.refresh_total()
        rule = rule_for(provinces.get(team.unit_id), day, rules)
        team.size_rule = rule
        team.required_members = required_for(rule, team.unit, team.residents)


def do_establish_team(actor: Actor, area: Unit, data: TeamData) -> Team:
    """A new team for ``area`` (a residential area without an active team)."""
    _require_edit(actor, area)
    errors = data.errors()
    if errors:
        raise ActionError(errors)
    check_area(area, data.started_on)
    with transaction.atomic():
        serialise("forces:teams")  # the key of every writer that creates teams (the bulk action, the importer)
        if Team.objects.filter(unit=area, status=TeamStatus.ACTIVE).exists():
            raise ActionError(gettext("%(name)s đã có tổ bảo vệ ANTT đang hoạt động; hãy sửa tổ đó hoặc giải thể "
                                      "trước khi thành lập tổ mới.") % {"name": area.name})
        team = Team(unit=area, **data.fields())
        derive_sizes([team])
        TEAMS.created(team, actor=actor, action="establish")
    return team


def do_establish_teams(actor: Actor, rows: Sequence[tuple[Unit, TeamData]], *, action: str = "establish",
                       check: bool = True) -> list[Team]:
    """Many new teams at once (the demo, an import): the same checks, one insert of teams, events and audit rows."""
    errors: dict[str, list[str]] = {}
    for index, (area, data) in enumerate(rows):
        if check:
            _require_edit(actor, area)
        problems = data.errors()
        if problems:
            errors[str(index)] = [m for ms in problems.values() for m in ms]
        elif area.kind != Kind.RESIDENTIAL_AREA or not area.is_valid_on(data.started_on):
            errors[str(index)] = [gettext("%(name)s không phải khu dân cư còn hiệu lực ngày %(day)s.")
                                  % {"name": area.name, "day": date_text(data.started_on)}]
    if errors:
        raise ActionError(errors)
    teams = [Team(unit=area, **data.fields()) for area, data in rows]
    with transaction.atomic():
        serialise("forces:teams")
        taken = set(Team.objects.filter(unit__in=[t.unit_id for t in teams], status=TeamStatus.ACTIVE)
                    .values_list("unit_id", flat=True))
        per_area = Counter(t.unit_id for t in teams)
        twice = {unit_id for unit_id, n in per_area.items() if n > 1}
        clash = [i for i, t in enumerate(teams) if t.unit_id in taken or t.unit_id in twice]
        if clash:
            raise ActionError({str(i): [gettext("%(name)s đã có tổ bảo vệ ANTT đang hoạt động.")
                                        % {"name": teams[i].unit.name}] for i in clash})
        derive_sizes(teams)
        TEAMS.created_many(teams, actor=actor, action=action)
    return teams


def do_update_team(actor: Actor, team_pk: int, data: TeamData, *, expected_version: int | None) -> Team:
    with transaction.atomic():
        team = TEAMS.lock(team_pk)
        _require_edit(actor, team.unit)
        TEAMS.refuse(team, "update", expected_version)
        errors = data.errors()
        if errors:
            raise ActionError(errors)
        before = team.snapshot()
        for name, value in data.fields().items():
            setattr(team, name, value)
        derive_sizes([team])
        TEAMS.move(team, "update", actor=actor, expected_version=expected_version, before=before,
                   changes={"size_rule": team.size_rule, "required_members": team.required_members})
    return team


def do_dissolve_team(actor: Actor, team_pk: int, *, dissolved_on: dt.date, decision_no: str,
                     expected_version: int | None) -> Team:
    decision_no = " ".join(decision_no.split())
    with transaction.atomic():
        team = TEAMS.lock(team_pk)
        _require_edit(actor, team.unit)
        TEAMS.refuse(team, "dissolve", expected_version)
        errors: dict[str, list[str]] = {}
        if not decision_no:
            errors["decision_no"] = [gettext("Nhập số quyết định giải thể tổ.")]
        elif len(decision_no) > 60:
            errors["decision_no"] = [gettext("Số quyết định dài quá 60 ký tự.")]
        if dissolved_on < team.started_on:
            errors["dissolved_on"] = [gettext("Ngày giải thể không được trước ngày bắt đầu hoạt động (%(day)s).")
                                      % {"day": date_text(team.started_on)}]
        if errors:
            raise ActionError(errors)
        TEAMS.move(team, "dissolve", actor=actor, expected_version=expected_version, reason=decision_no,
                   changes={"dissolved_on": dissolved_on, "dissolution_decision_no": decision_no})
    return team


def do_dissolve_teams(actor: Actor, rows: Sequence[tuple[Team, dt.date, str]]) -> None:
    """Dissolve many teams at once (the demo, a commune's reorganisation): one bulk move on ``TEAMS``."""
    moves = []
    for team, day, decision_no in rows:
        _require_edit(actor, team.unit)
        if day < team.started_on or not decision_no.strip():
            raise ActionError(gettext("Ngày hoặc số quyết định giải thể của %(team)s không hợp lệ.") % {"team": team})
        moves.append(Move(team, "dissolve", expected_version=team.version, reason=decision_no,
                          changes={"dissolved_on": day, "dissolution_decision_no": decision_no.strip()}))
    TEAMS.move_many(moves, actor=actor)


@dataclass
class RuleNumbers:
    """A province's own numbers for a size rule (None: the template's). ``flat_members``: members per subtype of
    area (``{"khu_pho": 5, "ap": 3}``) for a rule by subtype."""

    base_limit: int | None = None
    base_members: int | None = None
    step: int | None = None
    step_members: int | None = None
    flat_members: dict[str, int] | None = None


MAX_RULE_MEMBERS, MAX_RULE_SIZE = 50, 1_000_000


def rule_name(measure: str, base_limit: int | None, base_members: int, step: int | None, step_members: int,
              flat_members: dict[str, int]) -> str:
    """The Vietnamese name of a rule from its numbers (stored with the rule: documents are Vietnamese)."""
    if measure == "subtype":
        with translation.override("vi"):
            words = {value: str(label).lower() for value, label in SUBTYPES[Kind.RESIDENTIAL_AREA]}
        parts = [f"{n} thành viên mỗi {words.get(k, k)}" for k, n in sorted(flat_members.items())]
        return "Cố định: " + ", ".join([*parts, f"{base_members} thành viên ở khu dân cư khác"])
    what = "nhân khẩu" if measure == "residents" else "hộ"
    unit_word = "người" if measure == "residents" else "hộ"
    name = f"Theo số {what}: đến {base_limit:,} {unit_word} {base_members} thành viên".replace(",", ".")
    if step:
        name += f", thêm {step_members} thành viên cho mỗi {step:,} {unit_word} tiếp theo".replace(",", ".")
    return name


def _rule_numbers(template: SizeRule, numbers: RuleNumbers) -> dict[str, Any]:
    """The rule's numbers (the template's, with the province's own), checked; refused with the field's error."""
    values: dict[str, Any] = {
        "base_limit": numbers.base_limit if numbers.base_limit is not None else template.base_limit,
        "base_members": numbers.base_members if numbers.base_members is not None else template.base_members,
        "step": numbers.step if numbers.step is not None else template.step,
        "step_members": numbers.step_members if numbers.step_members is not None else template.step_members,
        "flat_members": dict(template.flat_members or {}) | dict(numbers.flat_members or {}),
    }
    errors: dict[str, list[str]] = {}
    members_error = gettext("Số thành viên phải từ 1 đến %(max)s.") % {"max": MAX_RULE_MEMBERS}
    for name in ("base_members", "step_members"):
        if not 1 <= values[name] <= MAX_RULE_MEMBERS:
            errors[name] = [members_error]
    if template.measure == "subtype":
        bad = [k for k, n in values["flat_members"].items() if not 1 <= n <= MAX_RULE_MEMBERS]
        if bad:
            errors["flat_members"] = [members_error]
    else:
        for name in ("base_limit", "step"):
            if values[name] is None or not 1 <= values[name] <= MAX_RULE_SIZE:
                errors[name] = [gettext("Nhập một số từ 1 đến %(max)s.")
                                % {"max": f"{MAX_RULE_SIZE:,}".replace(",", ".")}]
    if errors:
        raise ActionError(errors)
    return values


def do_add_province_rule(actor: Actor, province: Unit, *, template: SizeRule, effective_from: dt.date,
                         legal_basis: str, uncertain: str = "", numbers: RuleNumbers | None = None) -> SizeRule:
    """A province adopts a size rule from ``effective_from``: the way of counting of ``template`` with the template's
    numbers or its own (``numbers``), its own basis and date; its latest rule in force applies, so a new one
    replaces an older one from its date. Its active teams' required members are derived again (one bulk update,
    one audit row for the rule with its numbers)."""
    access.require(_user(actor), "forces.rules", province, error=ActionError,
                   message=gettext("Bạn không có quyền quy định quy mô Tổ bảo vệ ANTT của %(name)s.")
                   % {"name": province.name})
    legal_basis = legal_basis.strip()
    if province.kind != Kind.PROVINCE:
        raise ActionError({"province": [gettext("Quy mô tổ do cấp tỉnh quy định.")]})
    if not legal_basis:
        raise ActionError({"legal_basis": [gettext("Nhập căn cứ pháp lý (số nghị quyết, quyết định của tỉnh).")]})
    values = _rule_numbers(template, numbers or RuleNumbers())
    same = all(values[k] == getattr(template, k) for k in values)
    name = template.name if same else rule_name(template.measure, **values)
    with transaction.atomic():
        serialise(f"forces:rules:{province.pk}")
        code = f"{template.code}-{province.code}-{effective_from:%Y%m%d}"[:60]
        if SizeRule.objects.filter(code=code).exists():
            raise ActionError({"effective_from": [gettext("Tỉnh đã có quy mô này từ ngày %(day)s.")
                                                  % {"day": date_text(effective_from)}]})
        rule = SizeRule.objects.create(
            code=code, name=name, province=province, measure=template.measure, **values, legal_basis=legal_basis,
            effective_from=effective_from, uncertain=uncertain.strip())
        teams = list(Team.objects.in_subtree(province).filter(status=TeamStatus.ACTIVE).select_related("unit")
                     .select_for_update(of=("self",)))
        derive_sizes(teams)
        Team.objects.bulk_update(teams, ["size_rule", "required_members"], batch_size=1000)
        record(actor, "force_rule.create", rule, unit=province, before=None,
               after=rule.snapshot() | {"teams_derived": len(teams)})
    return rule


# --- ratings -------------------------------------------------------------------------------------


@dataclass
class RatingInput:
    team: Team
    counts: dict[str, int]
    expected_version: int | None = None  # 0: there was no rating; None: do not check (an import replaces)


@dataclass
class SaveResult:
    created: list[TeamRating] = field(default_factory=list)
    updated: list[TeamRating] = field(default_factory=list)
    unchanged: int = 0
    sheet: RatingSheet | None = None


def check_year(year: int) -> None:
    if not FIRST_RECORD_YEAR <= year <= LAST_RECORD_YEAR:
        raise ActionError({"year": [gettext("Năm không hợp lệ.")]})


def _require_rate(actor: Actor, commune: Unit) -> None:
    access.require(_user(actor), "forces.rate", commune, error=ActionError,
                   message=gettext("Bạn không có quyền đánh giá Tổ bảo vệ ANTT của %(name)s.") % {"name": commune.name})


def _sheet(actor: Actor, commune: Unit, year: int, *, create: bool) -> RatingSheet | None:
    """The commune's sheet of ``year``, locked (made when ``create``): writers of one sheet queue on its key."""
    serialise(f"forces:sheet:{commune.pk}:{year}")
    sheet = RatingSheet.objects.select_for_update(of=("self",)).filter(commune=commune, year=year).first()
    if sheet is None and create:
        sheet = RatingSheet(commune=commune, year=year)
        SHEETS.created(sheet, actor=actor)
        sheet = SHEETS.lock(sheet.pk)
    return sheet


def check_rows(commune: Unit, year: int, rows: Sequence[RatingInput]) -> None:
    """Every row's team lies in ``commune``, was active in the rating period, and its counts are in range."""
    start, end = rating_period(year)
    errors: dict[str, list[str]] = {}
    for row in rows:
        key = str(row.team.pk)
        if row.team.unit.parent_id != commune.pk:
            errors[key] = [gettext("%(team)s không thuộc %(commune)s.") % {"team": row.team, "commune": commune.name}]
        elif row.team.started_on > end or (row.team.dissolved_on is not None and row.team.dissolved_on < start):
            errors[key] = [gettext("%(team)s không hoạt động trong kỳ đánh giá %(start)s – %(end)s.")
                           % {"team": row.team, "start": date_text(start), "end": date_text(end)}]
        else:
            bad = [name for name, _ in RATING_FIELDS if not 0 <= int(row.counts.get(name, 0)) <= MAX_COUNT]
            if bad:
                errors[key] = [gettext("Số thành viên phải từ 0 đến %(max)s.") % {"max": MAX_COUNT}]
    if errors:
        raise ActionError(errors)


def do_save_ratings(actor: Actor, commune: Unit, year: int, rows: Sequence[RatingInput], *,
                    channel_action: str = "save") -> SaveResult:
    """Save the counts of ``rows`` (teams of ``commune``) for ``year``; the sheet must be open. A rating saved by
    someone else since it was read is refused (``StaleVersion``); the sheet's version moves on with every save."""
    _require_rate(actor, commune)
    check_year(year)
    if commune.kind != Kind.COMMUNE:
        raise ActionError(gettext("Kết quả đánh giá tổ được lập theo xã, phường, đặc khu."))
    check_rows(commune, year, rows)
    result = SaveResult()
    if not rows:
        return result
    with transaction.atomic():
        sheet = _sheet(actor, commune, year, create=True)
        assert sheet is not None
        SHEETS.refuse(sheet, "save")
        existing = {r.team_id: r for r in TeamRating.objects.select_for_update()
                    .filter(year=year, team__in=[row.team.pk for row in rows])}
        stale = [row for row in rows if row.expected_version is not None
                 and (existing[row.team.pk].version if row.team.pk in existing else 0) != row.expected_version]
        if stale:
            raise StaleVersion({str(row.team.pk): [
                gettext("Kết quả đánh giá của %(team)s vừa được người khác lưu sau khi bạn mở trang; hãy tải lại "
                        "trang rồi làm lại.") % {"team": row.team}] for row in stale})
        audits: list[tuple[Any, Unit | None, dict[str, Any] | None, dict[str, Any] | None]] = []
        user = _user(actor)
        for row in rows:
            counts = {name: int(row.counts.get(name, 0)) for name, _ in RATING_FIELDS}
            old = existing.get(row.team.pk)
            if old is None:
                new = TeamRating(sheet=sheet, team=row.team, year=year, saved_by=user, **counts)
                result.created.append(new)
            elif old.counts() != counts:
                before = old.snapshot()
                for name, value in counts.items():
                    setattr(old, name, value)
                old.version += 1
                old.saved_by = user
                result.updated.append(old)
                audits.append((old, row.team.unit, before, old.snapshot()))
            else:
                result.unchanged += 1
        TeamRating.objects.bulk_create(result.created, batch_size=1000)
        TeamRating.objects.bulk_update(result.updated, [n for n, _ in RATING_FIELDS] + ["version", "saved_by",
                                                                                        "updated_at"],
                                       batch_size=1000)
        audits += [(r, r.team.unit, None, r.snapshot()) for r in result.created]
        if audits:
            record_many(actor, f"force_rating.{channel_action}", audits)
            SHEETS.move(sheet, "save", actor=actor, audit_after={"ratings": len(audits)})
        result.sheet = sheet
    return result


@dataclass(frozen=True)
class Violation:
    team: Team
    excellent: int
    good: int
    limit: int

    def message(self) -> str:
        rule = quota()
        return gettext("%(team)s: %(excellent)s thành viên “Hoàn thành xuất sắc nhiệm vụ”, vượt quá %(percent)s%% của "
                       "%(good)s thành viên “Hoàn thành tốt nhiệm vụ” (tối đa %(limit)s). Căn cứ: %(basis)s.") % {
            "team": self.team, "excellent": self.excellent, "percent": rule.percent, "good": self.good,
            "limit": self.limit, "basis": rule.basis}


def quota_violations(ratings: Sequence[TeamRating]) -> list[Violation]:
    rule = quota()
    return [Violation(r.team, r.excellent, r.good, rule.limit(r.good)) for r in ratings
            if rule.broken(r.excellent, r.good)]


def do_submit_ratings(actor: Actor, commune: Unit, year: int, *, expected_version: int | None) -> RatingSheet:
    """Send the commune's ratings to the level above; refused, naming each team and the rule's basis, when a team
    has more "excellent" members than the quota allows."""
    _require_rate(actor, commune)
    check_year(year)
    with transaction.atomic():
        sheet = _sheet(actor, commune, year, create=False)
        if sheet is None:
            raise ActionError(gettext("Chưa có kết quả đánh giá năm %(year)s của %(commune)s để gửi.")
                              % {"year": year, "commune": commune.name})
        SHEETS.refuse(sheet, "submit", expected_version)
        ratings = list(sheet.ratings.select_related("team__unit").order_by("team__unit__sort_key", "team_id"))
        if not ratings:
            raise ActionError(gettext("Chưa có kết quả đánh giá năm %(year)s của %(commune)s để gửi.")
                              % {"year": year, "commune": commune.name})
        violations = quota_violations(ratings)
        if violations:
            raise ActionError({"quota": [v.message() for v in violations]})
        SHEETS.move(sheet, "submit", actor=actor, expected_version=expected_version,
                    changes={"submitted_at": timezone.now(), "returned_reason": ""})
    return sheet


def do_record_ratings(actor: Actor, year: int, sheets: Sequence[tuple[Unit, Sequence[RatingInput], bool]]) -> int:
    """Many communes' ratings of ``year`` at once (the demo): for each (commune, rows, submit), a new sheet, its
    ratings and, when ``submit``, its submission (the quota checked as on the page). Refused for a commune that
    already has a sheet of the year. One insert of sheets, events, ratings and audit rows; returns the ratings."""
    check_year(year)
    for commune, rows, _submit in sheets:
        _require_rate(actor, commune)
        check_rows(commune, year, rows)
    with transaction.atomic():
        serialise("forces:ratings")
        taken = set(RatingSheet.objects.filter(year=year, commune__in=[c for c, _r, _s in sheets])
                    .values_list("commune_id", flat=True))
        if taken:
            raise ActionError(gettext("Đã có bảng đánh giá năm %(year)s của một số xã.") % {"year": year})
        user, now = _user(actor), timezone.now()
        made = [RatingSheet(commune=commune, year=year, status=SheetStatus.SUBMITTED if submit else SheetStatus.OPEN,
                            submitted_at=now if submit else None) for commune, _rows, submit in sheets]
        ratings = [TeamRating(sheet=sheet, team=row.team, year=year, saved_by=user,
                              **{name: int(row.counts.get(name, 0)) for name, _ in RATING_FIELDS})
                   for sheet, (_commune, rows, _submit) in zip(made, sheets, strict=True) for row in rows]
        # A sheet sent at once is checked as on the page: the quota of every one of its teams.
        violations = quota_violations([r for r in ratings if r.sheet.status == SheetStatus.SUBMITTED])
        if violations:
            raise ActionError({"quota": [v.message() for v in violations]})
        SHEETS.created_many([m for m in made if m.status == SheetStatus.OPEN], actor=actor, action="create")
        SHEETS.created_many([m for m in made if m.status == SheetStatus.SUBMITTED], actor=actor, action="submit")
        TeamRating.objects.bulk_create(ratings, batch_size=1000)
        record_many(actor, "force_rating.save", [(r, r.team.unit, None, r.snapshot()) for r in ratings])
    return len(ratings)


def do_return_ratings(actor: Actor, commune: Unit, year: int, *, reason: str,
                      expected_version: int | None) -> RatingSheet:
    """The level above sends a commune's ratings back with a reason."""
    reason = reason.strip()
    user = _user(actor)
    province_side = commune.parent
    if province_side is None or not access.may(user, "forces.review", province_side):
        raise ActionError(gettext("Bạn không có quyền trả lại kết quả đánh giá của %(name)s.") % {"name": commune.name})
    if not reason:
        raise ActionError({"reason": [gettext("Nhập lý do trả lại.")]})
    with transaction.atomic():
        sheet = _sheet(actor, commune, year, create=False)
        if sheet is None:
            raise ActionError(gettext("Không tìm thấy bảng đánh giá."))
        SHEETS.move(sheet, "return", actor=actor, expected_version=expected_version, reason=reason,
                    changes={"returned_reason": reason})
    return sheet
