"""Login, server-side sessions, passwords and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import lazy_gettext as _l

from hrfund.auth import directory_login, lockout
from hrfund.auth.models import ApiToken, Role, User, UserSession
from hrfund.auth.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_dummy,
    verify_password,
)
from hrfund.core.audit import record_event
from hrfund.core.db import rows_changed, utcnow
from hrfund.core.errors import Conflict, NotAllowed, ValidationFailed
from hrfund.core.statemachine import claim_row
from hrfund.extensions import db

log = logging.getLogger(__name__)
#: What every request reads of its user, in the statement that finds the session or token
#: (instead of one more statement each for the roles and the departments a manager heads).
WITH_ROLES = (so.joinedload(User.role_rows), so.joinedload(User.managed_departments))

TOKEN_PREFIX = "hrf_"  # noqa: S105 - a marker, not a secret


class LoginRefused(Exception):
    """A login that did not succeed; ``message`` is safe to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(
        sa.select(User).where(sa.func.lower(User.email) == (email or "").strip().lower())
    )


# ---------------------------------------------------------------- login and sessions


def check_password(user: User | None, password: str) -> bool:
    """A local password check (changing one's own password). Sign-in goes through
    ``directory_login.check_credentials``, which checks the directory or this same hash. A name
    without an account costs the same as a wrong password, and fails."""
    if user is None or not user.password_hash:
        return verify_dummy(password)
    return verify_password(user.password_hash, password)


def authenticate(email: str, password: str, *, known_device: bool = False) -> User:
    """The user with these credentials, or LoginRefused with a message safe to show.

    Unknown, known and locked names get the same answers: a name without an account is counted
    and locked like an account. While locked, no password is checked and nothing is counted,
    except from a ``known_device`` (a browser that logged in as this name before).
    """
    name = lockout.normalize_login(email)
    user = get_user_by_email(name) or directory_login.get_user_by_directory_uid(name)
    now = utcnow()
    audit: dict[str, Any] = {"object_type": "users", "object_id": user.id if user else None}
    locked_until = None if known_device else lockout.current_lock(user, name)
    if locked_until is not None:
        record_event(None, "login.failed", comment="locked", changes={"login": name}, **audit)
        log.warning("login refused for %s: locked", name)
        raise LoginRefused(lockout.locked_message(locked_until, now))
    try:
        signed_in, via = directory_login.check_credentials(user, name, password)
    except directory_login.DirectoryRefused as refused:
        record_event(None, "login.failed", comment=refused.reason, changes={"login": name}, **audit)
        log.warning("login refused for %s: %s", name, refused.reason)
        raise LoginRefused(refused.message) from None
    if signed_in is None:
        failures, locked_until = lockout.count_failure(user, name, now)
        record_event(
            None,
            "login.failed",
            comment="wrong password",
            changes={"login": name, "failures": failures},
            **audit,
        )
        log.warning("failed login for %s (%d in a row)", name, failures)
        if locked_until is not None:
            if user is not None:
                record_event(None, "user.locked", user, changes={"until": locked_until})
            log.warning("login name %s locked until %s", name, locked_until.isoformat())
            if not known_device:  # which the lock does not hold up: no need to tell it
                raise LoginRefused(lockout.locked_message(locked_until, now))
        raise LoginRefused(str(_l("Wrong e-mail address or password.")))
    user = signed_in
    if not user.active:
        log.warning("login refused for %s: deactivated", name)
        record_event(None, "login.failed", comment="deactivated", changes={"login": name}, **audit)
        raise LoginRefused(str(_l("This account is deactivated. Ask the administrator.")))
    lockout.clear_failures(user)
    user.last_login_at = now
    if via == "local" and user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_session(user: User, *, ip: str | None = None, user_agent: str | None = None) -> str:
    """Open a server-side session bound to the browser's User-Agent; the returned key goes into
    the signed cookie."""
    key = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            key_hash=_sha256(key),
            user=user,
            ip=ip,
            user_agent=(user_agent or "")[:255],
            user_agent_hash=_sha256(user_agent or ""),
        )
    )
    record_event(user, "session.login", user, changes={"ip": ip})
    user._session_key = key
    return key


