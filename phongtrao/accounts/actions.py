"""Named actions that write accounts, their scopes and their sign-in security.

Each action checks that the actor may do it, validates, runs in one transaction,
writes the change and an audit row. Audit rows never hold a password, its hash
or a second-factor secret: a password change is recorded as the fact that it changed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from phongtrao.accounts.access import (
    capture_units,
    forget_scope_roots,
    is_admin,
    manageable_users,
    may_grant,
    require,
)
from phongtrao.accounts.models import Role, ScopeKind, UnitScope, User
from phongtrao.accounts.otp import DEVICE_NAME, can_use_totp, throttled_message, wrong_code_message
from phongtrao.accounts.policies import needs_home_unit
from phongtrao.audit.actions import Actor, record, record_many
from phongtrao.lib.workflow import ActionError
from phongtrao.units.models import Kind, Unit

USER_FIELDS = ("username", "first_name", "email", "phone", "title", "role", "unit_id", "is_active")
EDITABLE_FIELDS = ("first_name", "email", "phone", "title", "role", "unit_id")

Scope = tuple[Unit, str]


def snapshot(user: User) -> dict[str, Any]:
    """What the audit trail keeps of an account (never the password or its hash)."""
    return {name: getattr(user, name) for name in USER_FIELDS}


def scope_snapshot(user: User) -> list[str]:
    return sorted(f"{kind}:{unit_id}" for unit_id, kind in
                  UnitScope.objects.filter(user=user).values_list("unit_id", "kind"))


# --- checks ---------------------------------------------------------------------------------------------

def _acting_user(actor: Actor) -> User | None:
    """The user behind the actor; ``None`` for the system and commands run without a user (trusted)."""
    return actor.user if actor.user is not None and actor.user.pk else None


def _check_manages(actor: Actor, target: User) -> None:
    user = _acting_user(actor)
    if user is not None and not manageable_users(user).filter(pk=target.pk).exists():
        raise PermissionDenied(gettext("Bạn không có quyền quản lý tài khoản này."))


def _assignment_errors(actor: Actor, *, role: str, units: Iterable[Unit]) -> dict[str, list[str]]:
    """A role and units the actor may give: any for administrators, their province's for province officers."""
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [gettext("Vai trò “%(role)s” không hợp lệ.") % {"role": role}]
    user = _acting_user(actor)
    if user is None or is_admin(user):
        return errors
    if role in Role.values and not may_grant(user, role):
        errors["role"] = [gettext("Bạn không được cấp vai trò “%(role)s”.") % {"role": Role(role).label}]
    ids = {u.pk for u in units}
    allowed = set(capture_units(user).filter(pk__in=ids).values_list("pk", flat=True))
    outside = [u.name for u in units if u.pk not in allowed]
    if outside:
        errors["unit"] = [gettext("Đơn vị ngoài phạm vi bạn quản lý: %(names)s.")
                          % {"names": ", ".join(sorted(set(outside)))}]
    return errors


def _password_errors(password: str, user: User) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def _clean_scopes(scopes: Iterable[Scope]) -> list[Scope]:
    seen: dict[tuple[int, str], Scope] = {}
    for unit, kind in scopes:
        if kind not in ScopeKind.values:
            raise ActionError({"kind": [gettext("Loại phạm vi “%(kind)s” không hợp lệ.") % {"kind": kind}]})
        seen.setdefault((unit.pk, kind), (unit, kind))
    return list(seen.values())


# --- accounts -------------------------------------------------------------------------------------------

