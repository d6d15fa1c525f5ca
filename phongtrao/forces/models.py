"""The grassroots security force (Luật Lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở, số 30/2023/QH15, in force
01/07/2024), as unit-level records and counts, never personal files (DOMAIN.md §2):

- ``SizeRule``: how many members a residential area's team should have, from its residents or households (tiers) or
  a flat number per kind of area; a province's own rule, else the default, each with its legal basis, effective
  dates and what is uncertain about it (data, never a constant in code).
- ``Team``: a Tổ bảo vệ an ninh, trật tự serving one residential area: the establishing decision, member counts by
  position, start and dissolution; moved through ``TEAMS`` (active → dissolved). ``total_members`` and
  ``required_members`` are derived by the actions (the rule in force when the team was last written).
- ``RatingSheet``: a commune's yearly ratings (period 15/11 to 14/11), moved through ``SHEETS`` (open → submitted,
  returned with a reason); ``TeamRating``: the counts of members per rating for one team and year.
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from phongtrao.audit.models import Channel
from phongtrao.lib.workflow import Transition, Workflow, WorkflowEvent
from phongtrao.units.models import Unit


class Measure(models.TextChoices):
    RESIDENTS = "residents", gettext_lazy("Theo số nhân khẩu")
    HOUSEHOLDS = "households", gettext_lazy("Theo số hộ")
    SUBTYPE = "subtype", gettext_lazy("Cố định theo loại khu dân cư")


class SizeRuleQuerySet(models.QuerySet["SizeRule"]):
    def in_force(self, day: Any) -> Self:
        return self.filter(Q(effective_from__lte=day), Q(effective_to__isnull=True) | Q(effective_to__gte=day))


class SizeRule(models.Model):
    """The members a residential area's team should have.

    ``residents``/``households``: up to ``base_limit`` → ``base_members``; then ``step_members`` more for each further
    ``step`` (or part of it). ``subtype``: ``flat_members`` per subtype of the area (``{"khu_pho": 5, "ap": 3}``),
    ``base_members`` for the others. ``province`` empty: a national rule (the one ``is_default`` applies where a
    province has none of its own in force)."""

    code = models.SlugField("Mã", max_length=60, unique=True)
    name = models.CharField("Tên", max_length=255)
    province = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="force_size_rules",
                                 verbose_name="Tỉnh/Thành phố")
    is_default = models.BooleanField("Mặc định", default=False)
    measure = models.CharField("Cách tính", max_length=12, choices=Measure.choices)
    base_limit = models.PositiveIntegerField("Đến mức", null=True, blank=True)
    base_members = models.PositiveSmallIntegerField("Số thành viên ở mức đầu")
    step = models.PositiveIntegerField("Mỗi mức tăng thêm", null=True, blank=True)
    step_members = models.PositiveSmallIntegerField("Thành viên thêm mỗi mức", default=1)
    flat_members = models.JSONField("Số thành viên theo loại khu dân cư", default=dict, blank=True)
    legal_basis = models.TextField("Căn cứ pháp lý")
    effective_from = models.DateField("Hiệu lực từ")
    effective_to = models.DateField("Hiệu lực đến", null=True, blank=True)
    uncertain = models.TextField("Điểm chưa chắc chắn", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = SizeRuleQuerySet.as_manager()

    class Meta:
        verbose_name = "quy mô Tổ bảo vệ ANTT"
        verbose_name_plural = "quy mô Tổ bảo vệ ANTT"
        ordering = ["province_id", "-effective_from", "code"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="force_rule_one_default"),
            models.CheckConstraint(condition=Q(measure__in=Measure.values), name="force_rule_measure_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def required(self, *, residents: int | None, households: int | None, subtype: str) -> int | None:
        """The members an area should have under this rule (None: the rule needs a figure the area lacks)."""
        if self.measure == Measure.SUBTYPE:
            flat = self.flat_members.get(subtype) if isinstance(self.flat_members, dict) else None
            return int(flat) if flat is not None else self.base_members
        size = residents if self.measure == Measure.RESIDENTS else households
        if size is None:
            return None
        if self.base_limit is None or size <= self.base_limit or not self.step:
            return self.base_members
        steps = -(-(size - self.base_limit) // self.step)  # each further step or part of it
        return self.base_members + steps * self.step_members

    def snapshot(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "province_id": self.province_id, "is_default": self.is_default,
                "measure": self.measure, "base_limit": self.base_limit, "base_members": self.base_members,
                "step": self.step, "step_members": self.step_members, "flat_members": self.flat_members,
                "legal_basis": self.legal_basis, "effective_from": self.effective_from.isoformat(),
                "effective_to": self.effective_to.isoformat() if self.effective_to else None,
                "uncertain": self.uncertain}


class TeamStatus(models.TextChoices):
    ACTIVE = "active", gettext_lazy("Đang hoạt động")
    DISSOLVED = "dissolved", gettext_lazy("Đã giải thể")


class TeamQuerySet(models.QuerySet["Team"]):
    def in_subtree(self, root: Unit | int) -> Self:
        return self.filter(unit__ancestor_links__ancestor_id=root if isinstance(root, int) else root.pk)

    def active_on(self, day: Any) -> Self:
        """Teams started on or before ``day`` and not dissolved by then."""
        return self.filter(Q(started_on__lte=day), Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))

    def below_rule(self) -> Self:
        return self.filter(required_members__isnull=False, total_members__lt=F("required_members"))

    def search(self, text: str) -> Self:
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(unit__in=Unit.objects.search(text)) | Q(decision_no__icontains=text))


class Team(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="force_teams", verbose_name="Khu dân cư")
    decision_no = models.CharField("Số quyết định thành lập", max_length=60)
    decision_date = models.DateField("Ngày quyết định")
    decision_signer = models.CharField("Chủ tịch UBND xã ký", max_length=120, blank=True)
    started_on = models.DateField("Ngày bắt đầu hoạt động")
    leaders = models.PositiveSmallIntegerField("Tổ trưởng", default=1)
    deputies = models.PositiveSmallIntegerField("Tổ phó", default=0)
    members = models.PositiveSmallIntegerField("Tổ viên", default=0)
    residents = models.PositiveIntegerField("Số nhân khẩu của khu dân cư", null=True, blank=True)
    total_members = models.PositiveSmallIntegerField("Tổng số thành viên", default=0, editable=False)
    size_rule = models.ForeignKey(SizeRule, null=True, blank=True, on_delete=models.PROTECT, related_name="teams",
                                  verbose_name="Quy mô áp dụng", editable=False)
    required_members = models.PositiveSmallIntegerField("Số thành viên theo quy mô", null=True, blank=True,
                                                        editable=False)
    status = models.CharField("Trạng thái", max_length=12, choices=TeamStatus.choices, default=TeamStatus.ACTIVE)
    dissolved_on = models.DateField("Ngày giải thể", null=True, blank=True)
    dissolution_decision_no = models.CharField("Số quyết định giải thể", max_length=60, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = "Tổ bảo vệ an ninh, trật tự"
        verbose_name_plural = "Tổ bảo vệ an ninh, trật tự"
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=Q(status="active"), name="force_team_one_active"),
            models.CheckConstraint(condition=Q(status__in=TeamStatus.values), name="force_team_status_valid"),
        ]
        indexes = [models.Index(fields=["unit", "started_on"], name="force_team_unit_idx")]

    def __str__(self) -> str:
        return gettext("Tổ bảo vệ ANTT %(area)s") % {"area": self.unit.name}

    def refresh_total(self) -> None:
        self.total_members = self.leaders + self.deputies + self.members

    @property
    def below_rule(self) -> bool:
        return self.required_members is not None and self.total_members < self.required_members

    @property
    def shortfall(self) -> int:
        return max(0, (self.required_members or 0) - self.total_members)

    def snapshot(self) -> dict[str, Any]:
        return {"unit_id": self.unit_id, "decision_no": self.decision_no,
                "decision_date": self.decision_date.isoformat(), "decision_signer": self.decision_signer,
                "started_on": self.started_on.isoformat(), "leaders": self.leaders, "deputies": self.deputies,
                "members": self.members, "residents": self.residents, "total_members": self.total_members,
                "size_rule_id": self.size_rule_id, "required_members": self.required_members, "status": self.status,
                "dissolved_on": self.dissolved_on.isoformat() if self.dissolved_on else None,
                "dissolution_decision_no": self.dissolution_decision_no}


class TeamEvent(WorkflowEvent):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="events", verbose_name="Tổ")
    from_status = models.CharField("Từ trạng thái", max_length=12, choices=TeamStatus.choices, blank=True)
    to_status = models.CharField("Sang trạng thái", max_length=12, choices=TeamStatus.choices)
    source = models.CharField("Nguồn", max_length=10, choices=Channel.choices)

    class Meta(WorkflowEvent.Meta):
        verbose_name = "lịch sử Tổ bảo vệ ANTT"
        verbose_name_plural = "lịch sử Tổ bảo vệ ANTT"

    def __str__(self) -> str:
        return f"{self.team_id}: {self.from_status or '—'} → {self.to_status}"


TEAM_TRANSITIONS = [
    Transition("update", (TeamStatus.ACTIVE,), None, gettext_noop("sửa thông tin tổ")),
    Transition("dissolve", (TeamStatus.ACTIVE,), TeamStatus.DISSOLVED, gettext_noop("giải thể tổ")),
    Transition("import", (TeamStatus.ACTIVE,), None, gettext_noop("cập nhật tổ từ tệp")),
]


def _prepare_team(team: Team) -> None:
    team.refresh_total()


TEAMS = Workflow("force_team", Team, TeamStatus, TeamEvent, event_parent="team", transitions=TEAM_TRANSITIONS,
                 describe=lambda team: gettext("tổ bảo vệ ANTT của %(area)s") % {"area": team.unit.name},
                 missing=gettext_noop("Không tìm thấy tổ bảo vệ ANTT."),
                 locking=lambda: Team.objects.select_for_update(of=("self",)).select_related("unit"),
                 prepare=_prepare_team, derived=("total_members",))


# --- yearly ratings ------------------------------------------------------------------------------


class SheetStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Đang nhập")
    SUBMITTED = "submitted", gettext_lazy("Đã gửi cấp trên")


class RatingSheet(models.Model):
    """A commune's ratings of its teams for one year (the period ending 14/11 of ``year``)."""

    commune = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="force_rating_sheets",
                                verbose_name="Xã/Phường")
    year = models.PositiveSmallIntegerField("Năm")
    status = models.CharField("Trạng thái", max_length=12, choices=SheetStatus.choices, default=SheetStatus.OPEN)
    submitted_at = models.DateTimeField("Gửi lúc", null=True, blank=True)
    returned_reason = models.TextField("Lý do trả lại", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "bảng đánh giá Tổ bảo vệ ANTT"
        verbose_name_plural = "bảng đánh giá Tổ bảo vệ ANTT"
        constraints = [
            models.UniqueConstraint(fields=["commune", "year"], name="force_sheet_unique"),
            models.CheckConstraint(condition=Q(status__in=SheetStatus.values), name="force_sheet_status_valid"),
        ]

    def __str__(self) -> str:
        return gettext("Đánh giá Tổ bảo vệ ANTT năm %(year)s của %(commune)s") % {
            "year": self.year, "commune": self.commune.name}

    def snapshot(self) -> dict[str, Any]:
        return {"commune_id": self.commune_id, "year": self.year, "status": self.status,
                "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
                "returned_reason": self.returned_reason}


class SheetEvent(WorkflowEvent):
    sheet = models.ForeignKey(RatingSheet, on_delete=models.PROTECT, related_name="events", verbose_name="Bảng")
    from_status = models.CharField("Từ trạng thái", max_length=12, choices=SheetStatus.choices, blank=True)
    to_status = models.CharField("Sang trạng thái", max_length=12, choices=SheetStatus.choices)
    source = models.CharField("Nguồn", max_length=10, choices=Channel.choices)

    class Meta(WorkflowEvent.Meta):
        verbose_name = "lịch sử bảng đánh giá"
        verbose_name_plural = "lịch sử bảng đánh giá"

    def __str__(self) -> str:
        return f"{self.sheet_id}: {self.from_status or '—'} → {self.to_status}"


SHEET_TRANSITIONS = [
    Transition("save", (SheetStatus.OPEN,), None, gettext_noop("lưu kết quả đánh giá")),
    Transition("submit", (SheetStatus.OPEN,), SheetStatus.SUBMITTED, gettext_noop("gửi kết quả đánh giá")),
    Transition("return", (SheetStatus.SUBMITTED,), SheetStatus.OPEN, gettext_noop("trả lại kết quả đánh giá"),
               requires_reason=True),
]

SHEETS = Workflow("force_rating_sheet", RatingSheet, SheetStatus, SheetEvent, event_parent="sheet",
                  transitions=SHEET_TRANSITIONS,
                  describe=lambda sheet: gettext("bảng đánh giá năm %(year)s của %(commune)s") % {
                      "year": sheet.year, "commune": sheet.commune.name},
                  missing=gettext_noop("Không tìm thấy bảng đánh giá."),
                  unit_of=lambda sheet: sheet.commune,
                  locking=lambda: RatingSheet.objects.select_for_update(of=("self",)).select_related("commune"))


class RatingQuerySet(models.QuerySet["TeamRating"]):
    def in_subtree(self, root: Unit | int) -> Self:
        return self.filter(team__unit__ancestor_links__ancestor_id=root if isinstance(root, int) else root.pk)


# The rating columns, in order (field name, gettext_noop label).
RATING_FIELDS = (
    ("excellent", gettext_noop("Hoàn thành xuất sắc nhiệm vụ")),
    ("good", gettext_noop("Hoàn thành tốt nhiệm vụ")),
    ("completed", gettext_noop("Hoàn thành nhiệm vụ")),
    ("not_completed", gettext_noop("Không hoàn thành nhiệm vụ")),
    ("not_rated", gettext_noop("Chưa đánh giá (hoạt động dưới 9 tháng)")),
)


class TeamRating(models.Model):
    """How many of a team's members got each rating in ``year`` (counts, never names)."""

    sheet = models.ForeignKey(RatingSheet, on_delete=models.PROTECT, related_name="ratings", verbose_name="Bảng")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="ratings", verbose_name="Tổ")
    year = models.PositiveSmallIntegerField("Năm")
    excellent = models.PositiveSmallIntegerField("Hoàn thành xuất sắc nhiệm vụ", default=0)
    good = models.PositiveSmallIntegerField("Hoàn thành tốt nhiệm vụ", default=0)
    completed = models.PositiveSmallIntegerField("Hoàn thành nhiệm vụ", default=0)
    not_completed = models.PositiveSmallIntegerField("Không hoàn thành nhiệm vụ", default=0)
    not_rated = models.PositiveSmallIntegerField("Chưa đánh giá", default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="Người lưu")
    updated_at = models.DateTimeField(auto_now=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = "kết quả đánh giá Tổ bảo vệ ANTT"
        verbose_name_plural = "kết quả đánh giá Tổ bảo vệ ANTT"
        constraints = [models.UniqueConstraint(fields=["team", "year"], name="force_rating_unique")]
        indexes = [models.Index(fields=["year"], name="force_rating_year_idx")]

    def __str__(self) -> str:
        return gettext("Đánh giá năm %(year)s của %(team)s") % {"year": self.year, "team": self.team}

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name, _label in RATING_FIELDS}

    def snapshot(self) -> dict[str, Any]:
        return {"team_id": self.team_id, "year": self.year, **self.counts()}
