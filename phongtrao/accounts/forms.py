"""Forms of the sign-in, account security and user management pages.

They parse input and show errors; every write goes through ``accounts.actions``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from phongtrao.accounts.access import capture_units, grantable_roles
from phongtrao.accounts.models import Role, ScopeKind, User
from phongtrao.accounts.policies import needs_home_unit
from phongtrao.lib.forms import BootstrapForm
from phongtrao.units.models import Unit, UnitQuerySet

if TYPE_CHECKING:
    from phongtrao.accounts.access import AnyUser
    from phongtrao.lib.workflow import ActionError

PICKER_RESULTS = 20


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with a Vietnamese message.

    Django 6.1 changed the message's msgid and its Vietnamese catalogue has not
    caught up, so the stock validator speaks English to our users.
    """

    def get_error_message(self) -> str:
        return ngettext(
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short",
                                  params={"min_length": self.min_length})


# --- sign-in ----------------------------------------------------------------------------------------------

class LoginForm(AuthenticationForm):
    """Django's form with our messages; a locked-out attempt is answered by the lockout page instead."""

    error_messages = {
        "invalid_login": gettext_lazy("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": gettext_lazy(
            "Tài khoản này đã ngừng hoạt động. Hãy liên hệ quản trị hệ thống nếu bạn cần dùng lại."),
    }

    def get_invalid_login_error(self) -> ValidationError:
        # Like AllowAllUsersModelBackend: say "inactive" only to someone who knows the password.
        if not getattr(self.request, "axes_locked_out", False):
            user = User.objects.filter(username=self.cleaned_data.get("username"), is_active=False).first()
            if user is not None and user.check_password(self.cleaned_data.get("password") or ""):
                return ValidationError(self.error_messages["inactive"], code="inactive")
        return ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class TokenForm(BootstrapForm):
    token = forms.CharField(
        label=gettext_lazy("Mã xác thực (6 chữ số)"), max_length=8, min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "pattern": "[0-9 ]*", "autofocus": True}),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit() or len(token) != 6:
            raise ValidationError(gettext("Mã xác thực gồm 6 chữ số."))
        return token


# --- user management --------------------------------------------------------------------------------------

def pickable_units(user: AnyUser) -> UnitQuerySet:
    """Units ``user`` may give as a home unit or a scope: their capture scope (everything for admins), today."""
    return capture_units(user).valid_on(timezone.localdate())


class UnitPickerField(forms.ModelChoiceField):
    """A unit chosen in the picker (radio buttons filled by the search box); the id is checked against scope."""

    default_error_messages = {
        "invalid_choice": gettext_lazy("Đơn vị này không thuộc phạm vi bạn được quản lý."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(*args, **kwargs)


def unit_search(units: UnitQuerySet, text: str) -> UnitQuerySet:
    """The picker's matches: the unit with that exact code first, then higher units first, in Vietnamese order."""
    text = text.strip()
    if not text:
        return units.none()
    exact = Case(When(code__iexact=text, then=Value(0)), default=Value(1))
    return (units.search(text).select_related("parent").annotate(exact=exact)
            .order_by("exact", "depth", "sort_key", "code")[:PICKER_RESULTS])


class UserListForm(BootstrapForm):
    q = forms.CharField(label=gettext_lazy("Họ tên hoặc tên đăng nhập"), required=False, max_length=100)
    role = forms.ChoiceField(label=gettext_lazy("Vai trò"), required=False,
                             choices=[("", gettext_lazy("Mọi vai trò")), *Role.choices])
    status = forms.ChoiceField(label=gettext_lazy("Trạng thái"), required=False, choices=[
        ("", gettext_lazy("Đang hoạt động")), ("inactive", gettext_lazy("Đã ngừng")),
        ("all", gettext_lazy("Tất cả")),
    ])

    def value(self, name: str) -> str:
        self.is_valid()
        return self.cleaned_data.get(name) or ""


class UserFieldsForm(BootstrapForm):
    """What an account holds besides its password and scopes."""

    first_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Thư điện tử"), required=False)
    phone = forms.CharField(label=gettext_lazy("Điện thoại"), required=False, max_length=20)
    title = forms.CharField(label=gettext_lazy("Chức vụ"), required=False, max_length=120)
    role = forms.ChoiceField(label=gettext_lazy("Vai trò"))
    unit = UnitPickerField(label=gettext_lazy("Đơn vị công tác"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args: Any, editor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editor = editor
        roles = grantable_roles(editor)
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (value, label) for value, label in Role.choices if value in roles]
        cast(UnitPickerField, self.fields["unit"]).queryset = capture_units(editor)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("role") and needs_home_unit(data["role"]) and not data.get("unit"):
            self.add_error("unit", gettext("Hãy chọn đơn vị công tác."))
        return data

    def add_action_error(self, exc: ActionError) -> None:
        for key, messages in exc.errors.items():
            name = {"unit_id": "unit", "kind": "scope_kind"}.get(key, key)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class UserCreateForm(UserFieldsForm):
    username = forms.CharField(
        label=gettext_lazy("Tên đăng nhập"), max_length=150,
        help_text=gettext_lazy("Chữ không dấu, số và các ký tự @ . + - _"),
        validators=[User.username_validator],
    )
    scope_kind = forms.ChoiceField(
        label=gettext_lazy("Quyền trên đơn vị công tác"), required=False,
        choices=[*ScopeKind.choices, ("", gettext_lazy("Chưa giao (thêm sau)"))], initial=ScopeKind.CAPTURE,
        help_text=gettext_lazy("Có thể thêm phạm vi khác ở trang sửa tài khoản."),
    )
    password = forms.CharField(label=gettext_lazy("Mật khẩu ban đầu"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=password_validation.password_validators_help_text_html)
    password_confirm = forms.CharField(label=gettext_lazy("Nhập lại mật khẩu"), strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    field_order = ("username", "first_name", "email", "phone", "title", "role", "unit", "scope_kind",
                   "password", "password_confirm")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password") and data.get("password_confirm") and data["password"] != data["password_confirm"]:
            self.add_error("password_confirm", gettext("Hai mật khẩu không giống nhau."))
        return data


class ScopeForm(BootstrapForm):
    """Add one scope (a unit from the picker and a kind), or remove one (``remove`` = scope id)."""

    unit = UnitPickerField(label=gettext_lazy("Đơn vị"), queryset=Unit.objects.none(), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Quyền"), choices=ScopeKind.choices, initial=ScopeKind.CAPTURE)
    remove = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, editor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(UnitPickerField, self.fields["unit"]).queryset = capture_units(editor)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("remove") and not data.get("unit") and "unit" not in self.errors:
            self.add_error("unit", gettext("Hãy tìm và chọn một đơn vị."))
        return data

    def add_action_error(self, exc: ActionError) -> None:
        for messages in exc.errors.values():
            for message in messages:
                self.add_error("unit", message)

