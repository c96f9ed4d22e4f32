"""The login lockout: counted in the database, backoff, the same answers for every name,
the administrator's unlock, and the audit of logins and logouts."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from hrfund.auth import lockout
from hrfund.auth.models import LoginThrottle, User
from hrfund.core.audit import AuditEvent
from hrfund.core.db import utcnow
from tests import factories
from tests.conftest import TEST_PASSWORD

WRONG = "wrong-password-1"
UNKNOWN = "nobody-here@metro.tokyo.example"


def _post(client, email, password=WRONG):
    return client.post("/login", data={"email": email, "password": password})


def _expire_lock(db, user_id):
    user = db.session.get(User, user_id)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()


def _state(db, user_id) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_backoff_grows_from_the_threshold_and_is_capped(app):
    with app.app_context():
        threshold = app.config["LOGIN_LOCKOUT_THRESHOLD"]
        delays = [lockout.lock_delay(threshold + i) for i in range(7)]
        assert lockout.lock_delay(threshold - 1) is None
        assert [d.total_seconds() / 60 for d in delays] == [1, 2, 4, 8, 15, 15, 15]
        assert lockout.lock_delay(10**6).total_seconds() == 15 * 60


def test_each_failure_past_the_threshold_locks_longer(app, db, client):
    user = factories.user(["employee"])
    db.session.commit()
    threshold = app.config["LOGIN_LOCKOUT_THRESHOLD"]
    for _ in range(threshold - 1):
        assert b"Wrong e-mail address or password." in _post(client, user.email).data
    assert _state(db, user.id).failed_logins == threshold - 1
    assert _state(db, user.id).locked_until is None

    for minutes in (1, 2, 4, 8, 15):
        before = utcnow()
        response = _post(client, user.email)
        plural = "minute" if minutes == 1 else "minutes"
        assert f"Try again in {minutes} {plural}.".encode() in response.data
        state = _state(db, user.id)
        lock = state.locked_until - before
        assert timedelta(minutes=minutes) <= lock < timedelta(minutes=minutes, seconds=5)
        # while locked, even the right password is not checked, and nothing is counted
        counted = state.failed_logins
        assert b"Too many failed attempts." in _post(client, user.email, TEST_PASSWORD).data
        assert _state(db, user.id).failed_logins == counted
        _expire_lock(db, user.id)

    assert _post(client, user.email, TEST_PASSWORD).status_code == 302
    state = _state(db, user.id)
    assert (state.failed_logins, state.locked_until) == (0, None)


def test_failures_are_forgotten_a_day_after_the_last(app, db, client):
    user = factories.user(["employee"])
    db.session.commit()
    for _ in range(app.config["LOGIN_LOCKOUT_THRESHOLD"] - 1):
        _post(client, user.email)
    row = db.session.get(User, user.id)
    row.last_failed_login_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    _post(client, user.email)
    assert _state(db, user.id).failed_logins == 1


def _normalized(response, email: str) -> tuple[int, str]:
    """The answer without what differs by design: the name typed, and the CSRF token (signed
    with the time of the request)."""
    body = response.data.decode().replace(email, "EMAIL")
    return response.status_code, re.sub(r'name="csrf_token" value="[^"]*"', "CSRF", body)


def _assert_same(known, unknown) -> None:
    import difflib

    diff = difflib.unified_diff(known[1].splitlines(), unknown[1].splitlines(), lineterm="")
    assert known == unknown, "\n".join(diff)


def test_unknown_known_and_locked_names_get_the_same_answers(app, db, client):
    user = factories.user(["employee"])
    db.session.commit()
    for _ in range(app.config["LOGIN_LOCKOUT_THRESHOLD"] + 1):
        known = _normalized(_post(client, user.email), user.email)
        unknown = _normalized(_post(client, UNKNOWN), UNKNOWN)
        _assert_same(known, unknown)
    assert "Too many failed attempts. Try again in 1 minute." in known[1]
    # the right password of a locked account answers as any password of an unknown name
    known = _normalized(_post(client, user.email, TEST_PASSWORD), user.email)
    unknown = _normalized(_post(client, UNKNOWN, TEST_PASSWORD), UNKNOWN)
    _assert_same(known, unknown)
    # what was typed is kept only as an HMAC
    rows = db.session.scalars(sa.select(LoginThrottle)).all()
    assert [r.failed_logins for r in rows] == [app.config["LOGIN_LOCKOUT_THRESHOLD"]]
    assert UNKNOWN not in rows[0].key_hash and len(rows[0].key_hash) == 64


def test_an_unknown_name_costs_a_real_password_check(app):
    from hrfund.auth.passwords import _dummy_hash, hasher

    with app.app_context():
        cfg = app.config
        dummy = _dummy_hash(
            cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"]
        )
        assert dummy.startswith("$argon2id$") and not hasher().check_needs_rehash(dummy)


def _locked_user(app, db, client) -> User:
    user = factories.user(["employee"])
    db.session.commit()
    for _ in range(app.config["LOGIN_LOCKOUT_THRESHOLD"]):
        _post(client, user.email)
    assert _state(db, user.id).is_locked
    return user


def test_admin_sees_locked_accounts_and_unlocks_one(app, db, client, login_as):
    admin = login_as("admin")
    locked = _locked_user(app, db, client)
    other = factories.user(["employee"])
    db.session.commit()

    page = admin.get("/admin/users").data.decode()
    assert "1 account is locked after failed logins." in page
    assert page.count("locked-badge") == 1
    only_locked = admin.get("/admin/users?locked=1").data.decode()
    assert locked.email in only_locked and other.email not in only_locked

    edit = admin.get(f"/admin/users/{locked.id}").data.decode()
    assert "Locked after failed logins until" in edit and 'id="unlock"' in edit
    response = admin.post(f"/admin/users/{locked.id}/unlock")
    assert response.status_code == 302
    state = _state(db, locked.id)
    assert (state.failed_logins, state.locked_until, state.is_locked) == (0, None, False)
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "user.unlock", AuditEvent.object_id == str(locked.id)
        )
    )
    assert event.actor_id == admin.user.id and event.from_state == "locked"
    assert "accounts are locked" not in admin.get("/admin/users").data.decode()
    assert _post(client, locked.email, TEST_PASSWORD).status_code == 302


def test_unlocking_an_account_that_is_not_locked_changes_nothing(db, login_as):
    admin = login_as("admin")
    user = factories.user(["employee"])
    db.session.commit()
    response = admin.post(f"/admin/users/{user.id}/unlock", follow_redirects=True)
    assert b"This account is not locked." in response.data
    assert not db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.unlock"))


def test_logins_failures_and_logouts_are_audited(db, client):
    user = factories.user(["employee"])
    db.session.commit()
    _post(client, user.email)
    _post(client, UNKNOWN)
    _post(client, user.email, TEST_PASSWORD)
    client.post("/logout")
    events = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.object_id, AuditEvent.changes).order_by(
            AuditEvent.id
        )
    ).all()
    failed = [
        (oid, changes["login"]) for action, oid, changes in events if action == "login.failed"
    ]
    assert failed == [(str(user.id), user.email), (None, UNKNOWN)]
    actions = [action for action, oid, _changes in events if oid == str(user.id)]
    assert actions[-2:] == ["session.login", "session.logout"]


def test_a_browser_that_logged_in_before_gets_past_the_lock(app, db, client):
    """An attacker who keeps an account locked does not keep its owner out."""
    user, other = factories.user(["employee"]), factories.user(["employee"])
    db.session.commit()
    owner = app.test_client()
    assert _post(owner, user.email, TEST_PASSWORD).status_code == 302
    assert owner.get_cookie(lockout.DEVICE_COOKIE, path="/login") is not None
    owner.post("/logout")
    for _ in range(app.config["LOGIN_LOCKOUT_THRESHOLD"]):
        _post(client, user.email)  # the attacker, from another browser
    assert b"Too many failed attempts." in _post(client, user.email, TEST_PASSWORD).data

    # a device cookie of another account, or a forged one, does not open the lock
    elsewhere = app.test_client()
    assert _post(elsewhere, other.email, TEST_PASSWORD).status_code == 302
    elsewhere.post("/logout")
    assert b"Too many failed attempts." in _post(elsewhere, user.email, TEST_PASSWORD).data
    forged = app.test_client()
    forged.set_cookie(lockout.DEVICE_COOKIE, "eyJrIjoiIn0.forged.sig", path="/login")
    assert b"Too many failed attempts." in _post(forged, user.email, TEST_PASSWORD).data

    # the owner's browser: a typo is only a typo, then the right password works
    assert b"Wrong e-mail address or password." in _post(owner, user.email).data
    assert _post(owner, user.email, TEST_PASSWORD).status_code == 302
