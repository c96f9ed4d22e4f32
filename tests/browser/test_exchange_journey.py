"""The coordinator portal in Chromium: confirm a hosted employee, nominate an official; HR
accepts the nomination; the employee submits the mid-term report."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from hrfund.auth.models import User
from hrfund.core.fiscal import tokyo_today
from hrfund.extensions import db
from hrfund.fund import services as fund
from hrfund.org.models import PartnerCity
from hrfund.placements import services
from tests.browser.conftest import journey_employee, shot

SEOUL_COORDINATOR = "kim.minji@seoul.example"
HR = "suzuki.ichiro@metro.tokyo.example"
EMPLOYEE = "journey.exchange@metro.tokyo.example"  # see journey_employee


def _prepare(app) -> int:
    email = journey_employee(app, EMPLOYEE)  # committed before this context reads anything
    with app.app_context():
        hr = db.session.scalar(sa.select(User).where(User.email == HR))
        employee = db.session.scalar(sa.select(User).where(User.email == email))
        seoul = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.code == "SEL"))
        if not fund.summary(2026).lines:
            pass
        fund.contribute(hr, 20_000_000, date(2026, 4, 1))
        fund.allocate(hr, 2026, "outgoing", 5_000_000)
        fund.allocate(hr, 2026, "incoming", 3_000_000)
        placement = services.create_outgoing_placement(
            hr,
            person=employee,
            city=seoul,
            start_on=date(2026, 10, 1),
            end_on=date(2027, 3, 31),
            amount_jpy=1_500_000,
            purpose="Urban renewal exchange",
        )
        db.session.commit()
        return placement.id


def _login(page, email, password="Tokyo-Diplomacy-2026"):
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("#submit").click()
    page.wait_for_selector("#logout")
    page.locator("#language-switch button[value=en]").click()  # each journey sets its language
    page.wait_for_selector("html[lang=en]")


def _logout(page):
    page.locator("#logout").click()
    page.wait_for_url("**/login")


def test_coordinator_hr_and_employee_journey(page, live_app):
    placement_id = _prepare(live_app)

    # The Seoul coordinator confirms the TMG employee Seoul will host (portal in English).
    _login(page, SEOUL_COORDINATOR)
    page.get_by_role("link", name="Placements").first.click()
    page.locator(f"#placements a[href='/placements/{placement_id}']").click()
    page.get_by_label("Host office").fill("Seoul Metropolitan Government, Urban Planning Bureau")
    page.get_by_label("Host supervisor").fill("Director Park Minho")
    shot(page, "coordinator-confirm")
    page.locator("#confirm-placement").click()
    page.wait_for_selector("[data-status=confirmed]")
    page.locator("#confirm-arrival").click()
    page.wait_for_selector("[data-status=active]")

    # ... and nominates a Seoul official to be hosted in Tokyo.
    page.get_by_role("link", name="Nominations").first.click()
    page.get_by_role("link", name="Nominate an official").click()
    page.get_by_label("Name").fill("Park Seoyeon")
    page.get_by_label("E-mail address").fill("lee.jiwoo@seoul.example")
    page.get_by_label("Position").fill("Deputy Director, Smart City Division")
    soon = tokyo_today() + timedelta(days=40)  # a nomination's dates lie in the future
    page.get_by_label("Start").fill(soon.isoformat())
    page.get_by_label("End").fill((soon + timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Nominate").click()
    page.wait_for_selector("text=Park Seoyeon is nominated")
    shot(page, "coordinator-nominated")
    _logout(page)

    # HR accepts the nomination, naming the host department and amount.
    _login(page, HR)
    page.goto("/nominations")
    page.get_by_role("link", name="Park Seoyeon").click()
    page.locator("#host_department").select_option("GOV-INT")
    page.locator("#amount_jpy").fill("600000")
    page.locator("#accept_form-submit, form[action$='/accept'] [type=submit]").first.click()
    page.wait_for_selector("[data-status=confirmed]")
    assert "Park Seoyeon" in page.locator("#person").inner_text()
    shot(page, "hr-accepted-nomination")
    _logout(page)

    # The employee submits the mid-term report with a PDF.
    _login(page, EMPLOYEE)
    page.goto(f"/placements/{placement_id}")
    page.locator("#summary").fill("ソウル市の都市再生事業を調査しました。")
    page.locator("#file").set_input_files(
        files=[
            {
                "name": "中間報告.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n% mid-term report\n",
            }
        ]
    )
    page.locator("form[action$='/reports'] [type=submit]").click()
    page.wait_for_selector(".report-summary")
    assert "都市再生" in page.locator(".report-summary").inner_text()
    shot(page, "employee-report-ja")
