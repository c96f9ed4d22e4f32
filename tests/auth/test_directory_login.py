"""Directory sign-in through the login page, against a real slapd (tests/ldap_server.py)."""

from __future__ import annotations

import socket

import sqlalchemy as sa
from flask_babel import force_locale

from hrfund.auth import directory_login
from hrfund.auth.models import User
from hrfund.core.audit import AuditEvent
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.ldap_server import GROUPS_DN, PEOPLE_DN, STAFF_PASSWORD

WRONG = b"Wrong e-mail address or password."


def _login(client, login, password=STAFF_PASSWORD):
    return client.post("/login", data={"email": login, "password": password})


def _user(db, uid) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.directory_uid == uid))


def _departments():
    return factories.department("SEIKATSU"), factories.department("KIKAKU")


def _group_member(slapd, group, uid, *, add: bool):
    slapd.ldif(
        f"dn: cn={group},{GROUPS_DN}\nchangetype: modify\n"
        f"{'add' if add else 'delete'}: member\nmember: uid={uid},{PEOPLE_DN}\n",
        modify=True,
    )


def test_first_sign_in_creates_the_user_from_the_directory(db, client, directory):
    seikatsu, _ = _departments()
    db.session.commit()
    response = _login(client, "hsato@metro.tokyo.example")
    assert response.status_code == 302, response.data[:400]
    assert client.get("/").status_code == 200
    user = _user(db, "hsato")
    assert (user.family_name, user.given_name) == ("佐藤", "花子")
    assert (user.family_name_kana, user.given_name_kana) == ("サトウ", "ハナコ")
    assert (user.family_name_romaji, user.given_name_romaji) == ("Sato", "Hanako")
    assert user.employee_number == "D1001"
    assert user.department_id == seikatsu.id
    assert user.email == "hsato@metro.tokyo.example"
    assert user.auth_source == "directory" and user.password_hash is None
    assert {r.value for r in user.roles} == {"employee"}
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.object_id == str(user.id), AuditEvent.actor_label == "directory"
        )
    ).all()
    assert {"user.create", "user.directory_link"} <= set(actions)


def test_sign_in_with_the_directory_login_name(db, client, directory):
    _departments()
    db.session.commit()
    assert _login(client, "hsato").status_code == 302
    assert _user(db, "hsato").email == "hsato@metro.tokyo.example"


def test_each_sign_in_updates_the_user(db, client, app, directory):
    _departments()
    db.session.commit()
    assert _login(client, "hsato").status_code == 302
    client.post("/logout")
    change = "dn: uid=hsato,{p}\nchangetype: modify\nreplace: {a}\n{a}: {v}\n"
    directory.ldif(change.format(p=PEOPLE_DN, a="sn;lang-ja", v="佐々木"), modify=True)
    directory.ldif(change.format(p=PEOPLE_DN, a="departmentNumber", v="KIKAKU"), modify=True)
    try:
        assert _login(app.test_client(), "hsato").status_code == 302
        user = _user(db, "hsato")
        assert user.family_name == "佐々木"
        assert user.department.code == "KIKAKU"
        update = db.session.scalar(
            sa.select(AuditEvent).where(
                AuditEvent.action == "user.update", AuditEvent.object_id == str(user.id)
            )
        )
        assert update.changes["family_name"] == ["佐藤", "佐々木"]
        assert update.actor_label == "directory"
    finally:
        directory.ldif(change.format(p=PEOPLE_DN, a="sn;lang-ja", v="佐藤"), modify=True)
        directory.ldif(change.format(p=PEOPLE_DN, a="departmentNumber", v="SEIKATSU"), modify=True)


def test_roles_follow_the_groups_at_each_sign_in(db, app, directory):
    _departments()
    db.session.commit()
    assert _login(app.test_client(), "hsato").status_code == 302
    assert {r.value for r in _user(db, "hsato").roles} == {"employee"}
    _group_member(directory, "hrfund-hr", "hsato", add=True)
    try:
        assert _login(app.test_client(), "hsato").status_code == 302
        assert {r.value for r in _user(db, "hsato").roles} == {"employee", "hr"}
    finally:
        _group_member(directory, "hrfund-hr", "hsato", add=False)
    assert _login(app.test_client(), "hsato").status_code == 302
    assert {r.value for r in _user(db, "hsato").roles} == {"employee"}


