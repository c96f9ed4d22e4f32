"""Data checks in Chromium: HR drafting a call sees every error of the first submit at once, in
English and Japanese, and a long text field counts what is left."""

from __future__ import annotations

from tests.browser.conftest import shot

HR = "suzuki.ichiro@metro.tokyo.example"


def _wrong_call(page):
    page.goto("/calls/new")
    page.locator("#fiscal_year").fill("2027")
    page.locator("#opens_on").fill("2027-05-31")
    page.locator("#closes_on").fill("2027-05-01")
    page.locator("#language_test").select_option("ielts")
    page.locator("#language_min_score").fill("12")
    page.locator("#description").fill("都市外交")
    page.locator("main #submit").click()


def test_the_call_form_shows_every_error_and_counts_what_is_left(page, login):
    login(HR).wait_for_selector("#current-user")
    page.locator("button[name=locale][value=en]").click()
    page.wait_for_selector("html[lang=en]")
    _wrong_call(page)
    body = page.locator("main").inner_text()
    assert "Give the title in Japanese or in English." in body  # the form's own check
    assert "The call cannot close before it opens." in body  # the service's check
    assert "score lies between 0 and 9" in body  # the service's check
    counter = page.locator("#description-left")
    assert counter.inner_text() == "9996 characters left"
    assert "description-left" in page.locator("#description").get_attribute("aria-describedby")
    shot(page, "data-checks-call-errors-en")
    page.locator("button[name=locale][value=ja]").click()
    page.wait_for_selector("html[lang=ja]")
    _wrong_call(page)
    body = page.locator("main").inner_text()
    assert "IELTS の最低スコアは 0 から 9 の間です。" in body
    assert "終了日は開始日より前にできません" in body or "募集を保存できませんでした" in body
    assert page.locator("#description-left").inner_text() == "残り9996文字"
    shot(page, "data-checks-call-errors-ja")