@transaction.atomic
def do_create_user(actor: Actor, *, username: str, password: str, role: str, first_name: str = "",
                   email: str = "", phone: str = "", title: str = "", unit: Unit | None = None,
                   scopes: Iterable[Scope] = ()) -> User:
    """A new active account with its scopes (a home unit alone gives no access; scopes do)."""
    scopes = _clean_scopes(scopes)
    user = User(username=User.normalize_username(username.strip()), first_name=" ".join(first_name.split()),
                email=User.objects.normalize_email(email.strip()), phone=phone.strip(), title=title.strip(),
                role=role, unit=unit)
    units = [u for u, _kind in scopes] + ([unit] if unit is not None else [])
    errors = _assignment_errors(actor, role=role, units=units)
    if not user.username:
        errors.setdefault("username", []).append(gettext("Tên đăng nhập không được để trống."))
    elif User.objects.filter(username__iexact=user.username).exists():
        errors.setdefault("username", []).append(
            gettext("Tên đăng nhập “%(username)s” đã có người dùng.") % {"username": user.username})
    if needs_home_unit(role) and unit is None:
        errors.setdefault("unit", []).append(gettext("Phải chọn đơn vị công tác."))
    password_errors = _password_errors(password, user)
    if password_errors:
        errors["password"] = password_errors
    if errors:
        raise ActionError(errors)
    user.set_password(password)
    user.save()
    forget_scope_roots()
    UnitScope.objects.bulk_create([UnitScope(user=user, unit=u, kind=kind) for u, kind in scopes])
    record(actor, "user.create", user, unit=unit, before=None,
           after={**snapshot(user), "scopes": scope_snapshot(user)})
    return user


@transaction.atomic
def do_update_user(actor: Actor, user_id: int, **changes: Any) -> User:
    """Change an account's name, contact, title, role or home unit (``unit_id``)."""
    user = User.objects.select_for_update().get(pk=user_id)
    _check_manages(actor, user)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    before = snapshot(user)
    for name, value in changes.items():
        setattr(user, name, " ".join(value.split()) if name == "first_name" else value)
    if "unit_id" in changes:
        user.unit = Unit.objects.get(pk=user.unit_id) if user.unit_id else None
    units = [user.unit] if user.unit is not None and user.unit_id != before["unit_id"] else []
    errors = _assignment_errors(actor, role=user.role, units=units) if user.role != before["role"] or units else {}
    acting = _acting_user(actor)
    if acting is not None and acting.pk == user.pk and user.role != before["role"]:
        errors.setdefault("role", []).append(gettext("Bạn không thể tự đổi vai trò của mình."))
    if needs_home_unit(user.role) and user.unit is None:
        errors.setdefault("unit", []).append(gettext("Phải chọn đơn vị công tác."))
    if errors:
        raise ActionError(errors)
    after = snapshot(user)
    if after == before:
        return user
    user.save()
    record(actor, "user.update", user, unit=user.unit, before=before, after=after)
    return user


@transaction.atomic
def do_set_scopes(actor: Actor, user_id: int, scopes: Iterable[Scope]) -> User:
    """Replace the account's capture and view scopes by ``scopes`` (pairs of unit and kind)."""
    user = User.objects.select_for_update().get(pk=user_id)
    _check_manages(actor, user)
    scopes = _clean_scopes(scopes)
    current = {(s.unit_id, s.kind): s for s in UnitScope.objects.filter(user=user)}
    wanted = {(u.pk, kind): (u, kind) for u, kind in scopes}
    added = [wanted[key] for key in wanted.keys() - current.keys()]
    errors = _assignment_errors(actor, role=user.role, units=[u for u, _kind in added])
    errors.pop("role", None)  # the role is not changing here
    if errors:
        raise ActionError(errors)
    removed = [current[key].pk for key in current.keys() - wanted.keys()]
    if not added and not removed:
        return user
    before = scope_snapshot(user)
    UnitScope.objects.filter(pk__in=removed).delete()
    forget_scope_roots()
    UnitScope.objects.bulk_create([UnitScope(user=user, unit=u, kind=kind) for u, kind in added])
    record(actor, "user.set_scopes", user, unit=user.unit, before={"scopes": before},
           after={"scopes": scope_snapshot(user)})
    return user


