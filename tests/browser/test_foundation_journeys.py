"""Log in as each role, see that role's navigation, switch language, log out — in Chromium."""

from __future__ import annotations

import pytest

from tests.browser.conftest import shot

DEMO = {
    "employee": "yamada.taro@metro.tokyo.example",
    "manager": "sato.hanako@metro.tokyo.example",
    "hr": "suzuki.ichiro@metro.tokyo.example",
    "coordinator": "kim.minji@seoul.example",
    "auditor": "takahashi.kenji@metro.tokyo.example",
    "admin": "admin@metro.tokyo.example",
}
NAV = {
    "employee": {"home", "cities", "departments"},
    "manager": {"home", "cities", "departments"},
    "hr": {"home", "cities", "departments", "audit"},
    "coordinator": {"home", "cities", "departments"},
    "auditor": {"home", "cities", "departments", "audit", "users"},  # reads the accounts
    "admin": {"home", "cities", "departments", "users"},
}
FOUNDATION_KEYS = {"home", "cities", "departments", "audit", "users"}


@pytest.mark.parametrize("role", list(DEMO))
def test_each_role_sees_its_navigation(page, login, role):
    login(DEMO[role])
    page.wait_for_selector("#role-nav")
    keys = set(
        page.locator("#role-nav [data-nav]").evaluate_all("links => links.map(a => a.dataset.nav)")
    )
    # modules added later bring their own entries; the foundation's must be exactly these
    assert keys & FOUNDATION_KEYS == NAV[role]
    shot(page, f"nav-{role}")
    page.locator("#logout").click()
    page.wait_for_url("**/login")


def test_switch_to_japanese_and_back(page, login):
    login(DEMO["coordinator"])
    page.locator("#language-switch button[value=en]").click()
    page.wait_for_selector("text=Log out")
    page.get_by_role("button", name="日本語").click()
    page.wait_for_selector("text=ログアウト")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("link", name="パートナー都市").first.is_visible()
    shot(page, "home-ja")
    page.get_by_role("link", name="パートナー都市").first.click()
    page.wait_for_selector("text=ソウル")
    shot(page, "cities-ja")
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("text=Log out")


def test_wrong_password_shows_the_error(page, login):
    login(DEMO["hr"], password="not-the-password")
    error = page.locator("#login-error")
    assert error.inner_text() == "Wrong e-mail address or password."
    assert page.get_by_label("E-mail address").input_value() == DEMO["hr"]
    shot(page, "login-error")


def test_logout_ends_the_session(page, login):
    login(DEMO["auditor"])
    page.locator("#language-switch button[value=ja]").click()
    page.wait_for_selector("html[lang=ja]")
    page.goto("/audit")
    assert page.locator("h1").inner_text() == "監査ログ"
    page.locator("#logout").click()
    page.wait_for_url("**/login")
    page.goto("/audit")
    assert "/login" in page.url


def test_hr_adds_a_city_with_keyboard_and_sees_errors(page, login):
    login(DEMO["hr"])
    page.locator("#language-switch button[value=en]").click()
    page.wait_for_selector("html[lang=en]")
    page.goto("/cities/new")
    page.get_by_label("Code").fill("TOR")
    page.get_by_label("Name (English)").fill("Toronto")
    page.get_by_label("Name (Japanese)").fill("トロント")
    page.get_by_label("Country (ISO 3166)").fill("CA")
    page.get_by_label("Time zone (IANA)").fill("Toronto")  # wrong: not an IANA zone
    page.get_by_label("Currency (ISO 4217)").fill("CAD")
    page.get_by_label("Currency (ISO 4217)").press("Enter")
    page.wait_for_selector(".invalid-feedback")
    assert "IANA" in page.locator(".invalid-feedback").first.inner_text()
    assert page.get_by_label("Name (Japanese)").input_value() == "トロント"
    shot(page, "city-form-error")
    page.get_by_label("Time zone (IANA)").fill("America/Toronto")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Toronto is added.")
    shot(page, "city-added")
