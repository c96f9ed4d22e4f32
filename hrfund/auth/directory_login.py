"""Sign-in with the directory: which password an account may use, and the user record kept in
step with the directory (created at the first sign-in, updated at each; roles follow groups).

Partner-city coordinators and administrators with a local account never use the directory
(the break-glass admin must work when the directory does not). Any other local account whose
address the directory knows is taken over by it at its first directory sign-in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from hrfund.auth import directory
from hrfund.auth.models import AppSetting, AuthSource, Role, User
from hrfund.auth.passwords import verify_dummy, verify_password
from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import ValidationFailed
from hrfund.extensions import db
from hrfund.org.models import Department

log = logging.getLogger(__name__)

LOCAL_PASSWORDS_SETTING = "directory_users_local_passwords"
#: Roles the directory may give; coordinators belong to a partner city, never to the TMG's groups.
DIRECTORY_ROLES = frozenset(Role) - {Role.COORDINATOR}


class DirectoryActor:
    """The directory as the actor of the changes it makes to an account (audit: "directory")."""

    id = None
    email = "directory"

    def has_role(self, *roles: str) -> bool:
        return False


DIRECTORY = DirectoryActor()


class DirectoryRefused(Exception):
    """The directory refused a sign-in for a reason the person must be told (``message``)."""

    def __init__(self, reason: str, message: str):
        super().__init__(reason)
        self.reason = reason
        self.message = message


# ---------------------------------------------------------------- the administrator's switch


def local_passwords_allowed() -> bool:
    """Whether directory users may also sign in with a local password (when they have one)."""
    row = db.session.get(AppSetting, LOCAL_PASSWORDS_SETTING)
    if row is None:
        return bool(current_app.config["LDAP_ALLOW_LOCAL_PASSWORDS"])
    return bool(row.value)


def set_local_passwords_allowed(actor, allowed: bool) -> None:
    """An administrator switches local passwords on or off for directory users (audited)."""
    before = local_passwords_allowed()
    row = db.session.get(AppSetting, LOCAL_PASSWORDS_SETTING)
    if row is None:
        row = AppSetting(key=LOCAL_PASSWORDS_SETTING)
        db.session.add(row)
    row.value, row.updated_by_id, row.updated_at = bool(allowed), actor.id, utcnow()
    db.session.flush()
    if before != bool(allowed):
        record_event(
            actor,
            "setting.update",
            object_type="app_settings",
            object_id=LOCAL_PASSWORDS_SETTING,
            changes={LOCAL_PASSWORDS_SETTING: [before, bool(allowed)]},
        )
        log.info("local passwords for directory users %s by %s", allowed, actor.email)


# ---------------------------------------------------------------- groups → roles, departments


def _mapping(setting: str) -> dict[str, object]:
    raw = current_app.config.get(setting) or {}
    return {directory.normalize_dn(str(k)): v for k, v in raw.items()}


def roles_for(person: directory.DirectoryPerson) -> set[Role]:
    """The roles the person's groups give (LDAP_ROLE_GROUPS); unknown names are logged."""
    mapping, roles = _mapping("LDAP_ROLE_GROUPS"), set()
    for group in person.groups:
        for name in directory.group_names(group) & mapping.keys():
            values = mapping[name]
            # the setting names one role or a list of them
            names = (
                [values] if isinstance(values, str) else list(cast(Iterable[object], values or []))
            )
            for value in names:
                try:
                    role = Role(str(value).strip().lower())
                except ValueError:
                    log.warning("LDAP_ROLE_GROUPS: %r of %s is no role", value, name)
                    continue
                if role in DIRECTORY_ROLES:
                    roles.add(role)
    return roles


