"""The login lockout: failures counted atomically in the database, locks with backoff.

A name without an account is counted and locked exactly like an account (in ``login_throttles``,
keyed by an HMAC of the name), so that no answer tells which addresses exist.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from hrfund.auth.models import LoginThrottle, User
from hrfund.core.audit import record_event
from hrfund.core.db import insert_ignoring_conflicts, rows_changed, table_of, utcnow
from hrfund.core.errors import Conflict
from hrfund.extensions import db

log = logging.getLogger(__name__)


def normalize_login(name: str | None) -> str:
    """The form of a submitted login name that accounts and throttles are keyed on."""
    return (name or "").strip().lower()[:254]


def throttle_key(name: str) -> str:
    """HMAC of a normalized login name: the table never holds what people typed."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"login:" + name.encode(), hashlib.sha256).hexdigest()


def lock_delay(failures: int) -> timedelta | None:
    """How long ``failures`` failed logins in a row lock for: None below the threshold, then
    BASE, doubled with each further failure, at most MAX."""
    cfg = current_app.config
    over = failures - cfg["LOGIN_LOCKOUT_THRESHOLD"]
    if over < 0:
        return None
    base, cap = cfg["LOGIN_LOCKOUT_BASE_SECONDS"], cfg["LOGIN_LOCKOUT_MAX_SECONDS"]
    seconds = cap if over >= 32 else min(cap, base * 2**over)
    return timedelta(seconds=seconds)


def locked_message(locked_until: datetime, now: datetime) -> str:
    """What a refused login says: the same for every name, with when to try again."""
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return ngettext(
        "Too many failed attempts. Try again in %(num)d minute.",
        "Too many failed attempts. Try again in %(num)d minutes.",
        minutes,
    )


def current_lock(user: User | None, name: str) -> datetime | None:
    """Until when the account (or the name without one) is locked; None when it is not."""
    if user is not None:
        until = user.locked_until
    else:
        until = db.session.scalar(
            sa.select(LoginThrottle.locked_until).where(
                LoginThrottle.key_hash == throttle_key(name)
            )
        )
    return until if until is not None and until > utcnow() else None


def count_failure(user: User | None, name: str, now: datetime) -> tuple[int, datetime | None]:
    """Count one failed login in the database (one UPDATE … RETURNING: no lost updates under any
    concurrency) and lock when the count calls for it; returns (failures, locked until)."""
    model: type[User] | type[LoginThrottle]
    if user is not None:
        model, where = User, User.id == user.id
    else:
        model, key = LoginThrottle, throttle_key(name)
        where = LoginThrottle.key_hash == key
        _insert_throttle(key)
    cutoff = now - timedelta(hours=current_app.config["LOGIN_FAILURE_MEMORY_HOURS"])
    forgotten = sa.or_(model.last_failed_login_at.is_(None), model.last_failed_login_at < cutoff)
    failures = db.session.execute(
        sa.update(model)
        .where(where)
        .values(
            failed_logins=sa.case((forgotten, 1), else_=model.failed_logins + 1),
            last_failed_login_at=now,
        )
        .returning(model.failed_logins),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    until = None
    if (delay := lock_delay(failures)) is not None:
        until = now + delay
        # A new lock only where none holds now: the row is ours since the UPDATE above, so of
        # racing failures exactly one starts the lock (and tells the administrators).
        started = rows_changed(
            db.session.execute(
                sa.update(model)
                .where(where, sa.or_(model.locked_until.is_(None), model.locked_until <= now))
                .values(locked_until=until),
                execution_options={"synchronize_session": False},
            )
        )
        # Else it only ever moves the lock later: of racing failures, the longest lock stays.
        db.session.execute(
            sa.update(model)
            .where(where, sa.or_(model.locked_until.is_(None), model.locked_until < until))
            .values(locked_until=until),
            execution_options={"synchronize_session": False},
        )
        if started and user is not None:
            from hrfund.core import signals

            signals.account_locked.send(user, actor=None, until=until)
    if user is not None:
        db.session.expire(user, ["failed_logins", "last_failed_login_at", "locked_until"])
    else:
        _forget_old_throttles(cutoff)
    return failures, until


def _insert_throttle(key: str) -> None:
    dialect = db.session.get_bind().dialect.name
    db.session.execute(
        insert_ignoring_conflicts(dialect, table_of(LoginThrottle)).values(
            key_hash=key, failed_logins=0
        )
    )


def _forget_old_throttles(cutoff: datetime) -> None:
    # A lock never outlasts the memory of failures, so these rows say nothing any more.
    db.session.execute(
        sa.delete(LoginThrottle).where(LoginThrottle.last_failed_login_at < cutoff),
        execution_options={"synchronize_session": False},
    )


def clear_failures(user: User) -> None:
    """A successful login: the count starts again."""
    if user.failed_logins or user.locked_until is not None or user.last_failed_login_at:
        user.failed_logins = 0
        user.locked_until = None
        user.last_failed_login_at = None


def unlock_user(actor, user: User) -> User:
    """An administrator lifts a lock and forgets the failed logins (audited)."""
    if not user.failed_logins and not user.is_locked:
        raise Conflict(str(_l("This account is not locked.")))
    record_event(
        actor,
        "user.unlock",
        user,
        from_state="locked" if user.is_locked else "active",
        to_state="active",
        changes={"failed_logins": [user.failed_logins, 0]},
    )
    user.failed_logins = 0
    user.locked_until = None
    user.last_failed_login_at = None
    log.info("account %s unlocked by %s", user.email, getattr(actor, "email", actor))
    return user


def locked_users_filter(stmt):
    """Restrict a select of users to the accounts locked right now."""
    return stmt.where(User.locked_until.is_not(None), User.locked_until > utcnow())


def count_locked_users() -> int:
    return db.session.scalar(locked_users_filter(sa.select(sa.func.count()).select_from(User))) or 0


# ---------------------------------------------------------------- known devices
# A browser that logged in to an account before carries a signed cookie naming it (by the HMAC
# of the name). Neither the lockout nor the per-account limit hold it up, so an attacker who
# keeps an account locked does not keep its owner out; it has a limit of its own instead.

DEVICE_COOKIE = "hrfund_device"


def _device_serializer():
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="hrfund-known-device")


def device_token(name: str) -> str:
    """The cookie value for a browser that just logged in as ``name``."""
    import secrets

    return _device_serializer().dumps({"k": throttle_key(name), "n": secrets.token_hex(8)})


def device_max_age() -> int:
    return int(current_app.config["LOGIN_KNOWN_DEVICE_DAYS"]) * 86400


def is_known_device(token: str | None, name: str) -> bool:
    """Whether ``token`` is a valid, unexpired device cookie of the login name ``name``."""
    from itsdangerous import BadData

    if not token or not name:
        return False
    try:
        payload = _device_serializer().loads(token, max_age=device_max_age())
    except BadData:
        return False
    key = payload.get("k") if isinstance(payload, dict) else None
    return isinstance(key, str) and hmac.compare_digest(key, throttle_key(name))
