"""An application from draft to a placement waiting for Seoul, in English and in Japanese."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from hrfund.applications import calls
from hrfund.auth.models import User
from hrfund.core.fiscal import fiscal_year_of, tokyo_today
from hrfund.extensions import db
from hrfund.fund import services as fund
from tests.browser.conftest import journey_employee, shot

MANAGER = "sato.hanako@metro.tokyo.example"
HR = "suzuki.ichiro@metro.tokyo.example"
COORDINATOR = "kim.minji@seoul.example"

TEXT = {
    "en": {
        "apply": "Apply",
        "submit": "Save and submit",
        "endorse": "Endorse",
        "approve": "Approve and commit",
        "attach": "Attach",
    },
    "ja": {
        "apply": "応募する",
        "submit": "保存して提出",
        "endorse": "推薦する",
        "approve": "承認して予算を確保",
        "attach": "添付",
    },
}


def _open_call(app, title: str) -> int:
    with app.app_context():
        hr = db.session.scalar(sa.select(User).where(User.email == HR))
        today = tokyo_today()
        fy = fiscal_year_of(today)
        fund.contribute(hr, 10_000_000, today)
        fund.allocate(hr, fy, "outgoing", 4_000_000)
        call = calls.create_call(
            hr,
            title=title,
            fiscal_year=fy,
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=14),
            slots=[{"city": "SEL", "positions": 2, "months": 6, "estimated_cost_jpy": 1_500_000}],
            rules={"min_years_of_service": 3},
        )
        calls.open_call(hr, call)
        db.session.commit()
        return call.id


def _login(page, email, language):
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill("Tokyo-Diplomacy-2026")
    page.locator("#submit").click()
    page.wait_for_selector("#logout")
    page.locator(f"#language-switch button[value={language}]").click()
    page.wait_for_selector(f"html[lang={language}]")


def _logout(page):
    page.locator("#logout").click()
    page.wait_for_url("**/login")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_application_journey(page, live_app, language):
    text = TEXT[language]
    call_id = _open_call(live_app, f"Seoul secondment ({language})")
    employee = journey_employee(live_app, f"journey.applicant.{language}@metro.tokyo.example")

    _login(page, employee, language)
    page.goto(f"/calls/{call_id}")
    page.get_by_role("link", name=text["apply"]).click()
    page.locator("#preference_1").select_option("SEL")
    page.locator("#statement").fill("ソウル市の都市再生事業に参加し、都の政策に活かしたい。")
    page.locator("#start_on").fill("2027-01-04")
    page.locator("#end_on").fill("2027-06-30")
    page.locator("#travel_jpy").fill("250000")
    page.locator("#stipend_jpy").fill("600000")
    page.locator("#housing_jpy").fill("450000")
    assert page.locator("#budget-total").inner_text() == "1,300,000"
    page.locator("#save").click()  # a draft first
    page.wait_for_selector("[data-status=draft]")
    page.locator("#file").set_input_files(
        files=[{"name": "履歴書.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% CV\n"}]
    )
    page.get_by_role("button", name=text["attach"]).click()
    page.wait_for_selector("text=履歴書.pdf")
    page.locator("#submit-application").click()
    page.wait_for_selector("[data-status=submitted]")
    shot(page, f"application-submitted-{language}")
    application_url = page.url
    _logout(page)

    _login(page, MANAGER, language)
    page.goto(application_url)
    page.locator("#comment").fill("推薦します。")
    page.get_by_role("button", name=text["endorse"]).click()
    page.wait_for_selector("[data-status=endorsed]")
    _logout(page)

    _login(page, HR, language)
    page.goto(application_url)
    page.locator("#approve-application").click()
    page.locator("#amount_jpy").fill("1300000")
    available = int(page.locator("#line-figures").get_attribute("data-available"))
    assert f"{available - 1_300_000:,}" in page.locator("#left-after").inner_text()
    shot(page, f"application-approve-{language}")
    page.get_by_role("button", name=text["approve"]).click()
    page.wait_for_selector("[data-status=approved]")
    _logout(page)

    _login(page, employee, language)
    page.goto(application_url)
    page.locator("#placement-link").click()
    page.wait_for_selector("[data-status=proposed]")
    placement_url = page.url
    shot(page, f"employee-placement-{language}")
    _logout(page)

    _login(page, COORDINATOR, language)
    page.goto(placement_url)
    assert page.locator("#confirm-placement").is_visible()
    shot(page, f"coordinator-waiting-{language}")
