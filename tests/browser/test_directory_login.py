"""Directory sign-in in Chromium, against a real slapd: a member of staff signs in with the
directory password (in Japanese), and a disabled account and a person in no group are told why
(in English)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hrfund.auth.models import User
from hrfund.extensions import db as _db
from tests.browser.conftest import shot
from tests.ldap_server import STAFF_PASSWORD, slapd  # noqa: F401 - the session's slapd


@pytest.fixture
def live_directory(live_app, slapd, monkeypatch):  # noqa: F811
    """The live server pointed at the test slapd; staff of the group land in GOV-INT."""
    settings = slapd.config(LDAP_DEPARTMENT_GROUPS={"hrfund-staff": "GOV-INT"})
    for name, value in settings.items():
        monkeypatch.setitem(live_app.config, name, value)
    return slapd


def _sign_in(page, login: str, password: str = STAFF_PASSWORD):
    page.goto("/login")
    page.locator("input[name=email]").fill(login)
    page.locator("input[name=password]").fill(password)
    page.locator("input[type=submit], button[type=submit]").first.click()


def test_staff_sign_in_with_the_directory_in_japanese(
    browser, live_server, live_app, live_directory
):
    context = browser.new_context(
        base_url=live_server, locale="ja-JP", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/login")
        shot(page, "directory-login-ja")
        _sign_in(page, "hsato@metro.tokyo.example")
        page.wait_for_selector("#logout")
        assert "ようこそ、佐藤 花子" in page.content()
        shot(page, "directory-signed-in-ja")
        with live_app.app_context():
            user = _db.session.scalar(sa.select(User).where(User.directory_uid == "hsato"))
            assert user.auth_source == "directory"
            assert user.kana_name() == "サトウ ハナコ"
            assert user.department.code == "GOV-INT"
        page.locator("#logout").click()
        page.wait_for_url("**/login")
        _sign_in(page, "kito")
        error = page.locator("#login-error")
        assert "無効" in error.inner_text()
        shot(page, "directory-disabled-ja")
    finally:
        context.close()


def test_directory_refusals_in_english(page, live_directory):
    _sign_in(page, "kito")
    assert (
        page.locator("#login-error").inner_text()
        == "Your directory account is disabled. Ask the personnel division."
    )
    shot(page, "directory-disabled-en")
    _sign_in(page, "ynogroup")
    assert "in no group that may use this system" in page.locator("#login-error").inner_text()
    shot(page, "directory-no-group-en")
    _sign_in(page, "hsato", "not-the-password-9")
    assert page.locator("#login-error").inner_text() == "Wrong e-mail address or password."


def test_admin_switches_local_passwords_for_directory_users(page, login, live_app, live_directory):
    from hrfund.auth import directory_login

    login("admin@metro.tokyo.example")  # the break-glass admin: a local password, LDAP or not
    page.wait_for_selector("#logout")
    if page.locator("html[lang=ja]").count() == 0:  # another test may have left the admin in en
        page.locator("button[name=locale][value=ja]").click()
        page.wait_for_selector("html[lang=ja]")
    page.goto("/admin/directory")
    assert "有効" in page.locator("#directory-status").inner_text()
    checkbox = page.locator("#local_passwords")
    assert checkbox.is_checked()
    checkbox.uncheck()
    page.locator("#submit").click()
    page.wait_for_selector(".alert-success")
    assert not page.locator("#local_passwords").is_checked()
    shot(page, "directory-admin-ja")
    with live_app.app_context():
        assert directory_login.local_passwords_allowed() is False
    page.locator("#local_passwords").check()
    page.locator("#submit").click()
    page.wait_for_selector(".alert-success")
    with live_app.app_context():
        assert directory_login.local_passwords_allowed() is True
