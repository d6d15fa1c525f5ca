"""User accounts: the only people the system knows besides officials on decisions and award recipients."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy


class Role(models.TextChoices):
    ADMIN = "admin", gettext_lazy("Quản trị hệ thống")
    PROVINCE_OFFICER = "province_officer", gettext_lazy("Cán bộ cấp tỉnh (Phòng XDPT)")
    COMMUNE_OFFICER = "commune_officer", gettext_lazy("Cán bộ Công an xã")
    ORG_REPORTER = "org_reporter", gettext_lazy("Cơ quan, doanh nghiệp, cơ sở giáo dục")
    APPROVER = "approver", gettext_lazy("Chủ tịch UBND (người ký quyết định)")
    VIEWER = "viewer", gettext_lazy("Lãnh đạo, Ban Chỉ đạo, MTTQ (chỉ xem)")


class User(AbstractUser):
    role = models.CharField("Vai trò", max_length=20, choices=Role.choices, default=Role.VIEWER)
    unit = models.ForeignKey(
        "units.Unit", verbose_name="Đơn vị công tác", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="users",
    )
    phone = models.CharField("Điện thoại", max_length=20, blank=True)
    title = models.CharField("Chức vụ", max_length=120, blank=True)
    # Set on accounts created with a one-time password (bulk creation): the first sign-in must change it.
    must_change_password = models.BooleanField("Phải đổi mật khẩu khi đăng nhập", default=False)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


class ScopeKind(models.TextChoices):
    CAPTURE = "capture", gettext_lazy("Được nhập/sửa dữ liệu")
    VIEW = "view", gettext_lazy("Được xem")


class UnitScope(models.Model):
    """A subtree the user may read (view) or change (capture); capture implies view.

    As in DHIS2, the units a user may enter data for and the units they may view
    are separate, each covering the whole subtree under the named unit.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="scopes")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", verbose_name="Đơn vị")
    kind = models.CharField("Phạm vi", max_length=10, choices=ScopeKind.choices)

    class Meta:
        verbose_name = "phạm vi"
        verbose_name_plural = "phạm vi"
        constraints = [models.UniqueConstraint(fields=["user", "unit", "kind"], name="unit_scope_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.unit}"
