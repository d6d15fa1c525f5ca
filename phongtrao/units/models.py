"""The unit register: every kind of unit, valid over a date interval, with its ancestors and successors.

A code names a unit only together with a date (the 2025 reform reused codes), so
every lookup by code takes a date. Subtrees are read through ``UnitAncestor``, a
closure table (one row per unit and each of its ancestors, itself included), so
"everything under province P" is one indexed join on every database.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from phongtrao.lib.vntext import fold, sort_key

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


class Kind(models.TextChoices):
    COUNTRY = "country", gettext_lazy("Toàn quốc")
    PROVINCE = "province", gettext_lazy("Tỉnh/Thành phố")
    DISTRICT = "district", gettext_lazy("Huyện/Quận/Thị xã/Thành phố thuộc tỉnh")
    COMMUNE = "commune", gettext_lazy("Xã/Phường/Thị trấn/Đặc khu")
    RESIDENTIAL_AREA = "residential_area", gettext_lazy("Khu dân cư")
    AGENCY = "agency", gettext_lazy("Cơ quan")
    ENTERPRISE = "enterprise", gettext_lazy("Doanh nghiệp")
    SCHOOL = "school", gettext_lazy("Cơ sở giáo dục")


ADMIN_KINDS = (Kind.COUNTRY, Kind.PROVINCE, Kind.DISTRICT, Kind.COMMUNE)
ORGANISATION_KINDS = (Kind.AGENCY, Kind.ENTERPRISE, Kind.SCHOOL)
# Kinds the ANTT standard (TT 124/2021/TT-BCA) applies to.
STANDARD_KINDS = (Kind.RESIDENTIAL_AREA, Kind.COMMUNE, *ORGANISATION_KINDS)
# Which kinds may lie directly in which.
ALLOWED_PARENT_KINDS: dict[str, tuple[str, ...]] = {
    Kind.COUNTRY: (),
    Kind.PROVINCE: (Kind.COUNTRY,),
    Kind.DISTRICT: (Kind.PROVINCE,),
    Kind.COMMUNE: (Kind.PROVINCE, Kind.DISTRICT),
    Kind.RESIDENTIAL_AREA: (Kind.COMMUNE,),
    Kind.AGENCY: (Kind.COMMUNE, Kind.DISTRICT, Kind.PROVINCE),
    Kind.ENTERPRISE: (Kind.COMMUNE, Kind.DISTRICT, Kind.PROVINCE),
    Kind.SCHOOL: (Kind.COMMUNE, Kind.DISTRICT, Kind.PROVINCE),
}


# A unit code: letters without diacritics, digits, "-", "_" and "." (starting with a letter or digit),
# at most 40 characters: safe in every URL, file name and spreadsheet cell (docs/howto/add-import-kind.md).
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
# The households column's range on every database (a 32-bit integer).
MAX_HOUSEHOLDS = 2_147_483_647


class ManagingLevel(models.TextChoices):
    COMMUNE = "commune", gettext_lazy("Cấp xã")
    DISTRICT = "district", gettext_lazy("Cấp huyện (trước 01/7/2025)")
    PROVINCE = "province", gettext_lazy("Cấp tỉnh")


class EnterpriseSize(models.TextChoices):
    MICRO = "micro", gettext_lazy("Siêu nhỏ")
    SMALL = "small", gettext_lazy("Nhỏ")
    MEDIUM = "medium", gettext_lazy("Vừa")
    LARGE = "large", gettext_lazy("Lớn")


class SchoolLevel(models.TextChoices):
    MAM_NON = "mam_non", gettext_lazy("Mầm non")
    NHA_TRE = "nha_tre", gettext_lazy("Nhà trẻ")
    TIEU_HOC = "tieu_hoc", gettext_lazy("Tiểu học")
    THCS = "thcs", gettext_lazy("Trung học cơ sở")
    THPT = "thpt", gettext_lazy("Trung học phổ thông")
    LIEN_CAP = "lien_cap", gettext_lazy("Liên cấp")
    GDNN_GDTX = "gdnn_gdtx", gettext_lazy("Giáo dục nghề nghiệp - GDTX")
    CAO_DANG = "cao_dang", gettext_lazy("Cao đẳng")
    DAI_HOC = "dai_hoc", gettext_lazy("Đại học")


# The subtypes (loại hình) a unit of each kind may have, stored in ``Unit.subtype``: the official
# ones of the register package (``official.SUBTYPES``) and the usual names of residential areas
# and organisations. The unit form offers only those of the chosen kind.
SUBTYPES: dict[str, tuple[tuple[str, Any], ...]] = {
    Kind.COUNTRY: (),
    Kind.PROVINCE: (("tinh", gettext_lazy("Tỉnh")), ("thanh_pho_tw", gettext_lazy("Thành phố trực thuộc trung ương"))),
    Kind.DISTRICT: (("huyen", gettext_lazy("Huyện")), ("quan", gettext_lazy("Quận")),
                    ("thi_xa", gettext_lazy("Thị xã")), ("thanh_pho", gettext_lazy("Thành phố thuộc tỉnh"))),
    Kind.COMMUNE: (("xa", gettext_lazy("Xã")), ("phuong", gettext_lazy("Phường")),
                   ("thi_tran", gettext_lazy("Thị trấn")), ("dac_khu", gettext_lazy("Đặc khu"))),
    Kind.RESIDENTIAL_AREA: (("thon", gettext_lazy("Thôn")), ("xom", gettext_lazy("Xóm")), ("ap", gettext_lazy("Ấp")),
                            ("ban", gettext_lazy("Bản")), ("buon", gettext_lazy("Buôn")),
                            ("lang", gettext_lazy("Làng")), ("phum", gettext_lazy("Phum")),
                            ("soc", gettext_lazy("Sóc")), ("to_dan_pho", gettext_lazy("Tổ dân phố")),
                            ("khu_pho", gettext_lazy("Khu phố")), ("khom", gettext_lazy("Khóm"))),
    Kind.AGENCY: (("co_quan_dang", gettext_lazy("Cơ quan Đảng")),
                  ("co_quan_nha_nuoc", gettext_lazy("Cơ quan nhà nước")),
                  ("mat_tran_doan_the", gettext_lazy("Mặt trận Tổ quốc, đoàn thể")),
                  ("don_vi_su_nghiep", gettext_lazy("Đơn vị sự nghiệp công lập"))),
    Kind.ENTERPRISE: (("doanh_nghiep_tu_nhan", gettext_lazy("Doanh nghiệp tư nhân")),
                      ("cong_ty_tnhh", gettext_lazy("Công ty trách nhiệm hữu hạn")),
                      ("cong_ty_co_phan", gettext_lazy("Công ty cổ phần")),
                      ("cong_ty_hop_danh", gettext_lazy("Công ty hợp danh")),
                      ("doanh_nghiep_nha_nuoc", gettext_lazy("Doanh nghiệp nhà nước")),
                      ("doanh_nghiep_fdi", gettext_lazy("Doanh nghiệp có vốn đầu tư nước ngoài"))),
    Kind.SCHOOL: (("cong_lap", gettext_lazy("Công lập")), ("tu_thuc", gettext_lazy("Tư thục")),
                  ("dan_lap", gettext_lazy("Dân lập"))),
}


def subtype_choices(kind: str) -> tuple[tuple[str, Any], ...]:
    """The subtypes offered for ``kind`` (value, label)."""
    return SUBTYPES.get(kind, ())


class Source(models.TextChoices):
    OFFICIAL = "official", gettext_lazy("Danh mục chính thức")
    LOCAL = "local", gettext_lazy("Địa phương nhập")


# --- who the ANTT standard does not apply to: data, with legal basis and effective date ----------------


class ExclusionField(models.TextChoices):
    """The unit attribute an exclusion looks at."""

    ARMED_FORCES = "armed_forces", "Thuộc lực lượng vũ trang"
    SIZE = "size", "Quy mô doanh nghiệp"
    SCHOOL_LEVEL = "school_level", "Cấp học"


class StandardExclusionQuerySet(models.QuerySet["StandardExclusion"]):
    def effective_on(self, day: dt.date) -> Self:
        return self.filter(Q(effective_from__lte=day), Q(effective_to__isnull=True) | Q(effective_to__gte=day))


class StandardExclusion(models.Model):
    """Units of ``kind`` whose ``field`` equals ``value`` are not subject to the ANTT standard (and not
    counted in its denominators) while the rule is in force. Seeded by a data migration from TT 124/2021/TT-BCA
    Điều 1 khoản 2 điểm b; a later rule is a new row with its own dates, never an edit of the old one."""

    kind = models.CharField("Loại đơn vị", max_length=20, choices=Kind.choices)
    field = models.CharField("Thuộc tính", max_length=20, choices=ExclusionField.choices)
    value = models.CharField("Giá trị", max_length=20)  # "true" for armed_forces; a size or school level
    legal_basis = models.CharField("Căn cứ pháp lý", max_length=255)
    effective_from = models.DateField("Áp dụng từ")
    effective_to = models.DateField("Áp dụng đến", null=True, blank=True)
    note = models.TextField("Ghi chú", blank=True, default="")

    objects = StandardExclusionQuerySet.as_manager()

    class Meta:
        verbose_name = "đối tượng không thuộc diện tiêu chuẩn ANTT"
        verbose_name_plural = "đối tượng không thuộc diện tiêu chuẩn ANTT"
        ordering = ["kind", "field", "value", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "field", "value", "effective_from"],
                                    name="standard_exclusion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}.{self.field}={self.value} ({self.legal_basis})"

    def matches(self, kind: str, *, armed_forces: bool, size: str, school_level: str) -> bool:
        if kind != self.kind:
            return False
        if self.field == ExclusionField.ARMED_FORCES:
            return armed_forces is (self.value == "true")
        return (size if self.field == ExclusionField.SIZE else school_level) == self.value

    def as_q(self) -> Q:
        """The units this rule excludes, as a filter (for the set-based re-derivation)."""
        value: bool | str = self.value == "true" if self.field == ExclusionField.ARMED_FORCES else self.value
        return Q(kind=self.kind, **{self.field: value})


@dataclass(frozen=True)
class Exclusions:
    """The exclusions in force on a day, read in one query; bulk writers load this once and pass it on."""

    rules: tuple[StandardExclusion, ...]

    @classmethod
    def on(cls, day: dt.date | None = None) -> Exclusions:
        from django.utils import timezone

        return cls(tuple(StandardExclusion.objects.effective_on(day or timezone.localdate())))

    def matching(self, kind: str, *, armed_forces: bool = False, size: str = "",
                 school_level: str = "") -> StandardExclusion | None:
        return next((r for r in self.rules
                     if r.matches(kind, armed_forces=armed_forces, size=size, school_level=school_level)), None)


def is_subject_to_standard(
    kind: str,
    *,
    armed_forces: bool = False,
    size: str = "",
    school_level: str = "",
    exclusions: Exclusions | None = None,
) -> bool:
    """Whether the ANTT standard applies: a kind it applies to, and no exclusion in force matches
    (``StandardExclusion``: armed forces, small and micro enterprises, preschools, crèches, primary
    schools). Provinces and districts are not assessed; only organisations are read against the table."""
    if kind not in STANDARD_KINDS:
        return False
    if kind not in ORGANISATION_KINDS:
        return True
    rules = exclusions if exclusions is not None else Exclusions.on()
    return rules.matching(kind, armed_forces=armed_forces, size=size, school_level=school_level) is None


def rederive_subject_to_standard(day: dt.date | None = None) -> int:
    """Recompute ``Unit.subject_to_standard`` of every organisation from the exclusions in force (two
    UPDATE statements, for ``phongtrao setup`` after the table changed). Returns the number of units changed.
    A derived column, like ``sort_key``: no audit row."""
    rules = Exclusions.on(day).rules
    excluded = Q(pk__in=[])
    for rule in rules:
        excluded |= rule.as_q()
    orgs = Unit.objects.of_kind(*ORGANISATION_KINDS)
    changed = orgs.filter(excluded, subject_to_standard=True).update(subject_to_standard=False)
    changed += orgs.exclude(excluded).filter(subject_to_standard=False).update(subject_to_standard=True)
    return changed


class UnitQuerySet(models.QuerySet["Unit"]):
    def valid_on(self, day: dt.date) -> Self:
        """Units in existence on ``day`` (both interval ends inclusive; empty means open)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def with_code(self, code: str, on: dt.date) -> Self:
        return self.valid_on(on).filter(code=code)

    def by_codes(self, codes: Iterable[str]) -> dict[str, list[Unit]]:
        """Every unit holding one of these codes, at any date, grouped by code (one query per 900 codes).

        Importers resolve many rows at once with this, then pick each row's unit by its own date.
        """
        found: dict[str, list[Unit]] = {}
        code_list = sorted(set(codes))
        for start in range(0, len(code_list), 900):
            for unit in self.filter(code__in=code_list[start:start + 900]):
                found.setdefault(unit.code, []).append(unit)
        return found

    def in_subtree(self, root: Unit | int, *, include_root: bool = True) -> Self:
        """The root and everything below it, through the closure table (one indexed join)."""
        root_id = root if isinstance(root, int) else root.pk
        qs = self.filter(ancestor_links__ancestor_id=root_id)
        if not include_root:
            qs = qs.exclude(pk=root_id)
        return qs

    def of_kind(self, *kinds: str) -> Self:
        return self.filter(kind__in=kinds)

    def subject_to_standard(self) -> Self:
        return self.filter(subject_to_standard=True)

    def search(self, text: str) -> Self:
        """Diacritic- and case-insensitive search on name (word starts) or code: "da nang" finds "Đà Nẵng"."""
        folded = fold(text)
        if not folded:
            return self
        # Match at word starts: "an binh" finds "An Bình" and "Xã An Bình", not "Tân Bình".
        return self.filter(
            Q(search_name__startswith=folded) | Q(search_name__contains=" " + folded) | Q(code__iexact=text.strip())
        )

    def vi_ordered(self) -> Self:
        return self.order_by("sort_key", "code")


