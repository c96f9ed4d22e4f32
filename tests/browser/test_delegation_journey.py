"""A manager names a deputy from the navigation; a partner-city account is refused with the rule
it breaks; the deputy finds it from the profile; the manager ends it early. English, Japanese."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hrfund.core.fiscal import tokyo_today
from tests.browser.conftest import shot
from tests.browser.test_application_journey import _login, _logout

MANAGER = "sato.hanako@metro.tokyo.example"
DEPUTY = "yamada.taro@metro.tokyo.example"  # of the department she heads
COORDINATOR = "kim.minji@seoul.example"

TEXT = {
    "en": {
        "rule": "a partner-city account cannot stand in for you",
        "named": "Your deputy is named.",
        "end": "End early",
        "confirm": "loses these powers at once",
        "ended": "The delegation has ended",
        "state_ended": "ended",
    },
    "ja": {
        "rule": "パートナー都市のアカウントは代理人になれません",
        "named": "代理人を指定しました",
        "end": "早期終了",
        "confirm": "直ちに失います",
        "ended": "代理を終了しました",
        "state_ended": "終了",
    },
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_delegation_journey(page, live_app, language):
    text = TEXT[language]
    today = tokyo_today()
    _login(page, MANAGER, language)
    page.locator("[data-nav=delegations]").click()
    page.wait_for_selector("#new-delegation")

    page.locator("#deputy").fill(COORDINATOR)
    page.locator("#starts_on").fill(today.isoformat())
    page.locator("#ends_on").fill((today + timedelta(days=14)).isoformat())
    page.locator("#submit").click()
    refusal = page.locator("#new-delegation .invalid-feedback")
    assert text["rule"] in refusal.inner_text()
    assert page.locator("#deputy").input_value() == COORDINATOR  # what was typed stays
    shot(page, f"delegation-refused-{language}")

    page.locator("#deputy").fill(DEPUTY)
    page.locator("#submit").click()
    page.wait_for_selector(".alert-success")
    assert text["named"] in page.locator(".alert-success").inner_text()
    row = page.locator("#delegations tbody tr", has_text=DEPUTY).first
    assert row.locator("a", has_text=text["end"]).count() == 1
    shot(page, f"delegation-named-{language}")
    _logout(page)

    _login(page, DEPUTY, language)  # the deputy finds it from the profile, cannot end it
    page.goto("/profile")
    page.locator("#deputies a").click()
    row = page.locator("#delegations tbody tr", has_text=DEPUTY).first
    assert row.is_visible() and row.locator("a", has_text=text["end"]).count() == 0
    shot(page, f"delegation-deputy-{language}")
    _logout(page)

    _login(page, MANAGER, language)
    page.locator("[data-nav=delegations]").click()
    page.locator("#delegations a", has_text=text["end"]).first.click()
    page.wait_for_selector("#end-delegation")
    assert text["confirm"] in page.locator(".alert-warning").inner_text()
    shot(page, f"delegation-end-confirm-{language}")
    page.locator("#end-delegation #submit").click()
    page.wait_for_selector(".alert-success")
    assert text["ended"] in page.locator(".alert-success").inner_text()
    assert page.locator("#delegations a", has_text=text["end"]).count() == 0
    assert text["state_ended"] in page.locator("#delegations tbody tr").first.inner_text()
    shot(page, f"delegation-ended-{language}")
    _logout(page)
