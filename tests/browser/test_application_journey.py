"""An application from draft to a placement waiting for Seoul, in English and in Japanese."""

from __future__ import annotations

import pytest

from tests.browser.conftest import journey_employee, open_seoul_call, shot

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
    call_id = open_seoul_call(live_app, f"Seoul secondment ({language})")
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
