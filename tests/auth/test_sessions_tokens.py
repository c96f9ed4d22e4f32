"""Sessions bound to the browser; API tokens that end with a password change or at once."""

from __future__ import annotations

import sqlalchemy as sa

from hrfund.auth.models import ApiToken, UserSession
from hrfund.auth.services import create_api_token
from hrfund.core.audit import AuditEvent
from tests import factories
from tests.conftest import TEST_PASSWORD

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0"
OTHER = "curl/8.5.0"
NEW_PASSWORD = "Another-Long-Secret-77"


def _browser(app, user_agent=BROWSER):
    c = app.test_client()
    c.environ_base["HTTP_USER_AGENT"] = user_agent
    return c


def test_a_session_cookie_replayed_by_another_browser_is_refused(app, db):
    user = factories.user(["employee"])
    db.session.commit()
    owner = _browser(app)
    assert (
        owner.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code
        == 302
    )
    cookie = owner.get_cookie("session").value

    same_browser = _browser(app)
    same_browser.set_cookie("session", cookie)
    assert same_browser.get("/").status_code == 200

    thief = _browser(app, OTHER)
    thief.set_cookie("session", cookie)
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # the session is over for everyone, the owner logs in again
    assert owner.get("/").status_code == 302
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    assert row.ended_at is not None
    assert db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "session.refused", AuditEvent.object_id == str(user.id)
        )
    )


def _tokens(db, user_id):
    db.session.expire_all()
    return db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user_id)).all()


def test_a_password_change_ends_every_api_token(app, db, login_as):
    employee = login_as("employee")
    _token, plain = create_api_token(employee.user, employee.user, "script")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200
    assert b"Changing your password ends all your API tokens." in employee.get("/profile").data

    response = employee.post(
        "/profile/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        follow_redirects=True,
    )
    assert b"all your API tokens have ended" in response.data
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    assert all(t.revoked_at is not None for t in _tokens(db, employee.user.id))


def test_an_admin_password_reset_ends_the_users_tokens(app, db, login_as, api_as):
    api = api_as("employee")
    admin = login_as("admin")
    admin.post(f"/admin/users/{api.user.id}/password", data={"new_password": NEW_PASSWORD})
    assert api.get("/api/v1/me", headers=api.headers).status_code == 401


def test_end_all_tokens_asks_first_then_ends_only_ones_own(app, db, login_as):
    employee = login_as("employee")
    other = factories.user(["employee"])
    plains = [create_api_token(employee.user, employee.user, f"t{i}")[1] for i in range(3)]
    create_api_token(other, other, "not mine")
    db.session.commit()

    page = employee.get("/profile/tokens/revoke-all")
    assert page.status_code == 200 and b"You have 3 active API tokens." in page.data
    assert all(t.revoked_at is None for t in _tokens(db, employee.user.id))  # GET changes nothing

    response = employee.post("/profile/tokens/revoke-all", follow_redirects=True)
    assert b"3 API tokens have ended." in response.data
    for plain in plains:
        headers = {"Authorization": f"Bearer {plain}"}
        assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    assert all(t.revoked_at is None for t in _tokens(db, other.id))
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "api_token.revoke_all")
    )
    assert event.actor_id == employee.user.id and event.changes == {"tokens": 3}


def test_end_all_tokens_needs_the_forms_csrf_token(app, db, login_as):
    employee = login_as("employee")
    create_api_token(employee.user, employee.user, "t")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = employee.get("/profile/tokens/revoke-all").data.decode()
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        assert employee.post("/profile/tokens/revoke-all").status_code == 400
        assert all(t.revoked_at is None for t in _tokens(db, employee.user.id))
        response = employee.post("/profile/tokens/revoke-all", data={"csrf_token": token})
        assert response.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert all(t.revoked_at is not None for t in _tokens(db, employee.user.id))