class Unit(models.Model):
    code = models.CharField("Mã", max_length=40)
    name = models.CharField("Tên", max_length=255)
    kind = models.CharField("Loại", max_length=20, choices=Kind.choices)
    subtype = models.CharField("Loại hình", max_length=40, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name="Đơn vị cấp trên", null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    managed_by = models.CharField("Cấp quản lý", max_length=10, choices=ManagingLevel.choices, blank=True)
    size = models.CharField("Quy mô", max_length=10, choices=EnterpriseSize.choices, blank=True)
    school_level = models.CharField("Cấp học", max_length=12, choices=SchoolLevel.choices, blank=True)
    armed_forces = models.BooleanField("Thuộc lực lượng vũ trang", default=False)
    households = models.PositiveIntegerField("Số hộ", null=True, blank=True)
    valid_from = models.DateField("Hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("Hiệu lực đến", null=True, blank=True)
    source = models.CharField("Nguồn", max_length=10, choices=Source.choices, default=Source.LOCAL)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # Derived columns, kept by ``refresh_derived()`` on every write.
    subject_to_standard = models.BooleanField("Thuộc diện tiêu chuẩn ANTT", default=False, editable=False)
    search_name = models.CharField(max_length=255, editable=False, default="")
    sort_key = models.CharField(max_length=600, editable=False, default="")
    # Optimistic concurrency: a form carries the version it was read at.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        indexes = [
            models.Index(fields=["code", "valid_from"], name="unit_code_idx"),
            models.Index(fields=["parent", "kind", "sort_key"], name="unit_parent_kind_idx"),
            models.Index(fields=["kind", "subject_to_standard"], name="unit_kind_std_idx"),
            models.Index(fields=["sort_key"], name="unit_sort_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_interval",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def refresh_derived(self, exclusions: Exclusions | None = None) -> None:
        """Recompute the derived columns; bulk writers pass ``Exclusions.on()`` read once."""
        self.subject_to_standard = is_subject_to_standard(
            self.kind, armed_forces=self.armed_forces, size=self.size, school_level=self.school_level,
            exclusions=exclusions,
        )
        self.search_name = fold(f"{self.name}")[:255]
        self.sort_key = sort_key(self.name)[:600]
        self.depth = (self.parent.depth + 1) if self.parent_id and self.parent else 0

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)

    @property
    def is_organisation(self) -> bool:
        return self.kind in ORGANISATION_KINDS

    def ancestors(self) -> models.QuerySet[Unit]:
        """Ancestors from the root down (excluding self)."""
        return Unit.objects.filter(descendant_links__unit=self).exclude(pk=self.pk).order_by("depth")


class UnitAncestor(models.Model):
    """Closure table: one row for each (unit, ancestor) pair, including (unit, unit) at distance 0."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="ancestor_links")
    ancestor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="descendant_links")
    distance = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ancestor", "unit"], name="unit_ancestor_unique")]
        indexes = [models.Index(fields=["unit", "ancestor"], name="unit_ancestor_unit_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id} ⊂ {self.ancestor_id} ({self.distance})"


class SuccessionKind(models.TextChoices):
    MERGE = "merge", gettext_lazy("Sáp nhập")
    SPLIT = "split", gettext_lazy("Chia tách (một phần)")
    RENAME = "rename", gettext_lazy("Đổi tên/giữ nguyên")
    OTHER = "other", gettext_lazy("Khác")


class Succession(models.Model):
    """Old unit -> new unit (N:M), effective on a date, optionally weighted (share of the old unit)."""

    predecessor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successor_links",
                                    verbose_name="Đơn vị cũ")
    successor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="predecessor_links",
                                  verbose_name="Đơn vị mới")
    effective_on = models.DateField("Ngày hiệu lực")
    kind = models.CharField("Hình thức", max_length=10, choices=SuccessionKind.choices, default=SuccessionKind.MERGE)
    weight = models.DecimalField("Tỷ trọng", max_digits=5, decimal_places=4, null=True, blank=True)
    source = models.CharField("Nguồn", max_length=10, choices=Source.choices, default=Source.LOCAL)

    class Meta:
        verbose_name = "kế thừa đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_on:%d/%m/%Y})"


class RegisterLoad(models.Model):
    """Which version of the official register (the vietnam-provinces package) was loaded, and when."""

    package_version = models.CharField(max_length=40)
    data_version = models.CharField(max_length=40, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"vietnam-provinces {self.package_version} ({self.loaded_at:%d/%m/%Y})"


def rebuild_closure(units: Iterable[Unit]) -> None:
    """Recompute closure rows for ``units``; parents must be saved and listed before their children.

    Ancestor chains of parents outside the batch are read in one query per 900 parents.
    """
    units = list(units)
    ids = [u.pk for u in units]
    if not ids:
        return
    for start in range(0, len(ids), 900):  # SQLite allows 999 parameters a query (or fewer): never one IN for all
        UnitAncestor.objects.filter(unit_id__in=ids[start:start + 900]).delete()
    in_batch = set(ids)
    outside = sorted({u.parent_id for u in units if u.parent_id is not None and u.parent_id not in in_batch})
    chains: dict[int, list[tuple[int, int]]] = {}
    for start in range(0, len(outside), 900):
        for unit_id, ancestor_id, distance in UnitAncestor.objects.filter(
            unit_id__in=outside[start:start + 900]
        ).values_list("unit_id", "ancestor_id", "distance"):
            chains.setdefault(unit_id, []).append((ancestor_id, distance))
    rows: list[UnitAncestor] = []
    for unit in units:
        chain: list[tuple[int, int]] = [(unit.pk, 0)]
        if unit.parent_id is not None:
            if unit.parent_id in in_batch and unit.parent_id not in chains:
                raise ValueError("rebuild_closure needs parents before children")
            chain += [(a, d + 1) for a, d in chains.get(unit.parent_id, [])]
        chains[unit.pk] = chain
        rows.extend(UnitAncestor(unit_id=unit.pk, ancestor_id=a, distance=d) for a, d in chain)
        if len(rows) >= 5000:  # insert as we go: a national import would hold a million row objects
            UnitAncestor.objects.bulk_create(rows)
            rows = []
    UnitAncestor.objects.bulk_create(rows)


def add_closure(ids: Sequence[int]) -> None:
    """Closure rows for new units ``ids`` whose parents already have theirs, in one set-based statement:
    each unit itself at distance 0, then its parent's ancestors one step further. The set-based twin of
    ``rebuild_closure`` for writers that insert whole levels at a time (imports, the demo)."""
    if not ids:
        return
    quote = connection.ops.quote_name
    ua, u = quote(UnitAncestor._meta.db_table), quote(Unit._meta.db_table)
    param: list[int] | str
    if connection.vendor == "postgresql":
        new, param = "unnest(%s::bigint[]) AS n (id)", list(ids)
    else:
        new, param = "json_each(%s) AS n", json.dumps(list(ids))
    new_id = "n.id" if connection.vendor == "postgresql" else "n.value"
    sql = (
        f"INSERT INTO {ua} (unit_id, ancestor_id, distance) "  # noqa: S608 - table names from _meta
        f"SELECT u.id, u.id, 0 FROM {new} JOIN {u} u ON u.id = {new_id} "
        f"UNION ALL SELECT u.id, a.ancestor_id, a.distance + 1 FROM {new} JOIN {u} u ON u.id = {new_id} "
        f"JOIN {ua} a ON a.unit_id = u.parent_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [param, param])