@transaction.atomic
def do_grant_scope(actor: Actor, user: User, unit: Unit, kind: str) -> UnitScope:
    """Give ``user`` one more scope (``kind`` on ``unit``'s subtree), for set-up code (the demo, the
    tests' accounts): no permission check, since the caller is the system; ``do_set_scopes`` is the
    checked door for people. Granting a scope the account already has changes nothing and records nothing."""
    before = scope_snapshot(user)
    scope, created = UnitScope.objects.get_or_create(user=user, unit=unit, kind=kind)
    forget_scope_roots()
    if created:
        record(actor, "user.grant_scope", user, unit=user.unit, before={"scopes": before},
               after={"scopes": scope_snapshot(user)})
    return scope


def _set_active(actor: Actor, user_id: int, active: bool) -> User:
    user = User.objects.select_for_update().get(pk=user_id)
    _check_manages(actor, user)
    acting = _acting_user(actor)
    if not active and acting is not None and acting.pk == user.pk:
        raise ActionError(gettext("Bạn không thể tự ngừng tài khoản của mình."))
    if user.is_active == active:
        return user
    before = snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(actor, "user.reactivate" if active else "user.deactivate", user, unit=user.unit,
           before=before, after=snapshot(user))
    return user


@transaction.atomic
def do_deactivate_user(actor: Actor, user_id: int) -> User:
    """Stop an account: it can no longer sign in and its open sessions end. Accounts are never deleted."""
    return _set_active(actor, user_id, False)


@transaction.atomic
def do_reactivate_user(actor: Actor, user_id: int) -> User:
    return _set_active(actor, user_id, True)


@transaction.atomic
def do_unlock_user(actor: Actor, user_id: int) -> int:
    """Clear the failed sign-ins that lock the account (django-axes); the number of records removed."""
    user = User.objects.get(pk=user_id)
    _check_manages(actor, user)
    count = axes_reset(username=user.get_username())
    record(actor, "user.unlock", user, unit=user.unit, before=None, after={"cleared_attempts": count})
    return count


@transaction.atomic
def do_set_password(actor: Actor, user_id: int, password: str) -> User:
    """A manager sets a new password for an account (for a forgotten password)."""
    user = User.objects.select_for_update().get(pk=user_id)
    _check_manages(actor, user)
    return _write_password(actor, user, password, "user.set_password")


@transaction.atomic
def do_change_password(actor: Actor, password: str) -> User:
    """The actor changes their own password (the old one is checked by the form)."""
    user = _acting_user(actor)
    if user is None:
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.must_change_password and user.check_password(password):
        raise ActionError({"password": [gettext("Mật khẩu mới phải khác mật khẩu tạm được cấp.")]})
    return _write_password(actor, user, password, "user.change_password")


def _write_password(actor: Actor, user: User, password: str, action: str) -> User:
    errors = _password_errors(password, user)
    if errors:
        raise ActionError({"password": errors})
    user.set_password(password)
    # A password the user chose ends the obligation to change a one-time one; one a manager set does not.
    if action == "user.change_password":
        user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record(actor, action, user, unit=user.unit, before=None, after={"password_set": True})
    return user


# --- second factor --------------------------------------------------------------------------------------

def _own_user(actor: Actor) -> User:
    user = _acting_user(actor)
    if user is None:
        raise PermissionDenied
    return user


@transaction.atomic
def do_start_totp(actor: Actor) -> TOTPDevice:
    """A new, unconfirmed authenticator for the actor (replacing an earlier unconfirmed one)."""
    user = _own_user(actor)
    if not can_use_totp(user):
        raise PermissionDenied(gettext("Vai trò của bạn không dùng xác thực hai bước."))
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        raise ActionError(gettext("Xác thực hai bước đã được bật."))
    TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    record(actor, "user.totp_start", user, unit=user.unit, before=None, after={"totp": "pending"})
    return device


