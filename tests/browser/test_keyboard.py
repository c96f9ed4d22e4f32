"""Every main form of each role's journey, filled and sent with the keyboard alone.

No mouse: Tab and Shift+Tab move, typing fills, arrows choose, Space and Enter press. Each step
tabs to the control it needs (so every control must be reachable), and every element that gets
the focus on the way must show it (an outline or a focus ring). In English and in Japanese.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import journey_employee, open_seoul_call, shot

PASSWORD = "Tokyo-Diplomacy-2026"
MANAGER = "sato.hanako@metro.tokyo.example"
HR = "suzuki.ichiro@metro.tokyo.example"
COORDINATOR = "kim.minji@seoul.example"
MAX_TABS = 250

#: True when the focused element shows it: an outline or a box shadow (Bootstrap's focus ring).
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const transition = el.style.transition;
  el.style.transition = 'none';  // the focus ring's end state, not a frame of its fade-in
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const ring = s.boxShadow && s.boxShadow !== 'none';
  const label = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.getAttribute('href') ? '[href=' + el.getAttribute('href') + ']' : '');
  el.style.transition = transition;
  return {label: label, shown: outline || ring};
}"""


class Keyboard:
    """Tab to things, type into them, press them; remembers every focus that did not show."""

    def __init__(self, page):
        self.page = page
        self.unseen: set[str] = set()

    def _check_focus(self) -> None:
        info = self.page.evaluate(FOCUS_SHOWN)
        if info and not info["shown"]:
            self.unseen.add(info["label"])

    def focused(self, selector: str) -> bool:
        return self.page.evaluate("s => document.activeElement.matches(s)", selector)

    def tab_to(self, selector: str, *, back: bool = False) -> None:
        """Press Tab (Shift+Tab with ``back``) until ``selector`` has the focus."""
        assert self.page.locator(selector).count() == 1, f"{selector} is not on {self.page.url}"
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            self._check_focus()
            if self.focused(selector):
                return
        raise AssertionError(f"{selector} cannot be reached with the keyboard on {self.page.url}")

    def fill(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def date(self, selector: str, iso: str) -> None:
        """A date input: the browser's fields are month, day, year (en-US), typed in turn."""
        self.tab_to(selector)
        year, month, day = iso.split("-")
        self.page.keyboard.type(f"{month}{day}{year}")
        assert self.page.locator(selector).input_value() == iso

    def choose(self, selector: str, value: str) -> None:
        """A select: arrow keys until the option with ``value`` is chosen."""
        self.tab_to(selector)
        for key in ("ArrowDown", "ArrowUp"):
            for _ in range(60):
                if self.page.locator(selector).input_value() == value:
                    return
                self.page.keyboard.press(key)
        assert self.page.locator(selector).input_value() == value

    def press(self, selector: str, key: str = "Enter") -> None:
        self.tab_to(selector)
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def start(self, path: str) -> None:
        self.page.goto(path)
        self.page.evaluate("() => document.activeElement && document.activeElement.blur()")


def _login(keys: Keyboard, email: str, language: str) -> None:
    keys.start("/login")
    keys.fill("#email", email)
    keys.fill("#password", PASSWORD)
    keys.tab_to("#email", back=True)  # Shift+Tab goes back to the address …
    keys.press("#submit")  # … and Tab on to the button
    keys.page.wait_for_selector("#logout")
    if keys.page.locator("html").get_attribute("lang") != language:
        keys.press(f"#language-switch button[value={language}]", "Space")
        keys.page.wait_for_selector(f"html[lang={language}]")


def _logout(keys: Keyboard) -> None:
    keys.press("#logout")
    keys.page.wait_for_url("**/login")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_main_form_by_keyboard_alone(page, live_app, language):
    keys = Keyboard(page)
    call_id = open_seoul_call(live_app, f"Keyboard secondment ({language})")
    employee = journey_employee(live_app, f"keyboard.applicant.{language}@metro.tokyo.example")

    # the employee: an application, drafted and submitted
    _login(keys, employee, language)
    keys.start(f"/calls/{call_id}")
    keys.press("#apply")
    keys.choose("#preference_1", "SEL")
    keys.fill("#statement", "Seoul urban renewal, for Tokyo's own policy.")
    keys.date("#start_on", "2027-01-04")
    keys.date("#end_on", "2027-06-30")
    keys.fill("#travel_jpy", "250000")
    keys.fill("#stipend_jpy", "600000")
    keys.fill("#housing_jpy", "450000")
    shot(page, f"keyboard-application-{language}")
    keys.press("#submit_application")
    page.wait_for_selector("[data-status=submitted]")
    application_url = page.url

    # … and a training record of their own
    keys.start("/training/records/new")
    keys.choose("#status", "completed")
    keys.date("#completed_on", "2026-11-20")
    keys.fill("#hours", "12")
    keys.fill("#note", "Evening course")
    shot(page, f"keyboard-training-{language}")
    keys.press("#submit")
    page.wait_for_selector("#records")
    _logout(keys)

    # the manager endorses
    _login(keys, MANAGER, language)
    keys.start(application_url)
    keys.fill("#comment", "Endorsed.")
    shot(page, f"keyboard-endorse-{language}")
    keys.press("#endorse-application")
    page.wait_for_selector("[data-status=endorsed]")
    _logout(keys)

    # HR approves
    _login(keys, HR, language)
    keys.start(application_url)
    keys.press("#approve-application")
    keys.fill("#amount_jpy", "1300000")
    shot(page, f"keyboard-approve-{language}")
    keys.press("#approve-submit")
    page.wait_for_selector("[data-status=approved]")
    placement_href = page.locator("#placement-link").get_attribute("href")
    _logout(keys)

    # the Seoul coordinator confirms, then nominates an official of their own
    _login(keys, COORDINATOR, language)
    keys.start(placement_href)
    keys.fill("#host_office", "Urban Planning Bureau")
    keys.fill("#host_supervisor", "Director Park")
    shot(page, f"keyboard-confirm-{language}")
    keys.press("#confirm-placement")
    page.wait_for_selector("[data-status=confirmed]")
    keys.start("/nominations/new")
    keys.fill("#name", f"Keyboard Nominee {language}")
    keys.fill("#email", f"keyboard.{language}@seoul.example")
    keys.fill("#position", "Planner")
    keys.date("#start_on", "2027-04-01")
    keys.date("#end_on", "2027-09-30")
    shot(page, f"keyboard-nominate-{language}")
    keys.press("#submit")
    page.wait_for_selector(f"text=Keyboard Nominee {language}")
    _logout(keys)

    assert not keys.unseen, f"focus not visible on: {sorted(keys.unseen)}"
