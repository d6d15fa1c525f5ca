"""Plans, schemes and coordination programmes (DOMAIN.md §1 item 6): what a province or commune plans for some
years, its objectives (each measured from live data or assessed by hand) and its tasks, assigned to the
participating organisations (bodies, never people: DOMAIN.md §2).

- ``PlanKind``: a catalogue (đề án, kế hoạch, chương trình phối hợp, kế hoạch năm), seeded by a migration.
- ``Organisation``: the bodies that take part (Công an, Ủy ban MTTQ, the mass organisations, sở/ban/ngành);
  national entries (``province`` empty) and a province's own. An entry may name the register unit that reports
  for it (``unit``): an account whose home unit is that unit is the organisation's reporter ("my tasks").
- ``Plan``: the issuing decision (number, date), the issuing unit and, for a joint plan, the issuing bodies,
  the period (from year to year), the unit whose subtree it covers, a parent plan; moved through ``PLANS``
  (draft → in force → ended / replaced) with an append-only ``PlanEvent`` table; ``version`` refuses a stale save.
- ``Objective``: a numbered objective with an optional measure (an indicator of ``phongtrao.datasets``, a built-in
  figure of ``lib.indicators`` or a data element's total), a comparator and a target, the years it applies to and
  where it is measured (the plan's unit, or each commune / each organisation in it); without a measure it is
  assessed by hand with a note. Values are never stored: ``phongtrao.plans.evaluation`` reads them live.
- ``Task``: a key or yearly task, assigned to organisations (one of them the lead), with a due date and the status
  its assignee reports; optionally tied to a data element (done when the year's total is at least 1).
- ``SteeringCommittee``: the Ban Chỉ đạo of a unit; each constitution or yearly re-constitution (kiện toàn) is a new
  append-only ``CommitteeVersion`` (decision number, date, issuer) with its ``CommitteeMember`` rows (an
  organisation, a ``CommitteePosition`` of the catalogue, the title, optionally the official's name as on the
  decision); its meetings count is a data element's yearly value at the unit (``hop_ban_chi_dao``).
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from phongtrao.audit.models import Channel
from phongtrao.lib.workflow import AppendOnly, Transition, Workflow, WorkflowEvent
from phongtrao.units.models import Unit


class Catalogued(models.Model):
    code = models.SlugField("Mã", max_length=60)
    name = models.CharField("Tên", max_length=255)
    name_en = models.CharField("Tên tiếng Anh", max_length=255, blank=True)
    position = models.PositiveSmallIntegerField("Thứ tự", default=100)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (English when one is given)."""
        if self.name_en and (translation.get_language() or "vi").startswith("en"):
            return self.name_en
        return self.name


class PlanKind(Catalogued):
    class Meta:
        verbose_name = "loại kế hoạch"
        verbose_name_plural = "loại kế hoạch"
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["code"], name="plan_kind_code_unique")]


class OrganisationCategory(models.TextChoices):
    POLICE = "police", gettext_lazy("Công an")
    FRONT = "front", gettext_lazy("Ủy ban Mặt trận Tổ quốc")
    MASS = "mass", gettext_lazy("Tổ chức chính trị - xã hội")
    DEPARTMENT = "department", gettext_lazy("Sở, ban, ngành")
    OTHER = "other", gettext_lazy("Khác")


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def for_province(self, province: Unit | int | None) -> Self:
        """The national entries and those of ``province``."""
        pk = province.pk if isinstance(province, Unit) else province
        return self.filter(Q(province__isnull=True) | Q(province_id=pk)) if pk else self.filter(province__isnull=True)


class Organisation(Catalogued):
    """A participating body (an organisation, never a person)."""

    category = models.CharField("Nhóm", max_length=12, choices=OrganisationCategory.choices,
                                default=OrganisationCategory.OTHER)
    province = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="Tỉnh/Thành phố (trống: dùng chung toàn quốc)")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="plan_organisations",
                             verbose_name="Đơn vị báo cáo (tài khoản của đơn vị này báo cáo nhiệm vụ)")
    active = models.BooleanField("Đang dùng", default=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "cơ quan, tổ chức phối hợp"
        verbose_name_plural = "cơ quan, tổ chức phối hợp"
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(province__isnull=True), name="plan_org_national_code"),
            models.UniqueConstraint(fields=["province", "code"], name="plan_org_province_code"),
            models.CheckConstraint(condition=Q(category__in=OrganisationCategory.values), name="plan_org_category"),
        ]

    def snapshot(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "name_en": self.name_en, "category": self.category,
                "province_id": self.province_id, "unit_id": self.unit_id, "active": self.active}


class PlanStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Dự thảo")
    IN_FORCE = "in_force", gettext_lazy("Đang có hiệu lực")
    ENDED = "ended", gettext_lazy("Đã kết thúc")
    REPLACED = "replaced", gettext_lazy("Đã được thay thế")


class PlanQuerySet(models.QuerySet["Plan"]):
    def in_subtree(self, root: Unit | int) -> Self:
        return self.filter(unit__ancestor_links__ancestor_id=root if isinstance(root, int) else root.pk)

    def covering_year(self, year: int) -> Self:
        return self.filter(from_year__lte=year, to_year__gte=year)

    def in_force(self) -> Self:
        return self.filter(status=PlanStatus.IN_FORCE)

    def search(self, text: str) -> Self:
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(title__icontains=text) | Q(number__icontains=text) | Q(unit__name__icontains=text))


class Plan(models.Model):
    kind = models.ForeignKey(PlanKind, on_delete=models.PROTECT, related_name="plans", verbose_name="Loại")
    number = models.CharField("Số văn bản ban hành", max_length=60)
    issued_on = models.DateField("Ngày ban hành")
    title = models.CharField("Tên kế hoạch", max_length=500)
    issuing_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="Cấp ban hành")
    issuers = models.ManyToManyField(Organisation, blank=True, related_name="issued_plans",
                                     verbose_name="Cơ quan ban hành (kế hoạch liên tịch)")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="plans", verbose_name="Địa bàn thực hiện")
    from_year = models.PositiveSmallIntegerField("Từ năm")
    to_year = models.PositiveSmallIntegerField("Đến năm")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name="Thực hiện kế hoạch cấp trên")
    status = models.CharField("Trạng thái", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    note = models.TextField("Ghi chú", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "kế hoạch"
        verbose_name_plural = "kế hoạch"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="plan_status_valid"),
            models.CheckConstraint(condition=Q(to_year__gte=models.F("from_year")), name="plan_years_ordered"),
        ]
        indexes = [models.Index(fields=["unit", "from_year"], name="plan_unit_year_idx")]

    def __str__(self) -> str:
        return f"{self.number} – {self.title}"

    @property
    def years(self) -> list[int]:
        return list(range(self.from_year, self.to_year + 1))

    def snapshot(self) -> dict[str, Any]:
        return {"kind_id": self.kind_id, "number": self.number, "issued_on": self.issued_on.isoformat(),
                "title": self.title, "issuing_unit_id": self.issuing_unit_id, "unit_id": self.unit_id,
                "from_year": self.from_year, "to_year": self.to_year, "parent_id": self.parent_id,
                "status": self.status, "note": self.note}


class PlanEvent(WorkflowEvent):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="events", verbose_name="Kế hoạch")
    from_status = models.CharField("Từ trạng thái", max_length=12, choices=PlanStatus.choices, blank=True)
    to_status = models.CharField("Sang trạng thái", max_length=12, choices=PlanStatus.choices)
    source = models.CharField("Nguồn", max_length=10, choices=Channel.choices)

    class Meta(WorkflowEvent.Meta):
        verbose_name = "lịch sử kế hoạch"
        verbose_name_plural = "lịch sử kế hoạch"

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.from_status or '—'} → {self.to_status}"


OPEN = (PlanStatus.DRAFT, PlanStatus.IN_FORCE)
PLAN_TRANSITIONS = [
    Transition("update", OPEN, None, gettext_noop("sửa kế hoạch")),
    Transition("activate", (PlanStatus.DRAFT,), PlanStatus.IN_FORCE, gettext_noop("đưa kế hoạch vào thực hiện")),
    Transition("end", (PlanStatus.IN_FORCE,), PlanStatus.ENDED, gettext_noop("kết thúc kế hoạch")),
    Transition("replace", (PlanStatus.IN_FORCE,), PlanStatus.REPLACED, gettext_noop("đánh dấu kế hoạch bị thay thế"),
               requires_reason=True),
    Transition("objectives", OPEN, None, gettext_noop("sửa mục tiêu của kế hoạch")),
    Transition("import", OPEN, None, gettext_noop("cập nhật kế hoạch từ tệp")),
]