def do_confirm_totp(actor: Actor, token: str) -> TOTPDevice:
    """Confirm the pending authenticator with a code it shows; from now on sign-in asks for a code.

    A wrong code is refused after the transaction, so that django-otp's throttling count is kept.
    """
    user = _own_user(actor)
    with transaction.atomic():
        device = (TOTPDevice.objects.devices_for_user(user, confirmed=False).select_for_update()
                  .order_by("-pk").first())
        if device is None:
            raise ActionError(gettext("Chưa bắt đầu bật xác thực hai bước, hoặc đã bật xong."))
        refusal = throttled_message(device)
        verified = not refusal and device.verify_token(token.strip())
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            record(actor, "user.totp_confirm", user, unit=user.unit, before={"totp": "pending"},
                   after={"totp": "on"})
    if not verified:
        raise ActionError({"token": [refusal or wrong_code_message()]})
    return device


def do_remove_totp(actor: Actor, token: str) -> None:
    """The actor turns their second factor off, proving it with a current code."""
    user = _own_user(actor)
    with transaction.atomic():
        device = (TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update()
                  .order_by("pk").first())
        if device is None:
            raise ActionError(gettext("Xác thực hai bước chưa được bật."))
        refusal = throttled_message(device)
        verified = not refusal and device.verify_token(token.strip())
        if verified:
            TOTPDevice.objects.devices_for_user(user, confirmed=None).delete()
            record(actor, "user.totp_remove", user, unit=user.unit, before={"totp": "on"},
                   after={"totp": "off"})
    if not verified:
        raise ActionError({"token": [refusal or wrong_code_message()]})


@transaction.atomic
def do_reset_totp(actor: Actor, user_id: int) -> None:
    """An administrator turns off another account's second factor (a lost phone)."""
    user = User.objects.get(pk=user_id)
    acting = _acting_user(actor)
    require(acting, "users.reset_totp",
            message=gettext("Chỉ quản trị hệ thống được tắt xác thực hai bước của người khác."))
    _check_manages(actor, user)
    deleted, _ = TOTPDevice.objects.devices_for_user(user, confirmed=None).delete()
    if deleted:
        record(actor, "user.totp_reset", user, unit=user.unit, before={"totp": "on"}, after={"totp": "off"})


# --- bulk accounts --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewOfficer:
    """One row of the bulk sheet: a commune (by code, current today), the login, the person's name."""

    row: int
    commune_code: str
    username: str
    full_name: str
    email: str = ""


ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


def one_time_password() -> str:
    """16 characters from 55 (about 92 bits) in groups of four: ``Xk7p-2Rtq-...``."""
    chars = "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(16))
    return "-".join(chars[i:i + 4] for i in range(0, 16, 4))


def _one_time_hash(password: str) -> str:
    available = {h.rsplit(".", 1)[-1] for h in settings.PASSWORD_HASHERS}
    hasher = "pbkdf2_sha256_onetime" if "OneTimePasswordHasher" in available else "default"
    return make_password(password, hasher=hasher)


