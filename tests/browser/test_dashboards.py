"""Each role's dashboard in Chromium, in English and Japanese, with its charts drawn; a screenshot
of each is kept under test-artifacts/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import shot
from tests.browser.test_foundation_journeys import DEMO

SECTIONS = {
    "hr": ("#dashboard-organisation", "#dashboard-employee"),
    "auditor": ("#dashboard-organisation",),
    "manager": ("#dashboard-manager", "#dashboard-employee"),
    "coordinator": ("#dashboard-coordinator",),
    "employee": ("#dashboard-employee",),
}
HEADINGS = {
    ("hr", "en"): "City diplomacy at a glance",
    ("hr", "ja"): "都市外交の概況",
    ("coordinator", "en"): "TMG staff hosted in Seoul",
    ("coordinator", "ja"): "ソウルで受け入れている都職員",
    ("employee", "en"): "My exchanges and training",
    ("employee", "ja"): "自分の派遣と研修",
}


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("role", list(SECTIONS))
def test_each_roles_dashboard_renders_with_its_charts(page, login, role, language):
    login(DEMO[role])
    page.wait_for_selector("#current-user")
    page.locator(f'#language-switch button[value="{language}"]').click()
    page.wait_for_selector(f'html[lang="{language}"]')
    for section in SECTIONS[role]:
        assert page.locator(section).is_visible()
    others = {s for sections in SECTIONS.values() for s in sections} - set(SECTIONS[role])
    for section in others:
        assert page.locator(section).count() == 0
    if (role, language) in HEADINGS:
        assert HEADINGS[role, language] in page.locator("main").inner_text()
    if role in ("hr", "auditor"):
        # the fund is in use in the demo data: the fund chart draws bars, with a figures table
        assert page.locator("#chart-fund svg rect").count() >= 3
        assert page.locator("#chart-cities svg rect").count() >= 1
        page.locator("#chart-fund summary").click()
        assert page.locator("#chart-fund table").is_visible()
        committed = page.locator("#fund-committed").inner_text()
        assert committed.startswith("¥") and committed != "¥0"
    shot(page, f"dashboard-{role}-{language}")
    page.locator('#language-switch button[value="en"]').click()  # leave the demo user in English
