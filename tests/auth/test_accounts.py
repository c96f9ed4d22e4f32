"""Admin account pages, profile settings, API tokens and the users CLI."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hrfund.auth.models import ApiToken, Role, User
from hrfund.core.audit import AuditEvent
from tests import factories


def _events(db, action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_admin_creates_a_coordinator(db, login_as):
    admin = login_as("admin")
    factories.city("SEL")
    db.session.commit()
    response = admin.post(
        "/admin/users/new",
        data={
            "email": "Park.Jisoo@Seoul.example",
            "family_name_romaji": "Park",
            "given_name_romaji": "Jisoo",
            "roles": ["coordinator"],
            "city": "SEL",
            "locale": "en",
            "timezone": "Asia/Seoul",
            "password": "Seoul-Partner-2026",
        },
    )
    assert response.status_code == 302, response.data[:400]
    user = db.session.scalar(sa.select(User).where(User.email == "Park.Jisoo@seoul.example"))
    assert user.roles == {Role.COORDINATOR} and user.city.code == "SEL"
    assert _events(db, "user.create")


def test_admin_form_errors_keep_what_was_typed(db, login_as):
    admin = login_as("admin")
    response = admin.post(
        "/admin/users/new",
        data={
            "email": "tanaka.misaki@metro.tokyo.example",
            "family_name": "田中",
            "family_name_romaji": "Tanaka",
            "given_name_romaji": "Misaki",
            "roles": ["coordinator"],
            "locale": "ja",
            "timezone": "Asia/Tokyo",
        },
    )
    assert response.status_code == 422
    assert b"A coordinator must be bound to a partner city." in response.data
    assert "田中".encode() in response.data
    assert b"tanaka.misaki@metro.tokyo.example" in response.data
    assert not db.session.scalar(sa.select(User).where(User.email.like("tanaka.misaki%")))


def test_duplicate_email_is_refused_case_insensitively(db, login_as):
    admin = login_as("admin")
    existing = factories.user(["employee"])
    db.session.commit()
    response = admin.post(
        "/admin/users/new",
        data={
            "email": existing.email.upper(),
            "family_name_romaji": "X",
            "given_name_romaji": "Y",
            "roles": ["employee"],
            "locale": "en",
            "timezone": "Asia/Tokyo",
        },
    )
    assert response.status_code == 422
    assert b"exists already" in response.data


def test_admin_edits_roles_and_manager_departments(db, login_as):
    admin = login_as("admin")
    dept = factories.department("GA-PER")
    user = factories.user(["employee"])
    db.session.commit()
    response = admin.post(
        f"/admin/users/{user.id}",
        data={
            "email": user.email,
            "family_name_romaji": "Sato",
            "given_name_romaji": "Hanako",
            "roles": ["employee", "manager"],
            "manages": ["GA-PER"],
            "department": "GA-PER",
            "locale": "ja",
            "timezone": "Asia/Tokyo",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.roles == {Role.EMPLOYEE, Role.MANAGER}
    assert [d.code for d in user.managed_departments] == [dept.code]
    event = _events(db, "user.update")[-1]
    assert "roles" in event.changes and "manages" in event.changes


def test_deactivation_asks_for_confirmation(db, login_as):
    admin = login_as("admin")
    user = factories.user(["employee"])
    db.session.commit()
    page = admin.get(f"/admin/users/{user.id}/deactivate")
    assert page.status_code == 200 and b"Deactivate" in page.data
    db.session.expire_all()
    assert db.session.get(User, user.id).active


def test_admin_cannot_deactivate_self(db, login_as):
    admin = login_as("admin")
    response = admin.post(f"/admin/users/{admin.user.id}/deactivate")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, admin.user.id).active


def test_admin_cannot_drop_their_own_admin_role(db):
    from hrfund.auth import services as auth_services
    from hrfund.core.errors import ValidationFailed

    admin = factories.user(["admin"])
    from flask_babel import force_locale

    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        auth_services.update_user(admin, admin, roles=["employee"])
    assert "administrator role" in refused.value.fields["roles"][0]
    assert "admin" in {str(r) for r in admin.roles}
    other = factories.user(["admin"])
    auth_services.update_user(other, admin, roles=["employee"], department=factories.department())
    assert "admin" not in {str(r) for r in admin.roles}


def test_user_list_searches_and_paginates(db, login_as):
    admin = login_as("admin")
    factories.user(["employee"], email="yamamoto.ken@metro.tokyo.example")
    db.session.commit()
    response = admin.get("/admin/users?q=yamamoto")
    assert b"yamamoto.ken@metro.tokyo.example" in response.data
    assert admin.get("/admin/users?page=abc").status_code == 400


def test_profile_settings_remember_language(db, login_as):
    c = login_as("employee")
    response = c.post("/profile/settings", data={"locale": "ja", "timezone": "Europe/Berlin"})
    assert response.status_code == 302
    page = c.get("/profile")
    assert "プロフィール".encode() in page.data
    response = c.post("/profile/settings", data={"locale": "xx", "timezone": "Mars/Base"})
    assert response.status_code == 422


def test_language_switch_is_remembered_per_user(app, db, login_as):
    c = login_as("employee")
    c.post("/language", data={"locale": "ja", "next": "/"})
    db.session.expire_all()
    assert db.session.get(User, c.user.id).locale == "ja"
    # a new session of the same user comes back in Japanese
    other = app.test_client()
    other.post("/login", data={"email": c.user.email, "password": factories.TEST_PASSWORD})
    assert "ホーム".encode() in other.get("/").data


def test_token_is_shown_once_stored_hashed_and_revocable(db, login_as):
    c = login_as("employee")
    response = c.post("/profile/tokens", data={"name": "laptop script"})
    assert response.status_code == 200
    text = response.data.decode()
    plain = text.split('id="new-token">')[1].split("<")[0]
    assert plain.startswith("hrf_")
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == c.user.id))
    assert plain not in (token.token_hash, token.prefix)
    headers = {"Authorization": f"Bearer {plain}"}
    assert c.get("/api/v1/me", headers=headers).status_code == 200
    assert plain not in c.get("/profile").data.decode()
    assert c.post(f"/profile/tokens/{token.id}/revoke").status_code == 302
    fresh = c.application.test_client()
    assert fresh.get("/api/v1/me", headers=headers).status_code == 401


def test_cannot_revoke_someone_elses_token(db, login_as, api_as):
    other = api_as("employee")
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == other.user.id))
    c = login_as("employee")
    assert c.post(f"/profile/tokens/{token.id}/revoke").status_code == 404


def test_cli_creates_user_and_token(app, db):
    factories.department("GOV-INT")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "kobayashi.yui@metro.tokyo.example",
            "--name",
            "小林 結衣",
            "--password",
            "Kobayashi-Secret-42",
            "--role",
            "employee",
            "--role",
            "manager",
            "--department",
            "GOV-INT",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(
        sa.select(User).where(User.email == "kobayashi.yui@metro.tokyo.example")
    )
    assert user.family_name == "小林" and user.display_name("ja") == "小林 結衣"
    assert [d.code for d in user.managed_departments] == ["GOV-INT"]
    result = runner.invoke(args=["users", "token", user.email, "--name", "ci"])
    assert result.exit_code == 0, result.output
    plain = result.output.strip().splitlines()[-1]
    client = app.test_client()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert me.status_code == 200 and me.json["email"] == user.email
    assert set(me.json["roles"]) == {"employee", "manager"}


def test_cli_refuses_bad_input(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "not-an-email",
            "--name",
            "X Y",
            "--password",
            "Kobayashi-Secret-42",
            "--role",
            "employee",
        ]
    )
    assert (
        result.exit_code != 0 and "正しいメールアドレス" in result.output
    )  # CLI speaks the default language
    result = runner.invoke(
        args=[
            "users",
            "create",
            "a@metro.tokyo.example",
            "--name",
            "X Y",
            "--password",
            "qwerty123",
            "--role",
            "employee",
        ]
    )
    assert result.exit_code != 0 and "よく使われている" in result.output
    result = runner.invoke(args=["users", "token", "ghost@metro.tokyo.example"])
    assert result.exit_code != 0


def test_names_follow_each_languages_order(db):
    user = factories.user(
        ["employee"],
        family_name="山田",
        given_name="太郎",
        family_name_romaji="Yamada",
        given_name_romaji="Taro",
    )
    assert user.display_name("ja") == "山田 太郎"
    assert user.display_name("en") == "Taro Yamada"


def test_roles_are_named_in_the_readers_language(db, login_as):
    admin = login_as("admin", locale="ja")
    factories.user(["employee", "hr"], email="jinji@metro.tokyo.example")
    db.session.commit()
    page = admin.get("/admin/users?q=jinji").get_data(as_text=True)
    assert "人事" in page and ", hr" not in page
    profile = admin.get("/profile").get_data(as_text=True)
    assert "管理者" in profile
