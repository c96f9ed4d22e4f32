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


def _wrong_payment(page):
    page.goto("/fund/disbursements/new")
    page.locator("#placement_id").fill("999999")
    page.locator("#paid_on").fill("2026-05-02")
    page.locator("#currency").fill("EUR")
    page.locator("#amount").fill("100.00")
    page.locator("#fx_rate").fill("0")
    page.locator("#memo").fill("ベルリン滞在費")
    page.locator("#submit").click()
    page.wait_for_load_state()


def _invalid(page, field: str) -> bool:
    return "is-invalid" in (page.locator(f"#{field}").get_attribute("class") or "")


def test_a_payment_shows_the_zero_rate_and_the_unknown_placement_together(page, login):
    """Two of the fund service's own checks on the first submit, each next to its field, and
    what was typed kept (issue 12: every error at once)."""
    login(HR).wait_for_selector("#current-user")
    page.locator("button[name=locale][value=en]").click()
    page.wait_for_selector("html[lang=en]")
    _wrong_payment(page)
    body = page.locator("main").inner_text()
    assert "The rate must be more than zero (yen per unit)." in body
    assert "There is no placement 999999." in body
    assert page.locator("#memo").input_value() == "ベルリン滞在費"
    assert _invalid(page, "placement_id") and _invalid(page, "fx_rate")
    assert not _invalid(page, "amount")
    shot(page, "data-checks-payment-errors-en")
    page.locator("button[name=locale][value=ja]").click()
    page.wait_for_selector("html[lang=ja]")
    _wrong_payment(page)
    body = page.locator("main").inner_text()
    assert "派遣 999999 は存在しません。" in body
    assert "レートは0より大きい値（1単位あたりの円）で入力してください。" in body
    shot(page, "data-checks-payment-errors-ja")
