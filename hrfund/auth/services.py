"""Account rules: users and roles, login and sessions, passwords, API tokens."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from zoneinfo import available_timezones

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l

from hrfund.auth.anonymous import not_placeholder
from hrfund.auth.models import Role, User, UserRole
from hrfund.auth.passwords import hash_password, password_problems
from hrfund.core.actor import Actor, Agent
from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import NotAllowed, ValidationFailed
from hrfund.extensions import db
from hrfund.org.models import Department, PartnerCity

log = logging.getLogger(__name__)

# Login, sessions and tokens live in ``sessions``; named here too so that callers have one door.
from hrfund.auth.lockout import (  # noqa: E402
    count_locked_users,
    locked_users_filter,
    unlock_user,
)
from hrfund.auth.sessions import (  # noqa: E402
    TOKEN_PREFIX,
    LoginRefused,
    authenticate,
    change_password,
    check_password,
    create_api_token,
    end_all_sessions,
    end_session,
    get_user_by_email,
    load_session,
    revoke_all_api_tokens,
    revoke_api_token,
    set_password,
    start_session,
    user_for_token,
)

#: Re-exported from the module's other files: callers have one door to its rules.
__all__ = [
    "count_locked_users",
    "locked_users_filter",
    "unlock_user",
    "TOKEN_PREFIX",
    "LoginRefused",
    "authenticate",
    "change_password",
    "check_password",
    "create_api_token",
    "end_all_sessions",
    "end_session",
    "get_user_by_email",
    "load_session",
    "revoke_all_api_tokens",
    "revoke_api_token",
    "set_password",
    "start_session",
    "user_for_token",
]

PROFILE_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "family_name_romaji",
    "given_name_romaji",
    "employee_number",
    "joined_on",
    "locale",
    "timezone",
)


def normalize_email(email: str) -> str:
    """The canonical form of an address, or ValidationFailed."""
    try:
        result = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed(
            str(_l("Enter a valid e-mail address.")),
            fields={"email": [str(_l("Enter a valid e-mail address."))]},
        ) from None
    return result.normalized


# ---------------------------------------------------------------- users and roles


def _check_profile(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field in ("family_name_romaji", "given_name_romaji"):
        if field in values and not (values[field] or "").strip():
            errors[field] = [str(_l("This field is required."))]
    if "locale" in values and values["locale"] not in current_app.config["LANGUAGES"]:
        errors["locale"] = [str(_l("Choose Japanese or English."))]
    if "timezone" in values and values["timezone"] not in available_timezones():
        errors["timezone"] = [str(_l("Unknown time zone."))]
    if values.get("joined_on") is not None and not isinstance(values["joined_on"], date):
        errors["joined_on"] = [str(_l("Enter a date as YYYY-MM-DD."))]
    return errors


def _check_roles(
    roles: set[Role],
    city: PartnerCity | None,
    manages: list[Department],
    department: Department | None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not roles:
        errors["roles"] = [str(_l("Give the user at least one role."))]
    if Role.COORDINATOR in roles and city is None:
        errors["city"] = [str(_l("A coordinator must be bound to a partner city."))]
    if city is not None and Role.COORDINATOR not in roles:
        errors["city"] = [str(_l("Only a coordinator is bound to a partner city."))]
    if Role.MANAGER in roles and not manages and department is None:
        errors["manages"] = [str(_l("A manager must head at least one department."))]
    return errors


def create_user(
    actor: Agent | None,
    *,
    email: str,
    roles: list[Role | str],
    password: str | None = None,
    city: PartnerCity | None = None,
    department: Department | None = None,
    manages: list[Department] | None = None,
    **profile: Any,
) -> User:
    """Create an account with its roles; a manager heads ``manages`` or else their department."""
    email = normalize_email(email)
    role_set = {Role(r) for r in roles}
    manages = list(manages or [])
    errors = _check_profile(
        profile | {k: profile.get(k, "") for k in ("family_name_romaji", "given_name_romaji")}
    )
    errors |= _check_roles(role_set, city, manages, department)
    if password is not None and (problems := password_problems(password, email=email)):
        errors["password"] = problems
    if get_user_by_email(email) is not None:
        errors["email"] = [str(_l("An account with this e-mail address exists already."))]
    if profile.get("employee_number") and db.session.scalar(
        sa.select(User.id).where(User.employee_number == profile["employee_number"])
    ):
        errors["employee_number"] = [str(_l("This employee number is taken."))]
    if errors:
        raise ValidationFailed(str(_l("The account could not be saved.")), fields=errors)
    if Role.MANAGER in role_set and not manages and department is not None:
        manages = [department]
    if "timezone" not in profile and city is not None:
        profile["timezone"] = city.timezone
    if "locale" not in profile and city is not None:
        profile["locale"] = "en"
    user = User(
        email=email,
        city=city,
        department=department,
        managed_departments=manages,
        **{k: v for k, v in profile.items() if k in PROFILE_FIELDS},
    )
    user.role_rows = [UserRole(role=r) for r in sorted(role_set)]
    if password is not None:
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
    db.session.add(user)
    db.session.flush()
    record_event(
        actor,
        "user.create",
        user,
        changes={
            "email": email,
            "roles": sorted(role_set),
            "city": city.code if city else None,
            "department": department.code if department else None,
            "manages": [d.code for d in manages if d],
        },
    )
    return user


def update_user(
    actor: Agent | None,
    user: User,
    *,
    roles: list[Role | str] | None = None,
    city: PartnerCity | None = None,
    department: Department | None = None,
    manages: list[Department] | None = None,
    **profile: Any,
) -> User:
    """Change a user's profile, roles and bindings (admin)."""
    role_set = {Role(r) for r in roles} if roles is not None else user.roles
    manages = list(manages) if manages is not None else list(user.managed_departments)
    errors = _check_profile(profile) | _check_roles(role_set, city, manages, department)
    removes_own_admin = Role.ADMIN in user.roles and Role.ADMIN not in role_set
    if actor is not None and actor.id == user.id and removes_own_admin:
        # as with deactivation: another administrator must do it
        errors["roles"] = [str(_l("You cannot remove the administrator role from yourself."))]
    number = profile.get("employee_number")
    if number and db.session.scalar(
        sa.select(User.id).where(User.employee_number == number, User.id != user.id)
    ):
        errors["employee_number"] = [str(_l("This employee number is taken."))]
    if errors:
        raise ValidationFailed(str(_l("The account could not be saved.")), fields=errors)
    if Role.MANAGER in role_set and not manages and department is not None:
        manages = [department]
    if Role.MANAGER not in role_set:
        manages = []
    changes = {
        k: [getattr(user, k), v]
        for k, v in profile.items()
        if k in PROFILE_FIELDS and getattr(user, k) != v
    }
    old_roles = sorted(user.roles)
    if old_roles != sorted(role_set):
        changes["roles"] = [old_roles, sorted(role_set)]
    for name, old, new in (("city", user.city, city), ("department", user.department, department)):
        if old != new:
            changes[name] = [old.code if old else None, new.code if new else None]
    old_manages = [d.code for d in user.managed_departments]
    if old_manages != sorted(d.code for d in manages):
        changes["manages"] = [old_manages, sorted(d.code for d in manages)]
    for key, value in profile.items():
        if key in PROFILE_FIELDS:
            setattr(user, key, value)
    if role_set != user.roles:
        keep = [row for row in user.role_rows if row.role in role_set]
        user.role_rows = keep + [UserRole(role=r) for r in sorted(role_set - user.roles)]
    user.city, user.department, user.managed_departments = city, department, manages
    db.session.flush()
    if changes:
        record_event(actor, "user.update", user, changes=changes)
    return user