PLANS = Workflow("plan", Plan, PlanStatus, PlanEvent, event_parent="plan", transitions=PLAN_TRANSITIONS,
                 describe=lambda plan: gettext("kế hoạch %(number)s") % {"number": plan.number},
                 missing=gettext_noop("Không tìm thấy kế hoạch."),
                 locking=lambda: Plan.objects.select_for_update(of=("self",)).select_related("unit"))


class Comparator(models.TextChoices):
    GE = "ge", "≥"
    GT = "gt", ">"
    LE = "le", "≤"
    EQ = "eq", "="


class Scope(models.TextChoices):
    WHOLE = "whole", gettext_lazy("Toàn địa bàn của kế hoạch")
    EACH_COMMUNE = "each_commune", gettext_lazy("Từng xã, phường")
    EACH_ORGANISATION = "each_organisation", gettext_lazy("Từng cơ quan, doanh nghiệp, nhà trường")


class Objective(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives", verbose_name="Kế hoạch")
    number = models.PositiveSmallIntegerField("Số thứ tự")
    text = models.TextField("Nội dung mục tiêu")
    indicator = models.ForeignKey("datasets.Indicator", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="Chỉ số đo")
    figure = models.CharField("Số liệu có sẵn", max_length=120, blank=True)
    element = models.ForeignKey("datasets.DataElement", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="Chỉ tiêu số liệu (tổng)")
    comparator = models.CharField("So sánh", max_length=2, choices=Comparator.choices, default=Comparator.GE)
    target = models.DecimalField("Chỉ tiêu", max_digits=18, decimal_places=4, null=True, blank=True)
    from_year = models.PositiveSmallIntegerField("Áp dụng từ năm", null=True, blank=True)
    to_year = models.PositiveSmallIntegerField("Áp dụng đến năm", null=True, blank=True)
    scope = models.CharField("Nơi đo", max_length=20, choices=Scope.choices, default=Scope.WHOLE)
    manual_met = models.BooleanField("Đánh giá thủ công: đạt", null=True, blank=True)
    manual_note = models.TextField("Nhận xét, căn cứ đánh giá", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "mục tiêu"
        verbose_name_plural = "mục tiêu"
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_objective_number"),
            models.CheckConstraint(condition=Q(comparator__in=Comparator.values), name="plan_objective_comparator"),
            models.CheckConstraint(condition=Q(scope__in=Scope.values), name="plan_objective_scope"),
        ]

    def __str__(self) -> str:
        return gettext("Mục tiêu %(n)s") % {"n": self.number}

    @property
    def measured(self) -> bool:
        return bool(self.indicator_id or self.figure or self.element_id)

    def applies_to(self, year: int) -> bool:
        first = self.from_year or self.plan.from_year
        last = self.to_year or self.plan.to_year
        return first <= year <= last

    def snapshot(self) -> dict[str, Any]:
        return {"plan_id": self.plan_id, "number": self.number, "text": self.text, "indicator_id": self.indicator_id,
                "figure": self.figure, "element_id": self.element_id, "comparator": self.comparator,
                "target": str(self.target) if self.target is not None else None, "from_year": self.from_year,
                "to_year": self.to_year, "scope": self.scope, "manual_met": self.manual_met,
                "manual_note": self.manual_note}


class TaskKind(models.TextChoices):
    KEY = "key", gettext_lazy("Nhiệm vụ trọng tâm")
    YEARLY = "yearly", gettext_lazy("Nhiệm vụ hằng năm")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", gettext_lazy("Chưa thực hiện")
    IN_PROGRESS = "in_progress", gettext_lazy("Đang thực hiện")
    DONE = "done", gettext_lazy("Đã hoàn thành")


class TaskQuerySet(models.QuerySet["Task"]):
    def overdue(self, day: Any) -> Self:
        """Not done and past their due date (derived from the date, never stored)."""
        return self.exclude(status=TaskStatus.DONE).filter(due_on__lt=day)

    def for_reporter_unit(self, unit: Unit | int | None) -> Self:
        """The tasks assigned to an organisation whose reporting unit is ``unit``."""
        if unit is None:
            return self.none()
        return self.filter(assignments__organisation__unit_id=unit if isinstance(unit, int) else unit.pk).distinct()


class Task(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name="Kế hoạch")
    number = models.PositiveSmallIntegerField("Số thứ tự")
    kind = models.CharField("Loại nhiệm vụ", max_length=8, choices=TaskKind.choices, default=TaskKind.KEY)
    year = models.PositiveSmallIntegerField("Năm (nhiệm vụ hằng năm)", null=True, blank=True)
    text = models.TextField("Nội dung nhiệm vụ")
    due_on = models.DateField("Hạn hoàn thành", null=True, blank=True)
    status = models.CharField("Tình trạng", max_length=12, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    result_note = models.TextField("Kết quả thực hiện", blank=True)
    element = models.ForeignKey("datasets.DataElement", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="Gắn với chỉ tiêu số liệu")
    organisations = models.ManyToManyField(Organisation, through="Assignment", related_name="tasks",
                                           verbose_name="Cơ quan thực hiện")
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_task_number"),
            models.CheckConstraint(condition=Q(status__in=TaskStatus.values), name="plan_task_status"),
            models.CheckConstraint(condition=Q(kind__in=TaskKind.values), name="plan_task_kind"),
        ]
        indexes = [models.Index(fields=["due_on"], name="plan_task_due_idx")]

    def __str__(self) -> str:
        return gettext("Nhiệm vụ %(n)s") % {"n": self.number}

    def is_overdue(self, day: Any) -> bool:
        return self.status != TaskStatus.DONE and self.due_on is not None and self.due_on < day

    def snapshot(self) -> dict[str, Any]:
        return {"plan_id": self.plan_id, "number": self.number, "kind": self.kind, "year": self.year,
                "text": self.text, "due_on": self.due_on.isoformat() if self.due_on else None,
                "status": self.status, "result_note": self.result_note, "element_id": self.element_id}


class Assignment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments", verbose_name="Nhiệm vụ")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="assignments",
                                     verbose_name="Cơ quan, tổ chức")
    lead = models.BooleanField("Chủ trì", default=False)

    class Meta:
        verbose_name = "phân công"
        verbose_name_plural = "phân công"
        constraints = [
            models.UniqueConstraint(fields=["task", "organisation"], name="plan_assignment_unique"),
            models.UniqueConstraint(fields=["task"], condition=Q(lead=True), name="plan_assignment_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.organisation_id}"


class TaskEvent(WorkflowEvent):
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="events", verbose_name="Nhiệm vụ")
    from_status = models.CharField("Từ trạng thái", max_length=12, choices=TaskStatus.choices, blank=True)
    to_status = models.CharField("Sang trạng thái", max_length=12, choices=TaskStatus.choices)
    source = models.CharField("Nguồn", max_length=10, choices=Channel.choices)

    class Meta(WorkflowEvent.Meta):
        verbose_name = "lịch sử nhiệm vụ"
        verbose_name_plural = "lịch sử nhiệm vụ"

    def __str__(self) -> str:
        return f"{self.task_id}: {self.from_status or '—'} → {self.to_status}"


ALL_TASK = tuple(TaskStatus.values)
TASK_TRANSITIONS = [
    Transition("update", ALL_TASK, None, gettext_noop("sửa nhiệm vụ")),
    Transition("report", ALL_TASK, ALL_TASK, gettext_noop("báo cáo tình hình thực hiện nhiệm vụ")),
    Transition("import", ALL_TASK, None, gettext_noop("cập nhật nhiệm vụ từ tệp")),
]


def _task_unit(task: Task) -> Unit:
    return task.plan.unit


TASKS = Workflow("plan_task", Task, TaskStatus, TaskEvent, event_parent="task", transitions=TASK_TRANSITIONS,
                 describe=lambda task: gettext("nhiệm vụ %(n)s, kế hoạch %(plan)s") % {
                     "n": task.number, "plan": task.plan.number},
                 missing=gettext_noop("Không tìm thấy nhiệm vụ."), unit_of=_task_unit,
                 locking=lambda: Task.objects.select_for_update(of=("self",)).select_related("plan", "plan__unit"))


# --- steering committees (Ban Chỉ đạo) ---------------------------------------------------------------


class CommitteePosition(Catalogued):
    """A position on a steering committee (trưởng ban, phó trưởng ban thường trực, phó trưởng ban, thành viên):
    a catalogue seeded by a migration (``catalogue.COMMITTEE_POSITIONS``)."""

    class Meta:
        verbose_name = "chức danh trong Ban Chỉ đạo"
        verbose_name_plural = "chức danh trong Ban Chỉ đạo"
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["code"], name="plan_committee_position_code")]


