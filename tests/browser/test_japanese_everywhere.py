"""Each role's main pages in Japanese in Chromium, narrow and wide: nothing overflows the page,
buttons keep their label on one line, chart labels that are cut say the whole label in a
tooltip. Screenshots of each page are kept under test-artifacts/ (ja-<role>-<width>-<page>.png).
The words themselves are checked page by page in tests/core/test_japanese_everywhere.py."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import shot
from tests.browser.test_foundation_journeys import DEMO

WIDTHS = (375, 1280)
MAX_PAGES = 10

#: Buttons whose label is on more than one line, and elements wider than the page.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const page = document.documentElement.clientWidth;
  for (const el of document.querySelectorAll('.btn')) {
    if (!el.offsetParent || !el.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    // lines of text: boxes that start below the bottom of the line before (a badge sits a few
    // pixels off; a visually-hidden word is a 1px box and no line)
    const rects = [...range.getClientRects()].filter(r => r.width > 1 && r.height > 1)
      .sort((a, b) => a.top - b.top);
    let lines = 0, bottom = -Infinity;
    for (const r of rects) {
      if (r.top >= bottom - 2) lines += 1;
      bottom = Math.max(bottom, r.bottom);
    }
    if (lines > 1) problems.push('button on ' + lines + ' lines: ' + el.textContent.trim());
  }
  const scrolls = (el) => {  // inside a box that scrolls (or clips) its own content
    for (let p = el.parentElement; p && p.tagName !== 'MAIN'; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('main *')) {
    if (!el.offsetParent || el.closest('pre, svg') || scrolls(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.right > page + 1) {
      problems.push('wider than the page: <' + el.tagName.toLowerCase() + '> '
        + (el.textContent || '').trim().slice(0, 40));
    }
  }
  for (const text of document.querySelectorAll('svg text.chart-label')) {
    const label = text.childNodes[0] ? text.childNodes[0].textContent : '';
    const title = text.querySelector('title');
    if (label.endsWith('…') && !(title && title.textContent.length >= label.length)) {
      problems.push('chart label cut without its whole text: ' + label);
    }
  }
  return problems;
}"""


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


@pytest.mark.parametrize("role", list(DEMO))
def test_main_pages_in_japanese_fit_narrow_and_wide(page, login, role):
    login(DEMO[role])
    page.wait_for_selector("#current-user")
    page.locator('#language-switch button[value="ja"]').click()
    page.wait_for_selector('html[lang="ja"]')
    links = page.eval_on_selector_all(
        "nav a.nav-link[href^='/'], nav a.dropdown-item[href^='/']",
        "els => els.map(e => e.getAttribute('href'))",
    )
    paths = list(dict.fromkeys(["/", *links]))[:MAX_PAGES]
    problems = []
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for path in paths:
                response = page.goto(path)
                assert response.status < 500, path
                assert page.locator("html").get_attribute("lang") == "ja"
                shot(page, f"ja-{role}-{width}-{_slug(path)}")
                problems += [f"{width}px {path}: {p}" for p in page.evaluate(LAYOUT_PROBLEMS)]
    finally:  # the demo users are shared with the other browser tests
        page.locator('#language-switch button[value="en"]').click()
        page.wait_for_selector('html[lang="en"]')
    assert not problems, "\n".join(problems)