def department_for(person: directory.DirectoryPerson) -> Department | None:
    """The department a group names (LDAP_DEPARTMENT_GROUPS), else the department attribute."""
    mapping = _mapping("LDAP_DEPARTMENT_GROUPS")
    codes = [
        str(mapping[name])
        for group in person.groups
        for name in sorted(directory.group_names(group) & mapping.keys())
    ]
    code = codes[0] if codes else person.department
    if not code:
        return None
    department = db.session.scalar(sa.select(Department).where(Department.code == code))
    if department is None:
        log.warning("directory user %s: no department with the code %r", person.uid, code)
    return department


# ---------------------------------------------------------------- the user record


def _profile(person: directory.DirectoryPerson, current: User | None) -> dict[str, Any]:
    """The profile fields the directory fills (romaji falls back to the kanji, then the uid)."""
    family_romaji = person.family_name_romaji or person.family_name or person.uid
    given_romaji = person.given_name_romaji or person.given_name or "-"
    profile: dict[str, Any] = {
        "family_name": person.family_name,
        "given_name": person.given_name,
        "family_name_kana": person.family_name_kana,
        "given_name_kana": person.given_name_kana,
        "family_name_romaji": family_romaji,
        "given_name_romaji": given_romaji,
    }
    if person.employee_number or current is None:
        profile["employee_number"] = person.employee_number
    return profile


def _setup_failed(error: ValidationFailed) -> DirectoryRefused:
    log.warning("directory account could not be saved: %s %s", error.message, error.fields)
    return DirectoryRefused(
        f"account not saved: {sorted(error.fields)}",
        str(_l("Your account could not be set up from the directory. Ask the administrator.")),
    )


def sync_user(user: User | None, person: directory.DirectoryPerson) -> User:
    """Create or update the account of ``person`` from the directory (audited, actor
    "directory"); its roles become exactly those its groups give."""
    from hrfund.auth import services  # services imports sessions, which imports this module

    roles = roles_for(person)
    department = department_for(person)
    if Role.MANAGER in roles and department is None and not (user and user.managed_departments):
        log.warning("directory user %s: a manager group but no department", person.uid)
        roles.discard(Role.MANAGER)
    if not roles:
        raise DirectoryRefused(
            "in no mapped group",
            str(
                _l(
                    "Your directory account is in no group that may use this system. "
                    "Ask the personnel division."
                )
            ),
        )
    if user is None:
        created = _create_user(person, roles, department)
        if created is not None:
            return created
        # Another sign-in of the same person created the account first: update that one.
        user = db.session.scalar(sa.select(User).where(User.directory_uid == person.uid.lower()))
        if user is None:
            raise _setup_failed(ValidationFailed("account exists", fields={"email": []}))
    try:
        user = services.update_user(
            DIRECTORY,
            user,
            roles=sorted(roles),
            city=user.city,
            department=department or user.department,
            **_profile(person, user),
        )
    except ValidationFailed as error:
        raise _setup_failed(error) from None
    _link(user, person)
    return user


def _create_user(person: directory.DirectoryPerson, roles: set[Role], department) -> User | None:
    """The new account of ``person``; None when a concurrent sign-in created it first (its
    unique address or directory id refused this one, in a savepoint rolled back alone)."""
    from hrfund.auth import services

    try:
        with db.session.begin_nested():
            user = services.create_user(
                DIRECTORY,
                email=person.email,
                roles=sorted(roles),
                department=department,
                **_profile(person, None),
            )
            _link(user, person)
    except ValidationFailed as error:
        raise _setup_failed(error) from None
    except IntegrityError:
        log.warning("directory user %s was created by a concurrent sign-in", person.uid)
        return None
    return user


def _link(user: User, person: directory.DirectoryPerson) -> None:
    changes: dict[str, list[str | None]] = {}
    if user.auth_source != AuthSource.DIRECTORY:
        changes["auth_source"] = [user.auth_source, AuthSource.DIRECTORY.value]
        user.auth_source = AuthSource.DIRECTORY.value
    uid = person.uid.lower()  # LDAP and AD names are case-insensitive; the index is not
    if user.directory_uid != uid:
        changes["directory_uid"] = [user.directory_uid, uid]
        user.directory_uid = uid
    email = (person.email or "").strip()
    if email and email.lower() != user.email.lower() and _email_free(email, user):
        changes["email"] = [user.email, email]
        user.email = email
    user.directory_synced_at = utcnow()
    if changes:
        record_event(DIRECTORY, "user.directory_link", user, changes=changes)