def set_active(actor: Actor, user: User, active: bool) -> User:
    """Deactivate (ending every session and token use) or reactivate an account."""
    if actor is not None and actor.id == user.id and not active:
        raise NotAllowed(str(_l("You cannot deactivate your own account.")))
    if user.active == active:
        return user
    user.active = active
    if not active:
        end_all_sessions(user)
    record_event(
        actor,
        "user.activate" if active else "user.deactivate",
        user,
        from_state="active" if not active else "inactive",
        to_state="active" if active else "inactive",
    )
    return user


def set_locale(user: User, locale: str) -> None:
    """Remember the user's language."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed(str(_l("Choose Japanese or English.")))
    if user.locale != locale:
        record_event(user, "user.locale", user, changes={"locale": [user.locale, locale]})
        user.locale = locale


def update_profile(user: User, *, locale: str, timezone: str) -> None:
    """The user's own settings: language and time zone."""
    errors = _check_profile({"locale": locale, "timezone": timezone})
    if errors:
        raise ValidationFailed(str(_l("The settings could not be saved.")), fields=errors)
    changes = {
        k: [getattr(user, k), v]
        for k, v in (("locale", locale), ("timezone", timezone))
        if getattr(user, k) != v
    }
    user.locale, user.timezone = locale, timezone
    if changes:
        record_event(user, "user.settings", user, changes=changes)


def visible_users(actor: Actor) -> sa.Select[User]:
    """Users an actor may list: admins, HR and auditors see all; others only themselves. The
    placeholders of anonymised records (auth/anonymous.py) are no accounts and never listed."""
    stmt = (
        sa.select(User)
        .where(not_placeholder(User.email))
        .order_by(User.family_name_romaji, User.given_name_romaji, User.id)
    )
    if actor.has_role(Role.ADMIN, Role.HR, Role.AUDITOR):
        return stmt
    return stmt.where(User.id == actor.id)


#: What the free-text search over people reads: names in kanji, kana and roman letters,
#: e-mail and employee number.
USER_SEARCH_COLUMNS = (
    User.family_name,
    User.given_name,
    User.family_name_kana,
    User.given_name_kana,
    User.family_name_romaji,
    User.given_name_romaji,
    User.email,
    User.employee_number,
)
MAX_SEARCH_TERMS = 5


def user_search(q: str | None) -> sa.ColumnElement[bool]:
    """The SQL condition on ``users`` for a free-text search: every word of ``q`` (so "Taro
    Tanaka" and "田中 太郎" both work) is found, in any case, in one of the searched columns.
    ``%`` and ``_`` are taken literally; an empty ``q`` matches everyone."""
    terms = (q or "").split()[:MAX_SEARCH_TERMS]
    return sa.and_(
        sa.true(),
        *(
            sa.or_(*(column.icontains(term, autoescape=True) for column in USER_SEARCH_COLUMNS))
            for term in terms
        ),
    )