def test_a_manager_group_makes_a_manager_of_the_department(db, client, directory):
    _, kikaku = _departments()
    db.session.commit()
    assert _login(client, "mtanaka").status_code == 302
    user = _user(db, "mtanaka")
    assert {r.value for r in user.roles} == {"employee", "manager"}
    assert [d.code for d in user.managed_departments] == [kikaku.code]


def test_wrong_directory_password_is_refused_and_counted(db, client, directory):
    _departments()
    db.session.commit()
    response = _login(client, "hsato", "not-the-password-1")
    assert response.status_code == 200
    assert WRONG in response.data
    assert _user(db, "hsato") is None
    failed = db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "login.failed")
        .order_by(AuditEvent.id.desc())
    )
    assert failed.comment == "wrong password"


def test_disabled_directory_account_is_told_so(db, client, directory):
    response = _login(client, "kito")
    assert response.status_code == 200
    assert b"Your directory account is disabled." in response.data
    assert _user(db, "kito") is None


def test_a_person_in_no_mapped_group_is_told_so(db, client, directory):
    response = _login(client, "ynogroup")
    assert response.status_code == 200
    assert b"in no group that may use this system" in response.data
    assert _user(db, "ynogroup") is None


def test_an_unreachable_directory_is_told_so(db, client, app, directory, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setitem(app.config, "LDAP_URL", f"ldap://127.0.0.1:{port}")
    response = _login(client, "hsato")
    assert response.status_code == 200
    assert b"The staff directory cannot be reached just now." in response.data


def test_japanese_messages_on_the_login_page(db, app, directory):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ja"
    response = _login(client, "kito")
    with force_locale("ja"):
        from flask_babel import gettext

        expected = gettext("Your directory account is disabled. Ask the personnel division.")
    assert expected != "Your directory account is disabled. Ask the personnel division."
    assert expected in response.get_data(as_text=True)


def test_local_password_of_a_directory_user_until_switched_off(db, app, directory):
    _departments()
    db.session.commit()
    assert _login(app.test_client(), "hsato").status_code == 302
    user = _user(db, "hsato")
    from hrfund.auth import services

    services.set_password(None, user, TEST_PASSWORD)
    db.session.commit()
    assert _login(app.test_client(), "hsato@metro.tokyo.example", TEST_PASSWORD).status_code == 302
    admin = factories.user(["admin"])
    directory_login.set_local_passwords_allowed(admin, False)
    db.session.commit()
    response = _login(app.test_client(), "hsato@metro.tokyo.example", TEST_PASSWORD)
    assert response.status_code == 200 and WRONG in response.data
    # the directory password still works
    assert _login(app.test_client(), "hsato@metro.tokyo.example").status_code == 302
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "setting.update"))
    assert event.changes == {"directory_users_local_passwords": [True, False]}


def test_coordinator_and_local_admin_keep_local_passwords(db, app, directory):
    coordinator = factories.user(["coordinator"])
    admin = factories.user(["admin"], email="hsato@metro.tokyo.example")
    directory_login.set_local_passwords_allowed(admin, False)
    db.session.commit()
    assert _login(app.test_client(), coordinator.email, TEST_PASSWORD).status_code == 302
    assert _login(app.test_client(), admin.email, TEST_PASSWORD).status_code == 302
    # the directory does not take over the local admin account that has its address
    response = _login(app.test_client(), "hsato")
    assert response.status_code == 200 and WRONG in response.data
    db.session.expire_all()
    assert db.session.get(User, admin.id).auth_source == "local"


def test_a_local_staff_account_is_taken_over_by_the_directory(db, app, directory):
    _departments()
    local = factories.user(["employee"], email="tsuzuki@metro.tokyo.example")
    db.session.commit()
    assert _login(app.test_client(), "tsuzuki").status_code == 302
    user = _user(db, "tsuzuki")
    assert user.id == local.id and user.auth_source == "directory"
    assert {r.value for r in user.roles} == {"employee", "hr"}


def test_without_ldap_the_directory_password_is_not_tried(db, client):
    response = _login(client, "hsato")
    assert response.status_code == 200 and WRONG in response.data


def test_admin_switches_local_passwords_off_on_the_admin_page(db, login_as, directory):
    admin = login_as("admin")
    page = admin.get("/admin/directory")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert directory.url in text and "hrfund-bind-secret" not in text
    assert '<input checked class="form-check-input" id="local_passwords"' in text
    response = admin.post("/admin/directory", data={"submit": "Save"})
    assert response.status_code == 302
    assert directory_login.local_passwords_allowed() is False
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "setting.update"))
    assert event.actor_id == admin.user.id
    admin.post("/admin/directory", data={"local_passwords": "y", "submit": "Save"})
    assert directory_login.local_passwords_allowed() is True