def load_session(key: str, user_agent: str | None = None) -> User | None:
    """The user of a live session, or None when it ended, idled, aged out, or the cookie comes
    from another browser than the one that logged in (that session then ends)."""
    cfg = current_app.config
    row = (
        db.session.execute(
            sa.select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.key_hash == _sha256(key), UserSession.ended_at.is_(None))
            .options(*WITH_ROLES)
        )
        .unique()
        .first()
    )
    if row is None:
        return None
    session_row, user = row
    now = utcnow()
    if (
        not user.active
        or now - session_row.last_seen_at > cfg["SESSION_IDLE_TIMEOUT"]
        or now - session_row.created_at > cfg["SESSION_ABSOLUTE_TIMEOUT"]
    ):
        return None
    if not hmac.compare_digest(session_row.user_agent_hash or "", _sha256(user_agent or "")):
        # A copied cookie: end the session, for its owner too, who logs in again.
        session_row.ended_at = now
        record_event(None, "session.refused", user, comment="another User-Agent")
        log.warning("session %s of %s refused: another User-Agent", session_row.id, user.email)
        return None
    if now - session_row.last_seen_at > timedelta(minutes=1):
        session_row.last_seen_at = now  # written at most once a minute
    user._session_key = key
    return user


def end_session(key: str | None, user: User | None = None) -> None:
    """Log out: the session's cookie no longer works, even if someone copied it."""
    if not key:
        return
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.key_hash == _sha256(key), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    if user is not None:
        record_event(user, "session.logout", user)


def end_all_sessions(user: User, *, except_key: str | None = None) -> None:
    stmt = sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if except_key:
        stmt = stmt.where(UserSession.key_hash != _sha256(except_key))
    db.session.execute(stmt.values(ended_at=utcnow()))


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password; every other session of the user ends. A wrong current
    password and a weak new one are reported together."""
    errors: dict[str, list[str]] = {}
    if not check_password(user, current):
        errors["current_password"] = [str(_l("The current password is wrong."))]
    if problems := password_problems(new or "", email=user.email):
        errors["new_password"] = problems
    if errors:
        raise ValidationFailed(str(_l("The password could not be changed.")), fields=errors)
    set_password(user, user, new, keep_session=user._session_key)


def set_password(actor, user: User, new: str, *, keep_session: str | None = None) -> None:
    """Set a password (own change or admin reset); the user's other sessions and every API token
    of the user end."""
    if problems := password_problems(new, email=user.email):
        raise ValidationFailed(
            str(_l("The password could not be changed.")), fields={"new_password": problems}
        )
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    end_all_sessions(user, except_key=keep_session)
    record_event(actor, "user.password", user)
    revoke_all_api_tokens(actor, user, reason="password changed")


# ---------------------------------------------------------------- API tokens


def create_api_token(actor, user: User, name: str) -> tuple[ApiToken, str]:
    """A new bearer token; the plain value is returned once and never stored."""
    name = (name or "").strip() or "API token"
    if len(name) > 100:
        raise ValidationFailed(
            str(_l("The name is too long.")),
            fields={"name": [str(_l("Use at most 100 characters."))]},
        )
    if actor.id != user.id and not actor.has_role(Role.ADMIN):
        raise NotAllowed(str(_l("Only an administrator can make tokens for others.")))
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=_sha256(plain), prefix=plain[:10])
    db.session.add(token)
    db.session.flush()
    record_event(actor, "api_token.create", token, changes={"user": user.email, "name": name})
    return token, plain


def revoke_api_token(actor, token: ApiToken) -> None:
    if actor.id != token.user_id and not actor.has_role(Role.ADMIN):
        raise NotAllowed(str(_l("This token is not yours.")))
    # claimed: of two revokes at once (two tabs, two admins) one writes the audit event
    claim_row(
        token,
        ApiToken.revoked_at.is_(None),
        {"revoked_at": utcnow()},
        lambda: Conflict(str(_l("This token is already revoked."))),
    )
    record_event(actor, "api_token.revoke", token)


def revoke_all_api_tokens(actor, user: User, *, reason: str | None = None) -> int:
    """End every active token of ``user`` at once; returns how many ended (audited when any)."""
    if actor is not None and actor.id != user.id and not actor.has_role(Role.ADMIN):
        raise NotAllowed(str(_l("These tokens are not yours.")))
    ended = rows_changed(
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow()),
            execution_options={"synchronize_session": "fetch"},
        )
    )
    if ended:
        record_event(actor, "api_token.revoke_all", user, comment=reason, changes={"tokens": ended})
    return ended


def user_for_token(plain: str) -> tuple[User, ApiToken] | None:
    """The active user behind a bearer token, or None."""
    if not plain or not plain.startswith(TOKEN_PREFIX):
        return None
    row = (
        db.session.execute(
            sa.select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(
                ApiToken.token_hash == _sha256(plain),
                ApiToken.revoked_at.is_(None),
                User.active.is_(True),
            )
            .options(*WITH_ROLES)
        )
        .unique()
        .first()
    )
    if row is None:
        return None
    token, user = row
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
    return user, token
