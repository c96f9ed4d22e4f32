"""Two journeys in Chromium: HR records a payment in euros and sees the fund overview change;
an employee adds an IELTS score, HR verifies it and then finds the employee in the talent pool."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from hrfund.core.fiscal import tokyo_today
from hrfund.extensions import db as _db
from hrfund.placements.models import Placement, PlacementStatus
from tests.browser.conftest import shot
from tests.browser.test_foundation_journeys import DEMO


def _yen(text: str) -> int:
    return int(text.replace("¥", "").replace(",", "").strip())


def _disbursed(page) -> int:
    page.goto("/fund/")
    cell = page.locator('#budget-lines tr[data-category="outgoing"] [data-figure="disbursed"]')
    return _yen(cell.inner_text())


def test_hr_pays_in_euros_and_the_overview_changes(page, login, live_app):
    with live_app.app_context():
        berlin = _db.session.scalar(
            sa.select(Placement.id).where(Placement.status == PlacementStatus.ACTIVE)
        )
    today = tokyo_today().isoformat()
    login(DEMO["hr"])
    page.wait_for_selector("#current-user")
    before = _disbursed(page)

    page.goto("/fund/fx-rates/new")
    page.locator("#currency").fill("EUR")
    page.locator("#rate_on").fill(today)
    page.locator("#jpy_per_unit").fill("162.35")
    page.locator("#submit").click()
    page.wait_for_url("**/fund/fx-rates")

    page.goto("/fund/disbursements/new")
    page.locator("#placement_id").fill(str(berlin))
    page.locator("#paid_on").fill(today)
    page.locator("#currency").fill("EUR")
    page.locator("#amount").fill("1000.50")
    page.locator("#amount").press("Tab")
    # the form fills in the recorded rate and shows the amount in yen before it is sent
    page.wait_for_function("document.getElementById('fx_rate').value !== ''")
    assert "162,431" in page.locator("#yen-preview").inner_text()
    page.locator("#memo").fill("ベルリン滞在費 / stipend in Berlin")
    shot(page, "fund-eur-disbursement-form")
    page.locator("#submit").click()
    page.wait_for_load_state()

    expected = int((Decimal("1000.50") * Decimal("162.35")).quantize(0, ROUND_HALF_UP))
    assert expected == 162_431
    assert _disbursed(page) == before + expected
    shot(page, "fund-overview-after-eur-payment")


def test_employee_score_verified_by_hr_is_found_in_the_talent_pool(page, login, browser):
    login(DEMO["manager"])  # Sato Hanako is an employee too, with no IELTS yet
    page.wait_for_selector("#current-user")
    page.goto("/training/scores/new")
    page.locator("#test").select_option("ielts")
    page.locator("#score").fill("7.5")
    page.locator("#taken_on").fill(tokyo_today().isoformat())
    page.locator("#submit").click()
    page.wait_for_load_state()
    shot(page, "training-score-added")
    page.locator("#logout").click()

    login(DEMO["hr"])
    page.wait_for_selector("#current-user")
    search = "/talent?language_test=ielts&min_score=6.5"
    page.goto(search)
    assert "Sato" not in page.locator("main").inner_text()  # unverified: not counted yet
    page.goto("/training/verification")
    row = page.locator("#unverified-scores tr", has_text="IELTS").filter(has=page.locator("button"))
    row.first.locator("form[action*='/verify'] button").click()  # Verify, in either language
    page.wait_for_load_state()
    page.goto(search)
    results = page.locator("#talent-results").inner_text()
    assert "Sato" in results or "佐藤" in results
    shot(page, "talent-pool-after-verification")