def test_the_lockout_holds_for_directory_sign_in(db, app, directory, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_THRESHOLD", 3)
    client = app.test_client()
    for _ in range(2):
        assert WRONG in _login(client, "hsato", "not-the-password-1").data
    assert b"Too many failed attempts." in _login(client, "hsato", "not-the-password-1").data
    response = _login(client, "hsato")  # the right directory password, while locked
    assert b"Too many failed attempts." in response.data
    assert _user(db, "hsato") is None


def test_department_groups_win_over_the_department_attribute(db, client, app, directory):
    _departments()
    gov = factories.department("GOV-INT")
    db.session.commit()
    app.config["LDAP_DEPARTMENT_GROUPS"] = {f"cn=hrfund-staff,{GROUPS_DN}": gov.code}
    try:
        assert _login(client, "hsato").status_code == 302
    finally:
        app.config["LDAP_DEPARTMENT_GROUPS"] = {}
    assert _user(db, "hsato").department.code == "GOV-INT"


def test_filter_characters_in_the_login_name_find_nobody(db, client, directory):
    for login in ("*", "hsato)(uid=*", "h*"):
        response = _login(client, login)
        assert response.status_code == 200 and WRONG in response.data


def test_a_refused_service_account_reads_as_an_unreachable_directory(
    db, client, app, directory, monkeypatch
):
    monkeypatch.setitem(app.config, "LDAP_BIND_PASSWORD", "not-the-bind-password")
    response = _login(client, "hsato")
    assert b"The staff directory cannot be reached just now." in response.data


def test_a_locally_deactivated_directory_user_stays_out(db, app, directory):
    from hrfund.auth import services

    _departments()
    db.session.commit()
    assert _login(app.test_client(), "hsato").status_code == 302
    services.set_active(None, _user(db, "hsato"), False)
    db.session.commit()
    response = _login(app.test_client(), "hsato")
    assert b"This account is deactivated." in response.data


def test_an_empty_password_never_binds(app, directory):
    import pytest

    from hrfund.auth import directory as ldap

    with app.app_context(), pytest.raises(ldap.WrongCredentials):
        ldap.authenticate("hsato", "")


def test_the_admin_sees_which_accounts_come_from_the_directory(db, app, login_as, directory):
    _departments()
    db.session.commit()
    assert _login(app.test_client(), "hsato").status_code == 302
    admin = login_as("admin")
    user = _user(db, "hsato")
    assert 'id="auth-source"' in admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    listing = admin.get("/admin/users?q=hsato").get_data(as_text=True)
    assert "Directory</span>" in listing
    local = factories.user(["employee"])
    db.session.commit()
    assert 'id="auth-source"' not in admin.get(f"/admin/users/{local.id}").get_data(as_text=True)


def test_name_and_address_count_against_one_account(db, app, directory, monkeypatch):
    _departments()
    db.session.commit()
    assert _login(app.test_client(), "hsato").status_code == 302
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_THRESHOLD", 3)
    client = app.test_client()
    assert WRONG in _login(client, "hsato", "not-the-password-1").data
    assert WRONG in _login(client, "hsato@metro.tokyo.example", "not-the-password-1").data
    assert b"Too many failed attempts." in _login(client, "HSATO", "not-the-password-1").data
    assert _user(db, "hsato").is_locked


def test_the_profile_of_a_directory_user_points_to_the_directory_password(db, app, directory):
    _departments()
    db.session.commit()
    client = app.test_client()
    assert _login(client, "hsato").status_code == 302
    page = client.get("/profile").get_data(as_text=True)
    assert 'id="directory-password"' in page and 'name="current_password"' not in page


def test_an_unreachable_directory_opens_no_way_round_the_lockout(db, app, directory, monkeypatch):
    local = factories.user(["employee"])
    db.session.commit()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setitem(app.config, "LDAP_URL", f"ldap://127.0.0.1:{port}")
    response = _login(app.test_client(), local.email, "not-the-password-1")
    assert WRONG in response.data
    db.session.expire_all()
    assert db.session.get(User, local.id).failed_logins == 1
    # its right local password still works while the directory is away
    assert _login(app.test_client(), local.email, TEST_PASSWORD).status_code == 302
