"""The models registry (Hướng dẫn 22/HD-BCA-V05): self-management models, their sites and evaluations.

- ``Field`` (lĩnh vực) and ``Initiator`` (cấp/cơ quan phát động): catalogues, national
  (``province`` empty) or added by a province.
- ``Model`` (mô hình): proposed -> approved -> operating -> retired (thanh loại), moved only by
  the named actions in ``phongtrao.models_registry.actions``; a leading example (điển hình
  tiên tiến) is a designation with its decision.
- ``Site`` (điểm): each unit the model runs in, with its teams (tổ, nhóm).
- ``Evaluation``: of the whole model or of one site; an ineffective result proposes retirement.
- ``ModelEvent``: the append-only history of a model.

Only units and aggregate counts live here (DOMAIN.md §2): no person is recorded.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING, Any, Self, TypedDict, cast

from django.conf import settings
from django.db import models
from django.db.models import Exists, Max, OuterRef, Q
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from phongtrao.audit.models import Channel
from phongtrao.lib.periods import year_end, year_start
from phongtrao.lib.vntext import fold, sort_key
from phongtrao.lib.workflow import Transition, Workflow, WorkflowEvent
from phongtrao.units.models import Unit

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from phongtrao.accounts.access import AnyUser


def evaluation_months() -> int:
    """How often an operating model must be evaluated (setting ``MODEL_EVALUATION_MONTHS``, default 12)."""
    # cast: mypy infers settings.PHONGTRAO as dict[str, object]; this entry is a number.
    return int(cast(int | str, settings.PHONGTRAO.get("MODEL_EVALUATION_MONTHS", 12)))


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (the last day of the month when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# --- catalogues -----------------------------------------------------------------------------------


class CatalogueQuerySet(models.QuerySet[Any]):
    def for_province(self, province: Unit | int | None) -> Self:
        """The national entries and those the province added."""
        if province is None:
            return self.filter(province__isnull=True)
        return self.filter(Q(province__isnull=True) | Q(province=province))

    def in_catalogue_order(self) -> Self:
        """By position, then Vietnamese name, then code (not ``ordered``: that is QuerySet's own property)."""
        return self.order_by("position", "sort_key", "code")


class CatalogueEntry(models.Model):
    code = models.SlugField("Mã", max_length=60)
    name = models.CharField("Tên", max_length=255)
    # Empty: a national entry; otherwise the province that added it (and may rename it).
    province = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="Tỉnh")
    position = models.PositiveSmallIntegerField("Thứ tự", default=100)
    search_name = models.CharField(max_length=255, editable=False, default="")
    sort_key = models.CharField(max_length=600, editable=False, default="")

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def refresh_derived(self) -> None:
        self.search_name = fold(self.name)[:255]
        self.sort_key = sort_key(self.name)[:600]


def _catalogue_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.UniqueConstraint(fields=["code"], condition=Q(province__isnull=True), name=f"{prefix}_national_code"),
        models.UniqueConstraint(fields=["province", "code"], condition=Q(province__isnull=False),
                                name=f"{prefix}_province_code"),
    ]


class Field(CatalogueEntry):
    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        constraints = _catalogue_constraints("field")


class Initiator(CatalogueEntry):
    class Meta:
        verbose_name = "cấp/cơ quan phát động"
        verbose_name_plural = "cấp/cơ quan phát động"
        constraints = _catalogue_constraints("initiator")


# --- models ---------------------------------------------------------------------------------------


class Status(models.TextChoices):
    PROPOSED = "proposed", gettext_lazy("Đề xuất")
    APPROVED = "approved", gettext_lazy("Đã phê duyệt")
    OPERATING = "operating", gettext_lazy("Đang hoạt động")
    RETIRED = "retired", gettext_lazy("Thanh loại")


