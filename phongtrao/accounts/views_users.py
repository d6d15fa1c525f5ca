"""User management pages: list, create, edit (with scopes), deactivate, unlock, set a password.

Administrators manage every account; a province officer manages the accounts inside
their capture scope, with the roles ``access.grantable_roles`` allows. Accounts are
looked up through ``access.users_in_scope`` (else 404) and ``access.manageable_users``
(else 403); every write goes through ``accounts.actions``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from phongtrao.accounts.access import can_manage_users, holds, manageable_users, users_in_scope
from phongtrao.accounts.actions import (
    do_create_user,
    do_deactivate_user,
    do_reactivate_user,
    do_reset_totp,
    do_set_password,
    do_set_scopes,
    do_unlock_user,
    do_update_user,
)
from phongtrao.accounts.forms import (
    ScopeForm,
    UserCreateForm,
    UserFieldsForm,
    UserListForm,
    pickable_units,
    unit_search,
)
from phongtrao.accounts.lockout import is_locked_out, locked_usernames
from phongtrao.accounts.models import UnitScope, User
from phongtrao.audit.actions import Actor
from phongtrao.lib.vntext import fold, sort_key
from phongtrao.lib.workflow import ActionError

PER_PAGE = 50
PICKER_PREFIXES = ("home", "scope")


def _manager(request: HttpRequest) -> User:
    """The signed-in manager: every view here is behind ``manager_required``, hence ``login_required``."""
    user = request.user
    if not isinstance(user, User):  # not signed in (never behind manager_required)
        raise PermissionDenied
    return user


def manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_manage_users(request.user):
            raise PermissionDenied(gettext("Chỉ quản trị hệ thống và cán bộ cấp tỉnh được quản lý người dùng."))
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def get_user_for_manager(request: HttpRequest, user_id: int, *, for_change: bool = True) -> User:
    """The account, or 404 when it is outside the manager's scope, 403 when it may be seen but not changed."""
    user = users_in_scope(request.user).select_related("unit").filter(pk=user_id).first()
    if user is None:
        raise Http404(gettext("Không tìm thấy người dùng."))
    if for_change and not manageable_users(request.user).filter(pk=user.pk).exists():
        raise PermissionDenied(gettext("Bạn không có quyền thay đổi tài khoản này."))
    return user


def vi_ordered_ids(users: QuerySet[User], text: str) -> list[int]:
    """Ids of the accounts matching ``text`` (name or username, diacritics and case ignored),
    in Vietnamese order of the full name.

    Folding and collation happen in Python over the manager's accounts (a province
    has hundreds, the country a few thousand); the page's rows are then read by id.
    """
    needle = fold(text)
    keyed = []
    for pk, username, first, last in users.values_list("pk", "username", "first_name", "last_name"):
        full = " ".join(f"{first} {last}".split())
        if needle and needle not in fold(f"{full} {username}"):
            continue
        keyed.append(((sort_key(full or username), username), pk))
    return [pk for _key, pk in sorted(keyed)]


@dataclass
class UserRow:
    user: User
    locked: bool
    totp: bool
    manageable: bool