@transaction.atomic
def do_create_commune_officers(actor: Actor, rows: list[NewOfficer]) -> list[tuple[User, str]]:
    """One commune-officer account per row, each with the capture scope on its commune, a generated
    one-time password (returned once, never stored in clear) and a forced change at first sign-in.

    All or nothing: any bad row raises ``ActionError`` keyed ``"<row>:<column>"``, and nothing is written.
    Refused: an unknown or non-current commune code, a commune outside the actor's capture scope, a
    commune listed twice or that already has a commune officer, a taken or malformed username.
    """
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(row: int, column: str, message: str) -> None:
        errors.setdefault(f"{row}:{column}", []).append(message)

    codes = {r.commune_code for r in rows}
    communes = {u.code: u for u in Unit.objects.valid_on(today).of_kind(Kind.COMMUNE).filter(code__in=codes)}
    acting = _acting_user(actor)
    allowed = (None if acting is None or is_admin(acting)
               else set(capture_units(acting).filter(pk__in=[u.pk for u in communes.values()])
                        .values_list("pk", flat=True)))
    if acting is not None and not may_grant(acting, Role.COMMUNE_OFFICER):
        raise PermissionDenied(gettext("Bạn không có quyền tạo tài khoản cán bộ xã."))
    staffed = dict(UnitScope.objects.filter(unit__in=communes.values(), kind=ScopeKind.CAPTURE,
                                            user__role=Role.COMMUNE_OFFICER, user__is_active=True)
                   .values_list("unit_id", "user__username"))
    names = [User.normalize_username(r.username) for r in rows]
    taken = {u.casefold() for u in User.objects.annotate(low=Lower("username"))
             .filter(low__in=[n.casefold() for n in names]).values_list("username", flat=True)}
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    validate_username = UnicodeUsernameValidator()
    for r, username in zip(rows, names, strict=True):
        commune = communes.get(r.commune_code)
        if not r.commune_code:
            add(r.row, "commune_code", gettext("Thiếu mã xã."))
        elif commune is None:
            add(r.row, "commune_code", gettext("Không có xã, phường, đặc khu nào đang hiệu lực với mã “%(code)s”.")
                % {"code": r.commune_code[:40]})
        elif allowed is not None and commune.pk not in allowed:
            add(r.row, "commune_code", gettext("%(name)s ngoài phạm vi bạn quản lý.") % {"name": commune.name})
        elif r.commune_code in seen_codes:
            add(r.row, "commune_code", gettext("%(name)s đã có ở dòng %(row)s: mỗi xã một tài khoản.")
                % {"name": commune.name, "row": seen_codes[r.commune_code]})
        elif commune.pk in staffed:
            add(r.row, "commune_code", gettext("%(name)s đã có tài khoản cán bộ xã “%(username)s”.")
                % {"name": commune.name, "username": staffed[commune.pk]})
        seen_codes.setdefault(r.commune_code, r.row)
        if not username:
            add(r.row, "username", gettext("Thiếu tên đăng nhập."))
        else:
            try:
                validate_username(username)
                if len(username) > 150:
                    raise ValidationError("")
            except ValidationError:
                add(r.row, "username", gettext("Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _ "
                                               "(tối đa 150 ký tự)."))
            else:
                if username.casefold() in taken:
                    add(r.row, "username", gettext("Tên đăng nhập “%(username)s” đã có người dùng.")
                        % {"username": username})
                elif username.casefold() in seen_names:
                    add(r.row, "username", gettext("Tên đăng nhập “%(username)s” đã có ở dòng %(row)s.")
                        % {"username": username, "row": seen_names[username.casefold()]})
            seen_names.setdefault(username.casefold(), r.row)
        if not r.full_name.strip():
            add(r.row, "full_name", gettext("Thiếu họ tên."))
        elif len(r.full_name) > 150:
            add(r.row, "full_name", gettext("Họ tên dài quá 150 ký tự."))
        if r.email:
            try:
                validate_email(r.email)
            except ValidationError:
                add(r.row, "email", gettext("Địa chỉ thư điện tử “%(email)s” không hợp lệ.") % {"email": r.email[:60]})
    if not rows:
        errors["0:"] = [gettext("Tệp không có dòng nào.")]
    if errors:
        raise ActionError(errors)
    created: list[tuple[User, str]] = []
    for r, username in zip(rows, names, strict=True):
        password = one_time_password()
        user = User(username=username, first_name=" ".join(r.full_name.split()),
                    email=User.objects.normalize_email(r.email.strip()), role=Role.COMMUNE_OFFICER,
                    unit=communes[r.commune_code], must_change_password=True, password=_one_time_hash(password))
        created.append((user, password))
    User.objects.bulk_create([u for u, _ in created])
    users = {u.username: u for u in User.objects.filter(username__in=[u.username for u, _ in created])}
    created = [(users[u.username], password) for u, password in created]
    scopes = []
    for u, _ in created:
        assert u.unit_id is not None  # every account above was made with its commune
        scopes.append(UnitScope(user=u, unit_id=u.unit_id, kind=ScopeKind.CAPTURE))
    forget_scope_roots()
    UnitScope.objects.bulk_create(scopes)
    record_many(actor, "user.create", [
        (u, u.unit, None, {**snapshot(u), "scopes": [f"{ScopeKind.CAPTURE}:{u.unit_id}"], "one_time_password": True,
                           "bulk": True}) for u, _ in created])
    return created