class SteeringCommitteeQuerySet(models.QuerySet["SteeringCommittee"]):
    def in_subtree(self, root: Unit | int) -> Self:
        return self.filter(unit__ancestor_links__ancestor_id=root if isinstance(root, int) else root.pk)

    def search(self, text: str) -> Self:
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(unit__name__icontains=text) | Q(unit__code__iexact=text)
                           | Q(current__decision_number__icontains=text))


class SteeringCommittee(models.Model):
    """The steering committee of a unit (province or commune; one per unit). Its composition is a chain of
    versions (``CommitteeVersion``): the constituting decision, then each yearly re-constitution (kiện toàn) as a
    NEW version, never an edit of the old one; ``current`` points at the newest and ``version`` is its number
    (the version a re-constitution read, refused when stale)."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="steering_committee",
                                verbose_name="Đơn vị")
    name = models.CharField("Tên Ban Chỉ đạo", max_length=255)
    meetings_element = models.ForeignKey("datasets.DataElement", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name="Chỉ tiêu số cuộc họp")
    current = models.ForeignKey("CommitteeVersion", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="Thành phần hiện hành")
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SteeringCommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = "Ban Chỉ đạo"
        verbose_name_plural = "Ban Chỉ đạo"

    def __str__(self) -> str:
        return self.name


class CommitteeVersion(AppendOnly, models.Model):
    """One composition of a steering committee: the decision that constituted (number 1) or re-constituted it.
    Append-only: a re-constitution adds a version."""

    committee = models.ForeignKey(SteeringCommittee, on_delete=models.PROTECT, related_name="versions",
                                  verbose_name="Ban Chỉ đạo")
    number = models.PositiveIntegerField("Lần")
    decision_number = models.CharField("Số quyết định", max_length=60)
    decided_on = models.DateField("Ngày quyết định")
    issuer = models.CharField("Cơ quan ban hành quyết định", max_length=255)
    note = models.TextField("Ghi chú", blank=True)
    at = models.DateTimeField("Thời điểm ghi", auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name="Người ghi")

    class Meta:
        verbose_name = "thành phần Ban Chỉ đạo"
        verbose_name_plural = "thành phần Ban Chỉ đạo"
        ordering = ["committee_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["committee", "number"], name="plan_committee_version_number")]

    def __str__(self) -> str:
        return f"{self.decision_number} ({self.number})"

    @property
    def reconstitution(self) -> bool:
        return self.number > 1

    def snapshot(self) -> dict[str, Any]:
        return {"committee_id": self.committee_id, "number": self.number, "decision_number": self.decision_number,
                "decided_on": self.decided_on.isoformat(), "issuer": self.issuer, "note": self.note}


class CommitteeMember(AppendOnly, models.Model):
    """A member of one composition: a participating organisation and the position it holds, by title (and
    optionally the official's name as on the decision; no other personal data)."""

    version = models.ForeignKey(CommitteeVersion, on_delete=models.PROTECT, related_name="members",
                                verbose_name="Thành phần")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="committee_seats",
                                     verbose_name="Cơ quan, tổ chức")
    position = models.ForeignKey(CommitteePosition, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="Chức danh trong Ban Chỉ đạo")
    title = models.CharField("Chức vụ (theo quyết định)", max_length=255)
    official_name = models.CharField("Họ tên (theo quyết định, nếu ghi)", max_length=120, blank=True)
    order = models.PositiveSmallIntegerField("Thứ tự", default=0)

    class Meta:
        verbose_name = "thành viên Ban Chỉ đạo"
        verbose_name_plural = "thành viên Ban Chỉ đạo"
        ordering = ["version_id", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.organisation_id})"

    def snapshot(self) -> dict[str, Any]:
        return {"organisation_id": self.organisation_id, "position_id": self.position_id, "title": self.title,
                "official_name": self.official_name}