@manager_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserListForm(request.GET)
    users = users_in_scope(request.user)
    if form.value("role"):
        users = users.filter(role=form.value("role"))
    status = form.value("status")
    if status != "all":
        users = users.filter(is_active=status != "inactive")
    # A page of ids, whose object list is then replaced by the rows shown (hence ``Any``).
    page: Page[Any] = Paginator(vi_ordered_ids(users, form.value("q")), PER_PAGE).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    by_id = User.objects.select_related("unit").in_bulk(ids)
    locked = locked_usernames(u.username for u in by_id.values())
    totp = set(TOTPDevice.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True))
    manageable = set(manageable_users(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    page.object_list = [UserRow(by_id[pk], by_id[pk].username in locked, pk in totp, pk in manageable)
                        for pk in ids]
    return render(request, "accounts/users/list.html", {"form": form, "page": page})


def _picker(prefix: str, form: Any) -> dict[str, Any]:
    """The unit picker's current choice (the bound value, else the initial one)."""
    unit = form.cleaned_data.get("unit") if form.is_bound and hasattr(form, "cleaned_data") else None
    if unit is None and not form.is_bound:
        unit = form.initial.get("unit")
    return {"prefix": prefix, "units": [unit] if unit else [], "selected": unit}


@manager_required
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, editor=_manager(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scopes = [(data["unit"], data["scope_kind"])] if data["unit"] and data["scope_kind"] else []
        try:
            user = do_create_user(
                Actor.of_request(request), username=data["username"], password=data["password"], role=data["role"],
                first_name=data["first_name"], email=data["email"], phone=data["phone"], title=data["title"],
                unit=data["unit"], scopes=scopes,
            )
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã tạo tài khoản %(username)s.") % {"username": user.username})
            return redirect("users:edit", user.pk)
    return render(request, "accounts/users/create.html", {"form": form, "picker": _picker("home", form)})


def _edit_context(request: HttpRequest, user: User, form: UserFieldsForm,
                  scope_form: ScopeForm | None = None) -> dict[str, Any]:
    scope_form = scope_form or ScopeForm(editor=_manager(request))
    return {
        "target": user, "form": form, "scope_form": scope_form,
        "scopes": UnitScope.objects.filter(user=user).select_related("unit", "unit__parent")
                  .order_by("kind", "unit__sort_key"),
        "picker": _picker("home", form), "scope_picker": _picker("scope", scope_form),
        "locked": is_locked_out(user.username),
        "totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "may_reset_totp": holds(request.user, "users.reset_totp"),
        "is_self": user.pk == request.user.pk,
    }


@manager_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_user_for_manager(request, user_id)
    initial = {name: getattr(user, name) for name in ("first_name", "email", "phone", "title", "role", "unit")}
    form = UserFieldsForm(request.POST or None, editor=_manager(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_update_user(Actor.of_request(request), user.pk, first_name=data["first_name"], email=data["email"],
                           phone=data["phone"], title=data["title"], role=data["role"],
                           unit_id=data["unit"].pk if data["unit"] else None)
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã lưu tài khoản %(username)s.") % {"username": user.username})
            return redirect("users:edit", user.pk)
    return render(request, "accounts/users/edit.html", _edit_context(request, user, form))


@manager_required
@require_POST
def user_scopes(request: HttpRequest, user_id: int) -> HttpResponse:
    """Add one scope, or remove one (``remove`` = its id); the action receives the whole new set."""
    user = get_user_for_manager(request, user_id)
    scope_form = ScopeForm(request.POST, editor=_manager(request))
    if scope_form.is_valid():
        current = [(s.unit, s.kind, s.pk) for s in UnitScope.objects.filter(user=user).select_related("unit")]
        remove = scope_form.cleaned_data["remove"]
        wanted = [(unit, kind) for unit, kind, pk in current if pk != remove]
        if not remove:
            wanted.append((scope_form.cleaned_data["unit"], scope_form.cleaned_data["kind"]))
        try:
            do_set_scopes(Actor.of_request(request), user.pk, wanted)
        except ActionError as exc:
            scope_form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã cập nhật phạm vi của %(username)s.") % {"username": user.username})
            return redirect("users:edit", user.pk)
    initial = {name: getattr(user, name) for name in ("first_name", "email", "phone", "title", "role", "unit")}
    form = UserFieldsForm(editor=_manager(request), initial=initial)
    return render(request, "accounts/users/edit.html", _edit_context(request, user, form, scope_form))


@manager_required
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_user_for_manager(request, user_id)
    if request.method == "POST":
        try:
            do_deactivate_user(Actor.of_request(request), user.pk)
        except ActionError as exc:
            messages.error(request, str(exc))
            return redirect("users:edit", user.pk)
        messages.success(request, gettext("Đã ngừng tài khoản %(username)s.") % {"username": user.username})
        return redirect("users:list")
    return render(request, "accounts/users/deactivate.html", {"target": user})


@manager_required
@require_POST
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_user_for_manager(request, user_id)
    do_reactivate_user(Actor.of_request(request), user.pk)
    messages.success(request, gettext("Đã cho tài khoản %(username)s hoạt động trở lại.") % {
        "username": user.username})
    return redirect("users:edit", user.pk)


@manager_required
@require_POST
def user_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_user_for_manager(request, user_id)
    do_unlock_user(Actor.of_request(request), user.pk)
    messages.success(request, gettext("Đã mở khoá đăng nhập cho %(username)s.") % {"username": user.username})
    return redirect("users:edit", user.pk)


@manager_required
@require_POST
def user_reset_totp(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_user_for_manager(request, user_id)
    do_reset_totp(Actor.of_request(request), user.pk)
    messages.success(request, gettext("Đã tắt xác thực hai bước của %(username)s.") % {"username": user.username})
    return redirect("users:edit", user.pk)


@manager_required
def user_set_password(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_user_for_manager(request, user_id)
    form = SetPasswordForm(user, request.POST or None)
    for field in form.fields.values():
        field.widget.attrs["class"] = "form-control"
    if request.method == "POST" and form.is_valid():
        try:
            do_set_password(Actor.of_request(request), user.pk, form.cleaned_data["new_password1"])
        except ActionError as exc:
            for message in exc.errors.get("password", []):
                form.add_error("new_password1", message)
        else:
            messages.success(request, gettext("Đã đặt mật khẩu mới cho %(username)s.") % {"username": user.username})
            return redirect("users:edit", user.pk)
    return render(request, "accounts/users/set_password.html", {"target": user, "form": form})


@manager_required
@require_GET
def unit_picker(request: HttpRequest) -> HttpResponse:
    """htmx: the units matching the search box, as radio buttons named ``unit``, within the manager's scope."""
    prefix = request.GET.get("prefix", "home")
    if prefix not in PICKER_PREFIXES:
        prefix = "home"
    units = list(unit_search(pickable_units(request.user), request.GET.get("unit_q", "")))
    context = {"prefix": prefix, "units": units, "selected": None, "searched": True}
    return render(request, "accounts/users/_unit_picker.html", context)
