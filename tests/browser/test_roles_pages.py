"""Issue 13 §1 in Chromium, in English and Japanese: the auditor reads users, the verification
queue and the talent pool without edit controls; the administrator's home page is a dashboard;
a coordinator nominates with CV, purpose, area, host department and languages. A screenshot of
each is kept under test-artifacts/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import shot
from tests.browser.test_foundation_journeys import DEMO

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _language(page, language: str) -> None:
    page.locator(f'#language-switch button[value="{language}"]').click()
    page.wait_for_selector(f'html[lang="{language}"]')


def _back_to_english(page) -> None:
    page.locator('#language-switch button[value="en"]').click()  # leave the demo user in English


@pytest.mark.parametrize("language", ["en", "ja"])
def test_auditor_reads_users_queue_and_talent_without_edit_controls(page, login, language):
    login(DEMO["auditor"])
    page.wait_for_selector("#current-user")
    _language(page, language)
    page.locator("[data-nav=users]").click()
    page.wait_for_selector("main table")
    main = page.locator("main")
    assert main.locator("a[href='/admin/users/new']").count() == 0
    shot(page, f"roles-auditor-users-{language}")
    main.locator("tbody a").first.click()
    page.wait_for_selector("#user-detail")
    assert main.locator("form").count() == 0 and main.locator("button").count() == 0
    shot(page, f"roles-auditor-user-{language}")
    page.goto("/training/verification")
    assert page.locator("main form").count() == 0
    shot(page, f"roles-auditor-verification-{language}")
    page.locator("[data-nav=talent]").click()
    page.locator("#language_test").select_option("ielts")
    page.locator("#talent-search button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.count("language_test=ielts") == 1
    shot(page, f"roles-auditor-talent-{language}")
    _back_to_english(page)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_admin_home_is_a_dashboard(page, login, language):
    login(DEMO["admin"])
    page.wait_for_selector("#dashboard-admin")
    _language(page, language)
    board = page.locator("#dashboard-admin")
    heading = {"en": "System administration", "ja": "システム管理"}[language]
    assert heading in board.inner_text()
    assert int(page.locator("#admin-users-total").inner_text()) > 5
    assert page.locator("#admin-by-role tr").count() == 6
    assert DEMO["admin"].split("@")[0] in page.locator("#admin-sign-ins").inner_text() or (
        page.locator("#admin-sign-ins li").count() >= 1
    )
    assert page.locator("#scheduler-last-run").is_visible()
    shot(page, f"roles-admin-dashboard-{language}")
    _back_to_english(page)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_coordinator_nominates_with_what_a_host_needs(page, login, language, tmp_path):
    cv = tmp_path / f"cv-{language}.pdf"
    cv.write_bytes(PDF)
    login(DEMO["coordinator"])
    page.wait_for_selector("#current-user")
    _language(page, language)
    page.goto("/nominations/new")
    name = f"Choi Yuna {language.upper()}"
    page.locator("#name").fill(name)
    page.locator("#email").fill(f"choi.yuna.{language}@seoul.example")
    page.locator("#position").fill("Senior Officer, Water Supply")
    page.locator("#start_on").fill("2027-10-01")
    page.locator("#end_on").fill("2028-03-31")
    page.locator("#purpose").fill(
        "漏水対策と配水管理を東京都水道局で学ぶ / leak control and distribution"
    )
    page.locator("#cooperation_area").select_option("waterworks")
    page.locator("#preferred_department").select_option(index=1)
    page.locator("#language_ability").fill("English (IELTS 7.0), Japanese (JLPT N3)")
    page.locator("#cv").set_input_files(str(cv))
    shot(page, f"roles-coordinator-nominate-{language}")
    page.locator("main form [type=submit]").click()
    page.wait_for_selector("#nomination-history")
    assert page.locator("#nomination-cv a").inner_text() == cv.name
    assert "JLPT N3" in page.locator("#nomination-languages").inner_text()
    area = {"en": "Waterworks and sewerage", "ja": "上下水道"}[language]
    assert area in page.locator("#nomination-area").inner_text()
    assert page.locator("#nomination-history [data-state=pending]").count() == 1
    shot(page, f"roles-coordinator-nomination-{language}")
    page.locator("[data-nav=nominations]").click()
    row = page.locator("#nominations tr", has_text=name)
    assert row.locator("[data-status=pending]").count() == 1
    shot(page, f"roles-coordinator-nominations-{language}")
    _back_to_english(page)