def _email_free(email: str, user: User) -> bool:
    return not db.session.scalar(
        sa.select(User.id).where(sa.func.lower(User.email) == email.lower(), User.id != user.id)
    )


def _directory_user(person: directory.DirectoryPerson, found: User | None) -> User | None:
    """The account of ``person``: by directory id first, then the account found by address."""
    linked = db.session.scalar(sa.select(User).where(User.directory_uid == person.uid.lower()))
    if linked is not None:
        return linked
    if found is None and person.email:
        found = db.session.scalar(
            sa.select(User).where(sa.func.lower(User.email) == person.email.strip().lower())
        )
    if found is not None and not uses_directory(found):
        raise DirectoryRefused(
            "local-only account",
            str(_l("Wrong e-mail address or password.")),
        )
    return found


# ---------------------------------------------------------------- the password check


def get_user_by_directory_uid(login: str) -> User | None:
    """The directory account a login name (uid, sAMAccountName) belongs to, so that the lockout
    counts one account whether its owner types the name or the address."""
    if not login or "@" in login:
        return None
    return db.session.scalar(sa.select(User).where(User.directory_uid == login.strip().lower()))


def uses_directory(user: User | None) -> bool:
    """Whether the directory may sign this account in (never coordinators nor local admins)."""
    if user is None or user.from_directory:
        return True
    return not user.has_role(Role.COORDINATOR, Role.ADMIN)


def _local_ok(user: User | None, password: str) -> bool:
    if user is None or not user.password_hash:
        return verify_dummy(password)
    return verify_password(user.password_hash, password)


def _own_local_password(user: User | None, password: str) -> bool:
    """Whether a directory user signs in with their own local password, while allowed."""
    if user is None or not user.from_directory or not user.password_hash:
        return False
    return local_passwords_allowed() and verify_password(user.password_hash, password)


def check_credentials(user: User | None, login: str, password: str) -> tuple[User | None, str]:
    """The account these credentials sign in, and how ("local" or "directory"); (None, "")
    for a wrong password. DirectoryRefused for a refusal that needs its own message."""
    if not directory.is_configured():
        if user is not None and user.from_directory and not local_passwords_allowed():
            verify_dummy(password)
            return None, ""
        return (user if _local_ok(user, password) else None), "local"
    if user is not None and not user.from_directory:
        if _local_ok(user, password):
            return user, "local"
        if not uses_directory(user):
            return None, ""
    unreachable = None
    try:
        person = directory.authenticate(login, password)
    except directory.AccountDisabled as error:
        log.warning("directory sign-in of %s refused: %s", login, error)
        raise DirectoryRefused(
            "disabled in the directory",
            str(_l("Your directory account is disabled. Ask the personnel division.")),
        ) from None
    except directory.DirectoryUnavailable as error:
        unreachable = error
    except directory.WrongCredentials:
        pass
    else:
        return sync_user(_directory_user(person, user), person), "directory"
    # Not signed in by the directory: a directory user's own local password, while allowed.
    if _own_local_password(user, password):
        return user, "local"
    # A local password was checked (and was wrong): counted as any wrong password, so that an
    # unreachable directory opens no way round the lockout.
    local_checked = (
        user is not None
        and user.password_hash
        and (not user.from_directory or local_passwords_allowed())
    )
    if unreachable is not None and not local_checked:
        raise DirectoryRefused(
            "directory unreachable",
            str(
                _l(
                    "The staff directory cannot be reached just now. Try again in a few minutes; "
                    "if it goes on, tell the help desk."
                )
            ),
        )
    return None, ""
