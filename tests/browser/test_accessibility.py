"""axe-core in Chromium over the main pages of every role, in English and Japanese: no serious or
critical violation of WCAG 2.x A/AA (colour contrast included). axe-core comes from npm
(tests/a11y/package.json, installed by `make test`) and is injected into each page by the test;
nothing is fetched from a CDN."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_foundation_journeys import DEMO

AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
EXTRA_PAGES = ("/profile", "/notifications")


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
            "count": len(v["nodes"]),
        }
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.fixture
def axe_page(browser, live_server):
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run `npm ci --prefix tests/a11y` (make test does)")
    # the app's CSP forbids inline scripts, rightly; the test bypasses it to inject axe
    context = browser.new_context(
        base_url=live_server,
        locale="en-US",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _login(page, email: str) -> None:
    from hrfund.seed import DEMO_PASSWORD

    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("#current-user")


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("role", list(DEMO))
def test_main_pages_of_each_role_have_no_serious_axe_violation(axe_page, role, language):
    page = axe_page
    page.goto("/login")
    found = {"/login": _axe(page)}
    _login(page, DEMO[role])
    page.locator(f'#language-switch button[value="{language}"]').click()
    page.wait_for_selector(f'html[lang="{language}"]')
    links = page.locator("#role-nav a.nav-link").evaluate_all("els => els.map(e => e.pathname)")
    for path in [*dict.fromkeys(links), *EXTRA_PAGES]:
        page.goto(path)
        found[path] = _axe(page)
    page.locator('#language-switch button[value="en"]').click()  # leave the demo user in English
    bad = {path: v for path, v in found.items() if v}
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / f"axe-{role}-{language}.json"
    report.write_text(json.dumps(found, ensure_ascii=False, indent=1))
    nodes = sum(v["count"] for violations in bad.values() for v in violations)
    print(f"axe {role}/{language}: {len(found)} pages, {nodes} serious or critical nodes")
    assert not bad, json.dumps(bad, ensure_ascii=False, indent=1)
