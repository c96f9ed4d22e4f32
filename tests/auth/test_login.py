"""Login, logout, sessions, lockout and throttling, through the real pages."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from hrfund.auth.models import User, UserSession
from hrfund.core.audit import AuditEvent
from hrfund.core.db import utcnow
from tests import factories
from tests.conftest import TEST_PASSWORD


def test_login_with_right_password_opens_a_session(db, client):
    user = factories.user(["employee"])
    db.session.commit()
    response = client.post("/login", data={"email": user.email.upper(), "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user.id)
        )
        == 1
    )


def test_wrong_password_shows_error_and_keeps_email(db, client):
    user = factories.user(["employee"])
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": "wrong-password-1"})
    assert response.status_code == 200
    assert b"Wrong e-mail address or password." in response.data
    assert user.email.encode() in response.data
    assert client.get("/").status_code == 302


def test_unknown_email_gives_the_same_message(client):
    response = client.post(
        "/login", data={"email": "nobody@metro.tokyo.example", "password": "whatever-password"}
    )
    assert b"Wrong e-mail address or password." in response.data


def test_password_is_hashed_with_argon2id(db):
    user = factories.user(["employee"])
    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash


def test_a_long_password_works(db, client):
    long_password = "長いパスフレーズ-" + "correct horse battery staple " * 4
    assert len(long_password) > 64
    user = factories.user(["employee"], password=long_password)
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": long_password})
    assert response.status_code == 302


def test_lockout_after_repeated_failures(app, db, client):
    user = factories.user(["employee"])
    db.session.commit()
    threshold = app.config["LOGIN_LOCKOUT_THRESHOLD"]
    for _ in range(threshold):
        client.post("/login", data={"email": user.email, "password": "wrong-password-1"})
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert b"Too many failed attempts. Try again in 1 minute." in response.data
    db.session.expire_all()
    locked = db.session.get(User, user.id)
    assert locked.locked_until is not None
    assert db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "user.locked", AuditEvent.object_id == str(user.id)
        )
    )
    # once the lock has passed, the right password works again
    locked.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert (
        client.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code
        == 302
    )


def test_deactivated_user_cannot_log_in(db, client):
    user = factories.user(["employee"])
    user.active = False
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert b"This account is deactivated" in response.data


def test_login_redirects_only_to_local_pages(db, client):
    user = factories.user(["hr"])
    db.session.commit()
    response = client.post(
        "/login?next=https://evil.example/steal",
        data={"email": user.email, "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post(
        "/login?next=/audit", data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.headers["Location"] == "/audit"


def test_session_is_renewed_at_login(db, client):
    """Nothing of the session from before the login survives it (no session fixation)."""
    user = factories.user(["employee"])
    db.session.commit()
    client.get("/login")
    client.post("/language", data={"locale": "en"})
    with client.session_transaction() as before_login:
        before_login["planted"] = "by-an-attacker"
        before = dict(before_login)
    assert before
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    with client.session_transaction() as after_login:
        after = dict(after_login)
    assert "_user_id" in after
    assert {k: v for k, v in before.items() if after.get(k) == v} == {}


def test_copied_cookie_stops_working_after_logout(app, db, client):
    user = factories.user(["employee"])
    db.session.commit()
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    stolen = client.get_cookie("session").value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_ends_other_sessions(app, db, client):
    user = factories.user(["employee"])
    db.session.commit()
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    response = client.post(
        "/profile/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "Another-Long-Secret-77",
            "confirm": "Another-Long-Secret-77",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session stays
    assert other.get("/").status_code == 302  # the other one is over


def test_password_change_refuses_common_and_wrong_current(db, client):
    user = factories.user(["employee"])
    db.session.commit()
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    response = client.post(
        "/profile/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "password123",
            "confirm": "password123",
        },
    )
    assert response.status_code == 422
    assert b"too common" in response.data
    response = client.post(
        "/profile/password",
        data={
            "current_password": "not-the-password",
            "new_password": "Another-Long-Secret-77",
            "confirm": "Another-Long-Secret-77",
        },
    )
    assert response.status_code == 422
    assert b"The current password is wrong." in response.data


def test_deactivation_ends_sessions_and_tokens(app, db, login_as, api_as):
    employee = login_as("employee")
    api = api_as("employee")
    admin = login_as("admin")
    for target in (employee.user, api.user):
        response = admin.post(f"/admin/users/{target.id}/deactivate")
        assert response.status_code == 302
    assert employee.get("/").status_code == 302
    assert api.get("/api/v1/me", headers=api.headers).status_code == 401


def test_idle_and_absolute_timeouts(app, db, client):
    user = factories.user(["employee"])
    db.session.commit()
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    row.last_seen_at = utcnow() - app.config["SESSION_IDLE_TIMEOUT"] - timedelta(seconds=5)
    db.session.commit()
    assert client.get("/").status_code == 302

    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    row = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id.desc())
    ).first()
    row.created_at = utcnow() - app.config["SESSION_ABSOLUTE_TIMEOUT"] - timedelta(seconds=5)
    db.session.commit()
    assert client.get("/").status_code == 302
