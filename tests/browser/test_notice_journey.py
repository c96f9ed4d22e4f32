"""In a real browser: an employee submits, the manager finds the notice in the app, in their
language, and follows its link to the application."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from hrfund.applications import calls
from hrfund.applications import services as applications
from hrfund.auth.models import User
from hrfund.core.fiscal import fiscal_year_of, tokyo_today
from hrfund.extensions import db
from tests.browser.conftest import shot

EMPLOYEE = "yamada.taro@metro.tokyo.example"
MANAGER = "sato.hanako@metro.tokyo.example"
HR = "suzuki.ichiro@metro.tokyo.example"
TITLE = {"en": "Application to endorse: Taro Yamada", "ja": "推薦待ちの応募: 山田 太郎"}
OPEN = {"en": "Open", "ja": "開く"}


def _draft(app, title: str) -> int:
    """An open call and the employee's draft application to it (prepared in the database)."""
    with app.app_context():
        hr = db.session.scalar(sa.select(User).where(User.email == HR))
        employee = db.session.scalar(sa.select(User).where(User.email == EMPLOYEE))
        today = tokyo_today()
        call = calls.create_call(
            hr,
            title=title,
            fiscal_year=fiscal_year_of(today),
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=14),
            slots=[{"city": "SEL", "positions": 1, "months": 6, "estimated_cost_jpy": 1_500_000}],
            rules={"min_years_of_service": 3},
        )
        calls.open_call(hr, call)
        application = applications.create_application(
            employee,
            call,
            preferences=["SEL"],
            statement="ソウル市の都市再生事業に参加し、都の政策に活かしたい。",
            start_on=date(today.year + 1, 4, 1),
            end_on=date(today.year + 1, 9, 30),
            travel_jpy=250_000,
            stipend_jpy=600_000,
            housing_jpy=450_000,
        )
        db.session.commit()
        return application.id


def _login(tab, email, language):
    tab.goto("/login")
    tab.locator("#email").fill(email)
    tab.locator("#password").fill("Tokyo-Diplomacy-2026")
    tab.locator("#submit").click()
    tab.wait_for_selector("#logout")
    tab.locator(f"#language-switch button[value={language}]").click()
    tab.wait_for_selector(f"html[lang={language}]")


def _logout(tab):
    tab.locator("#logout").click()
    tab.wait_for_url("**/login")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_manager_is_told_of_a_submission_and_follows_the_link(
    page,
    live_app,
    live_server,
    language,
    monkeypatch,
):
    monkeypatch.setitem(live_app.config, "PUBLIC_BASE_URL", live_server)  # where users reach it
    application_id = _draft(live_app, f"Notice journey ({language})")
    _login(page, MANAGER, language)  # the manager's language, remembered for the notice
    _logout(page)

    _login(page, EMPLOYEE, language)
    page.goto(f"/applications/{application_id}")
    page.locator("#submit-application").click()
    page.wait_for_selector("[data-status=submitted]")
    _logout(page)

    _login(page, MANAGER, language)
    page.goto("/notifications?unread=1")
    item = (
        page.locator("#notifications li", has_text=TITLE[language])
        .filter(has=page.locator("form[action$='/read']"))
        .first  # newest first: this submission's, not another test's for the same manager
    )
    assert item.is_visible()
    assert item.locator(".fw-bold").inner_text() == TITLE[language]
    text = item.inner_text()
    assert ("様" not in text) and ("Dear" not in text) and ("--" not in text)
    shot(page, f"notice-manager-notifications-{language}")
    item.get_by_role("button", name=OPEN[language]).click()
    page.wait_for_url(f"**/applications/{application_id}")
    page.wait_for_selector("[data-status=submitted]")
    shot(page, f"notice-manager-followed-link-{language}")
