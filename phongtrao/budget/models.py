"""The movement's money under Thông tư 40/2023/TT-BTC and the crime-prevention fund, as unit-level totals in integer
VND (DOMAIN.md §8):

- ``Category`` / ``Source``: the catalogue of spending categories (the circular's article 3) and of sources (the state
  budget per level, other programmes, voluntary contributions), seeded by migration 0002 with their basis.
- ``Cap``: a spending cap as data (amount, what it is measured per, the level it applies to, legal basis, effective
  dates, what is uncertain): 20 million VND per model per commune per year for building and running a model,
  12,000 VND per km of canvassing fuel, the visit caps per level.
- ``BudgetLine``: a unit's yearly estimate (dự toán) and allocation for one category and source.
- ``Spending``: one spending entry (date, category, source, amount, what for, the model it supports, the km or visits
  it pays for); an entry over a cap carries the cap, its limit and the override reason it was saved with.
- ``FundEntry``: the province's Quỹ phòng, chống tội phạm, income by source and spending by purpose as totals per
  quarter; a spending that takes the balance below zero carries the reason it was saved with.
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy

from phongtrao.models_registry.models import Model as MovementModel
from phongtrao.units.models import Unit


class Category(models.Model):
    code = models.SlugField("Mã", max_length=40, unique=True)
    name = models.CharField("Nội dung chi", max_length=255)
    clause = models.CharField("Điều, khoản", max_length=60, blank=True)
    legal_basis = models.TextField("Căn cứ pháp lý")
    sort = models.PositiveSmallIntegerField("Thứ tự", default=0)

    class Meta:
        verbose_name = "nội dung chi"
        verbose_name_plural = "nội dung chi"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return gettext(self.name)


class SourceLevel(models.TextChoices):
    CENTRAL = "central", gettext_lazy("Ngân sách trung ương")
    PROVINCE = "province", gettext_lazy("Ngân sách cấp tỉnh")
    COMMUNE = "commune", gettext_lazy("Ngân sách cấp xã")
    OTHER = "other", gettext_lazy("Ngoài ngân sách nhà nước")


class Source(models.Model):
    code = models.SlugField("Mã", max_length=40, unique=True)
    name = models.CharField("Nguồn kinh phí", max_length=255)
    level = models.CharField("Cấp", max_length=10, choices=SourceLevel.choices)
    legal_basis = models.TextField("Căn cứ pháp lý")
    sort = models.PositiveSmallIntegerField("Thứ tự", default=0)

    class Meta:
        verbose_name = "nguồn kinh phí"
        verbose_name_plural = "nguồn kinh phí"
        ordering = ["sort", "code"]
        constraints = [models.CheckConstraint(condition=Q(level__in=SourceLevel.values), name="budget_source_level")]

    def __str__(self) -> str:
        return gettext(self.name)


class Measure(models.TextChoices):
    PER_MODEL_YEAR = "per_model_year", gettext_lazy("Mỗi mô hình mỗi năm")
    PER_KM = "per_km", gettext_lazy("Mỗi km")
    PER_VISIT_MODEL = "per_visit_model", gettext_lazy("Mỗi lượt thăm mô hình")
    PER_VISIT_PERSON = "per_visit_person", gettext_lazy("Mỗi lượt thăm cá nhân")


class CapQuerySet(models.QuerySet["Cap"]):
    def in_force(self, day: Any) -> Self:
        return self.filter(Q(effective_from__lte=day), Q(effective_to__isnull=True) | Q(effective_to__gte=day))


class Cap(models.Model):
    """At most ``amount`` VND per ``measure`` for spending of ``category`` by a unit of kind ``level`` (empty: any
    level); ``max_count`` visits of one model a year where the circular counts them."""

    code = models.SlugField("Mã", max_length=60, unique=True)
    name = models.CharField("Tên mức chi", max_length=255)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="caps", verbose_name="Nội dung chi")
    measure = models.CharField("Tính theo", max_length=20, choices=Measure.choices)
    level = models.CharField("Cấp áp dụng", max_length=20, blank=True)
    amount = models.BigIntegerField("Mức tối đa (đồng)")
    max_count = models.PositiveSmallIntegerField("Số lượt tối đa mỗi năm", null=True, blank=True)
    legal_basis = models.TextField("Căn cứ pháp lý")
    effective_from = models.DateField("Hiệu lực từ")
    effective_to = models.DateField("Hiệu lực đến", null=True, blank=True)
    uncertain = models.TextField("Điểm chưa chắc chắn", blank=True)

    objects = CapQuerySet.as_manager()

    class Meta:
        verbose_name = "mức chi tối đa"
        verbose_name_plural = "mức chi tối đa"
        ordering = ["category__sort", "measure", "level", "code"]
        constraints = [models.CheckConstraint(condition=Q(measure__in=Measure.values), name="budget_cap_measure"),
                       models.CheckConstraint(condition=Q(amount__gte=0), name="budget_cap_amount")]

    def __str__(self) -> str:
        return gettext(self.name)


class UnitYearQuerySet(models.QuerySet[Any]):
    def in_subtree(self, root: Unit | int) -> Self:
        return self.filter(unit__ancestor_links__ancestor_id=root if isinstance(root, int) else root.pk)


class BudgetLine(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="budget_lines", verbose_name="Đơn vị")
    year = models.PositiveSmallIntegerField("Năm")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="lines", verbose_name="Nội dung chi")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="lines", verbose_name="Nguồn")
    estimate = models.BigIntegerField("Dự toán (đồng)", default=0)
    allocated = models.BigIntegerField("Được giao (đồng)", default=0)
    note = models.CharField("Ghi chú", max_length=255, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="Người lưu")
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitYearQuerySet.as_manager()

    class Meta:
        verbose_name = "dự toán kinh phí"
        verbose_name_plural = "dự toán kinh phí"
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "category", "source"], name="budget_line_unique"),
            models.CheckConstraint(condition=Q(estimate__gte=0, allocated__gte=0), name="budget_line_amounts"),
        ]
        indexes = [models.Index(fields=["year", "unit"], name="budget_line_year_idx")]

    def __str__(self) -> str:
        return gettext("Dự toán năm %(year)s của %(unit)s: %(category)s") % {
            "year": self.year, "unit": self.unit.name, "category": self.category}

    def snapshot(self) -> dict[str, Any]:
        return {"unit_id": self.unit_id, "year": self.year, "category": self.category.code,
                "source": self.source.code, "estimate": self.estimate, "allocated": self.allocated, "note": self.note}


class Spending(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="spendings", verbose_name="Đơn vị")
    year = models.PositiveSmallIntegerField("Năm", editable=False)
    spent_on = models.DateField("Ngày chi")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="spendings",
                                 verbose_name="Nội dung chi")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="spendings", verbose_name="Nguồn")
    amount = models.BigIntegerField("Số tiền (đồng)")
    purpose = models.CharField("Chi cho việc gì", max_length=500)
    model = models.ForeignKey(MovementModel, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="spendings", verbose_name="Mô hình được hỗ trợ")
    km = models.PositiveIntegerField("Số km", null=True, blank=True)
    visits = models.PositiveSmallIntegerField("Số lượt thăm", null=True, blank=True)
    over_cap = models.BooleanField("Vượt mức chi", default=False, editable=False)
    cap = models.ForeignKey(Cap, null=True, blank=True, on_delete=models.PROTECT, related_name="spendings",
                            verbose_name="Mức chi bị vượt", editable=False)
    cap_limit = models.BigIntegerField("Mức tối đa áp dụng (đồng)", null=True, blank=True, editable=False)
    cap_counted = models.BigIntegerField("Số đã tính vào mức (đồng)", null=True, blank=True, editable=False)
    override_reason = models.TextField("Lý do chi vượt mức", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="Người lưu")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitYearQuerySet.as_manager()

    class Meta:
        verbose_name = "khoản chi"
        verbose_name_plural = "khoản chi"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_spending_amount"),
            models.CheckConstraint(condition=Q(over_cap=False) | ~Q(override_reason=""),
                                   name="budget_spending_override_reason"),
        ]
        indexes = [models.Index(fields=["year", "unit"], name="budget_spending_year_idx"),
                   models.Index(fields=["model", "year"], name="budget_spending_model_idx")]

    def __str__(self) -> str:
        return gettext("Khoản chi ngày %(day)s của %(unit)s") % {"day": self.spent_on.strftime("%d/%m/%Y"),
                                                                 "unit": self.unit.name}

    def snapshot(self) -> dict[str, Any]:
        return {"unit_id": self.unit_id, "year": self.year, "spent_on": self.spent_on.isoformat(),
                "category": self.category.code, "source": self.source.code, "amount": self.amount,
                "purpose": self.purpose, "model_id": self.model_id, "km": self.km, "visits": self.visits,
                "over_cap": self.over_cap, "cap": self.cap.code if self.cap else None, "cap_limit": self.cap_limit,
                "override_reason": self.override_reason}


class Flow(models.TextChoices):
    INCOME = "income", gettext_lazy("Thu")
    SPENDING = "spending", gettext_lazy("Chi")


class FundPurpose(models.TextChoices):
    AUCTION = "auction", gettext_lazy("Thu từ bán đấu giá tài sản tịch thu")
    DONATION = "donation", gettext_lazy("Tài trợ, ủng hộ của tổ chức, cá nhân")
    OTHER_INCOME = "other_income", gettext_lazy("Nguồn thu hợp pháp khác")
    REWARD_COLLECTIVE = "reward_collective", gettext_lazy("Khen thưởng tập thể")
    REWARD_INDIVIDUAL = "reward_individual", gettext_lazy("Khen thưởng cá nhân")
    SUPPORT = "support", gettext_lazy("Hỗ trợ, động viên")
    OTHER_SPENDING = "other_spending", gettext_lazy("Chi khác")


INCOME_PURPOSES = (FundPurpose.AUCTION, FundPurpose.DONATION, FundPurpose.OTHER_INCOME)
SPENDING_PURPOSES = (FundPurpose.REWARD_COLLECTIVE, FundPurpose.REWARD_INDIVIDUAL, FundPurpose.SUPPORT,
                     FundPurpose.OTHER_SPENDING)


class FundQuerySet(models.QuerySet["FundEntry"]):
    def in_subtree(self, root: Unit | int) -> Self:
        return self.filter(province__ancestor_links__ancestor_id=root if isinstance(root, int) else root.pk)


class FundEntry(models.Model):
    """The province fund's income of one source, or spending of one purpose, in one quarter (a total)."""

    province = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="fund_entries",
                                 verbose_name="Tỉnh/Thành phố")
    year = models.PositiveSmallIntegerField("Năm")
    quarter = models.PositiveSmallIntegerField("Quý")
    flow = models.CharField("Thu/chi", max_length=10, choices=Flow.choices)
    purpose = models.CharField("Nguồn thu/mục chi", max_length=20, choices=FundPurpose.choices)
    amount = models.BigIntegerField("Số tiền (đồng)")
    note = models.CharField("Ghi chú", max_length=255, blank=True)
    negative_reason = models.TextField("Lý do chi quá số dư", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="Người lưu")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FundQuerySet.as_manager()

    class Meta:
        verbose_name = "thu, chi Quỹ phòng, chống tội phạm"
        verbose_name_plural = "thu, chi Quỹ phòng, chống tội phạm"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_fund_amount"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="budget_fund_quarter"),
            models.CheckConstraint(condition=Q(flow__in=Flow.values), name="budget_fund_flow"),
            models.CheckConstraint(
                condition=(Q(flow=Flow.INCOME, purpose__in=[p.value for p in INCOME_PURPOSES])
                           | Q(flow=Flow.SPENDING, purpose__in=[p.value for p in SPENDING_PURPOSES])),
                name="budget_fund_purpose"),
        ]
        indexes = [models.Index(fields=["province", "year"], name="budget_fund_year_idx")]

    def __str__(self) -> str:
        return gettext("Quỹ phòng, chống tội phạm %(province)s quý %(quarter)s/%(year)s") % {
            "province": self.province.name, "quarter": self.quarter, "year": self.year}

    @property
    def signed(self) -> int:
        return self.amount if self.flow == Flow.INCOME else -self.amount

    def snapshot(self) -> dict[str, Any]:
        return {"province_id": self.province_id, "year": self.year, "quarter": self.quarter, "flow": self.flow,
                "purpose": self.purpose, "amount": self.amount, "note": self.note,
                "negative_reason": self.negative_reason}