# A model's life cycle (``phongtrao.lib.workflow``): each move, the statuses it may start from, where it
# leads (None: the status stays, or an import sets the one its file gives). Every move bumps the version.
EVERY_STATUS = tuple(Status.values)
TRANSITIONS = [
    Transition("approve", (Status.PROPOSED,), Status.APPROVED, gettext_noop("phê duyệt")),
    Transition("operate", (Status.APPROVED,), Status.OPERATING, gettext_noop("đưa vào hoạt động")),
    Transition("retire", (Status.PROPOSED, Status.APPROVED, Status.OPERATING), Status.RETIRED,
               gettext_noop("thanh loại"), requires_reason=True),
    Transition("update", EVERY_STATUS, None, gettext_noop("sửa mô hình")),
    Transition("designate_leading", (Status.OPERATING,), None, gettext_noop("công nhận điển hình tiên tiến")),
    Transition("revoke_leading", EVERY_STATUS, None, gettext_noop("thu hồi công nhận điển hình tiên tiến")),
    Transition("import", EVERY_STATUS, None, gettext_noop("nhập danh sách mô hình")),
]


class Result(models.TextChoices):
    EFFECTIVE = "effective", gettext_lazy("Hiệu quả")
    NEEDS_IMPROVEMENT = "needs_improvement", gettext_lazy("Cần củng cố")
    INEFFECTIVE = "ineffective", gettext_lazy("Không hiệu quả")


class LastEvaluation(TypedDict):
    """The annotation of ``ModelQuerySet.with_last_evaluation``."""

    last_evaluated_on: dt.date | None  # None: never evaluated


class ModelQuerySet(models.QuerySet["Model"]):
    def visible_to(self, user: AnyUser) -> Self:
        """Models whose owning unit, or one of whose sites, the user may see."""
        from phongtrao.accounts.access import is_admin, visible_units

        if is_admin(user):
            return self
        units = visible_units(user).values("pk")
        return self.filter(Q(unit__in=units) | Q(pk__in=Site.objects.filter(unit__in=units).values("model_id")))

    def touching(self, root: Unit | int) -> Self:
        """Models owned inside ``root``'s subtree or with a site there."""
        in_subtree = Unit.objects.in_subtree(root).values("pk")
        return self.filter(Q(unit__in=in_subtree) | Q(pk__in=Site.objects.filter(unit__in=in_subtree)
                                                       .values("model_id")))

    def search(self, text: str) -> Self:
        folded = fold(text)
        if not folded:
            return self
        return self.filter(Q(search_name__contains=folded) | Q(code__iexact=text.strip()))

    def with_last_evaluation(self) -> ModelQuerySet[WithAnnotations[Model, LastEvaluation]]:
        return self.annotate(last_evaluated_on=Max("evaluations__evaluated_on"))

    def overdue(self, today: dt.date, months: int | None = None) -> ModelQuerySet[
            WithAnnotations[Model, LastEvaluation]]:
        """Operating models whose last evaluation is older than the interval, or that were never
        evaluated and started longer ago than it (one query: a MAX over the evaluations)."""
        cutoff = months_before(today, evaluation_months() if months is None else months)
        return self.filter(status=Status.OPERATING).with_last_evaluation().filter(
            Q(last_evaluated_on__lt=cutoff)
            | Q(last_evaluated_on__isnull=True) & (Q(started_on__lt=cutoff) | Q(started_on__isnull=True)))

    def vi_ordered(self) -> Self:
        return self.order_by("sort_key", "code")


class Model(models.Model):
    code = models.CharField("Mã", max_length=40, unique=True)
    name = models.CharField("Tên mô hình", max_length=255)
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="models", verbose_name="Lĩnh vực")
    initiator = models.ForeignKey(Initiator, on_delete=models.PROTECT, related_name="models",
                                  verbose_name="Cấp/cơ quan phát động")
    # The unit that runs the register entry (a province or commune); empty for an import without one
    # until its sites are known (then the province of its sites).
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_models",
                             verbose_name="Đơn vị quản lý")
    description = models.TextField("Mô tả", blank=True)
    started_on = models.DateField("Ngày xây dựng", null=True, blank=True)
    status = models.CharField("Trạng thái", max_length=12, choices=Status.choices, default=Status.PROPOSED)
    retired_on = models.DateField("Ngày thanh loại", null=True, blank=True)
    retired_reason = models.TextField("Lý do thanh loại", blank=True)
    # Leading example (điển hình tiên tiến): the decision that recognised it.
    is_leading = models.BooleanField("Điển hình tiên tiến", default=False)
    leading_decision_no = models.CharField("Số quyết định điển hình", max_length=60, blank=True)
    leading_decision_date = models.DateField("Ngày quyết định điển hình", null=True, blank=True)
    leading_issuer = models.CharField("Cơ quan công nhận điển hình", max_length=255, blank=True)
    search_name = models.CharField(max_length=255, editable=False, default="")
    sort_key = models.CharField(max_length=600, editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ModelQuerySet.as_manager()

    class Meta:
        verbose_name = "mô hình"
        verbose_name_plural = "mô hình"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="model_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "started_on"], name="model_status_idx"),
                   models.Index(fields=["sort_key"], name="model_sort_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def refresh_derived(self) -> None:
        self.search_name = fold(self.name)[:255]
        self.sort_key = sort_key(self.name)[:600]

    def snapshot(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in ("code", "name", "field_id", "initiator_id", "unit_id", "description", "started_on", "status",
                     "retired_on", "retired_reason", "is_leading", "leading_decision_no", "leading_decision_date",
                     "leading_issuer"):
            value = getattr(self, name)
            data[name] = value.isoformat() if isinstance(value, dt.date) else value
        return data


class SiteStatus(models.TextChoices):
    ACTIVE = "active", gettext_lazy("Đang hoạt động")
    RETIRED = "retired", gettext_lazy("Thanh loại")


class SiteQuerySet(models.QuerySet["Site"]):
    def active_in(self, year: int, prefix: str = "") -> Self:
        return self.filter(site_active_in(year, prefix))

    def active(self) -> Self:
        return self.filter(status=SiteStatus.ACTIVE)


def site_active_in(year: int, prefix: str = "") -> Q:
    """A site is active in ``year`` if it started on or before 31 December and was not retired before
    1 January (INTERCHANGE.md). A site marked retired without a date is never counted: when it
    stopped is unknown, so no year can claim it (the importer warns about such rows)."""
    p = prefix
    return Q(**{f"{p}started_on__lte": year_end(year)}) & (
        Q(**{f"{p}status": SiteStatus.ACTIVE, f"{p}retired_on__isnull": True})
        | Q(**{f"{p}retired_on__gte": year_start(year)}))


def model_active_in(year: int, prefix: str = "model__") -> Q:
    """A model may count in ``year`` unless it starts after it or was retired before it (or retired
    without a date)."""
    p = prefix
    return (Q(**{f"{p}started_on__isnull": True}) | Q(**{f"{p}started_on__lte": year_end(year)})) & (
        Q(**{f"{p}retired_on__gte": year_start(year)})
        | Q(**{f"{p}retired_on__isnull": True}) & ~Q(**{f"{p}status": Status.RETIRED}))


class Site(models.Model):
    model = models.ForeignKey(Model, on_delete=models.PROTECT, related_name="sites", verbose_name="Mô hình")
    # Units are never deleted by the application (they are closed); CASCADE only lets throwaway
    # synthetic data (``phongtrao generate``) be wiped.
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="model_sites", verbose_name="Đơn vị")
    started_on = models.DateField("Ngày triển khai")
    teams = models.PositiveIntegerField("Số tổ/nhóm", default=1)
    status = models.CharField("Trạng thái", max_length=10, choices=SiteStatus.choices, default=SiteStatus.ACTIVE)
    retired_on = models.DateField("Ngày thanh loại", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = "điểm mô hình"
        verbose_name_plural = "điểm mô hình"
        constraints = [
            # A site is the model at a unit from a date: the same unit may host the model again later
            # (interchange files do list a unit twice with different dates).
            models.UniqueConstraint(fields=["model", "unit", "started_on"], name="site_model_unit_start"),
            models.CheckConstraint(condition=Q(status__in=SiteStatus.values), name="site_status_valid"),
            models.CheckConstraint(condition=Q(retired_on__isnull=True) | Q(retired_on__gte=models.F("started_on")),
                                   name="site_retired_after_start"),
        ]
        indexes = [models.Index(fields=["unit", "model"], name="site_unit_model_idx"),
                   models.Index(fields=["model", "status"], name="site_model_status_idx")]

    def __str__(self) -> str:
        return f"{self.model.code} @ {self.unit}"

    def snapshot(self) -> dict[str, Any]:
        return {"model_id": self.model_id, "unit_id": self.unit_id, "started_on": self.started_on.isoformat(),
                "teams": self.teams, "status": self.status,
                "retired_on": self.retired_on.isoformat() if self.retired_on else None}


class EvaluationQuerySet(models.QuerySet["Evaluation"]):
    def latest_first(self) -> Self:
        return self.order_by("-evaluated_on", "-pk")


class Evaluation(models.Model):
    model = models.ForeignKey(Model, on_delete=models.PROTECT, related_name="evaluations", verbose_name="Mô hình")
    # Empty: the model as a whole; otherwise one of its sites.
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="evaluations",
                             verbose_name="Điểm")
    evaluated_on = models.DateField("Ngày đánh giá")
    evaluator = models.CharField("Cơ quan đánh giá", max_length=255)
    result = models.CharField("Kết quả", max_length=20, choices=Result.choices)
    notes = models.TextField("Nhận xét", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = "đánh giá mô hình"
        verbose_name_plural = "đánh giá mô hình"
        constraints = [models.CheckConstraint(condition=Q(result__in=Result.values), name="evaluation_result_valid")]
        indexes = [models.Index(fields=["model", "evaluated_on"], name="evaluation_model_date_idx")]

    def __str__(self) -> str:
        return f"{self.model.code} {self.evaluated_on:%d/%m/%Y}: {self.get_result_display()}"

    @property
    def proposes_retirement(self) -> bool:
        return self.result == Result.INEFFECTIVE

    def snapshot(self) -> dict[str, Any]:
        return {"model_id": self.model_id, "site_id": self.site_id, "evaluated_on": self.evaluated_on.isoformat(),
                "evaluator": self.evaluator, "result": self.result, "notes": self.notes}


def has_effective_site(unit_field: str = "pk", *, until: dt.date | None = None) -> Exists:
    """Whether the unit (``OuterRef(unit_field)``, through the closure table) holds an active site rated
    effective by its latest evaluation (up to ``until``): the newest of the site's own evaluations and
    its model's whole-model ones."""
    evaluations = Evaluation.objects.filter(Q(site=OuterRef("pk")) | Q(model=OuterRef("model_id"), site__isnull=True))
    if until is not None:
        evaluations = evaluations.filter(evaluated_on__lte=until)
    latest = evaluations.latest_first().values("result")[:1]
    sites = Site.objects.active_in(until.year) if until is not None else Site.objects.active()
    rated = sites.annotate(latest=models.Subquery(latest)).filter(latest=Result.EFFECTIVE)
    return Exists(rated.filter(unit__ancestor_links__ancestor_id=OuterRef(unit_field)))


class ModelEvent(WorkflowEvent):
    """One change of a model (append-only): status moves, edits, replication, evaluations, imports."""

    model = models.ForeignKey(Model, on_delete=models.PROTECT, related_name="events", verbose_name="Mô hình")
    from_status = models.CharField("Từ trạng thái", max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField("Sang trạng thái", max_length=12, choices=Status.choices)
    source = models.CharField("Nguồn", max_length=10, choices=Channel.choices)

    class Meta(WorkflowEvent.Meta):
        verbose_name = "lịch sử mô hình"
        verbose_name_plural = "lịch sử mô hình"

    def __str__(self) -> str:
        return f"{self.model}: {self.action}"


def _describe(model: Model) -> str:
    return gettext("mô hình %(code)s") % {"code": model.code}


def _stale(model: Model) -> str:
    return gettext("Mô hình này vừa được người khác sửa sau khi bạn mở biểu mẫu. "
                   "Hãy tải lại trang để xem thay đổi mới nhất rồi làm lại.")


MODELS = Workflow(
    "model", Model, Status, ModelEvent, event_parent="model", transitions=TRANSITIONS, describe=_describe,
    stale=_stale, missing=gettext_noop("Không tìm thấy mô hình."),
    locking=lambda: Model.objects.select_for_update(of=("self",)).select_related("unit"),
    prepare=Model.refresh_derived, derived=("search_name", "sort_key"),
)

