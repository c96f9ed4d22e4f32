"""Every field error of a fund service at once: each wrong input is named in one refusal,
nothing is booked, and the pages show each message next to its field on the first submit."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from hrfund.core.errors import ValidationFailed
from hrfund.fund import services
from hrfund.fund.models import FxRate
from tests import factories
from tests.fund.helpers import entry_count, funded_line

POSITIVE = "The amount must be positive (more than zero)."
RATE_POSITIVE = "The rate must be more than zero (yen per unit)."
NO_PLACEMENT = "There is no placement 999999."


@pytest.fixture
def hr(db):
    return factories.user(roles=["hr"])


@pytest.fixture
def english(app):
    with force_locale("en"):
        yield


def _refusal(call) -> dict[str, list[str]]:
    before = entry_count()
    with pytest.raises(ValidationFailed) as refused:
        call()
    assert entry_count() == before
    return refused.value.fields


def test_a_contribution_names_the_amount_the_date_and_the_memo(hr, english):
    fields = _refusal(lambda: services.contribute(hr, -5, "yesterday", 12))
    assert fields["amount_jpy"] == [POSITIVE]
    assert set(fields) == {"amount_jpy", "received_on", "memo"}


def test_an_allocation_names_the_year_the_line_the_amount_and_the_memo(hr, english):
    fields = _refusal(lambda: services.allocate(hr, 1800, "nowhere", 0, "x" * 2001))
    assert set(fields) == {"fiscal_year", "category", "allocated_jpy", "memo"}
    assert fields["fiscal_year"] == ["Unknown fiscal year 1800."]


def test_a_payment_names_the_zero_rate_and_the_unknown_placement(hr, english):
    fields = _refusal(
        lambda: services.disburse(
            hr,
            paid_on=date(2026, 5, 2),
            amount="100.00",
            currency="EUR",
            fx_rate="0",
            placement_id=999999,
        )
    )
    assert fields == {"fx_rate": [RATE_POSITIVE], "placement_id": [NO_PLACEMENT]}


def test_a_payment_names_the_currency_the_amount_the_line_and_the_purpose(hr, english):
    funded_line(hr)
    fields = _refusal(
        lambda: services.disburse(
            hr,
            paid_on=date(2026, 5, 2),
            amount="-3",
            currency="XYZ",
            category="nowhere",
            purpose="placement",
            memo="x" * 2001,
        )
    )
    assert set(fields) == {"currency", "amount", "category", "purpose", "memo"}
    assert fields["amount"] == [POSITIVE]


def test_a_foreign_payment_names_the_precision_and_the_missing_recorded_rate(hr, english):
    funded_line(hr)
    fields = _refusal(
        lambda: services.disburse(
            hr, paid_on=date(2026, 5, 2), amount="10.005", currency="EUR", category="outgoing"
        )
    )
    assert set(fields) == {"amount", "fx_rate"}


def test_a_commitment_names_the_placement_the_year_the_line_and_the_amount(hr, english):
    fields = _refusal(lambda: services.commit(hr, 999999, 2026, "nowhere", -1))
    assert fields["placement_id"] == [NO_PLACEMENT]
    assert fields["fiscal_year"] == ["Nothing is allocated for FY2026."]
    assert set(fields) == {"placement_id", "fiscal_year", "category", "amount_jpy"}


def test_a_release_names_the_placement_the_amount_and_the_memo(hr, english):
    fields = _refusal(lambda: services.release(hr, "abc", -1, ["memo"]))
    assert set(fields) == {"placement_id", "amount_jpy", "memo"}


def test_a_rate_names_the_currency_the_date_and_the_zero_rate(hr, db, english):
    with pytest.raises(ValidationFailed) as refused:
        services.record_fx_rate(hr, "JPY", None, "0")
    assert refused.value.fields == {
        "currency": ["The yen needs no exchange rate."],
        "on": ["Enter a date as YYYY-MM-DD."],
        "jpy_per_unit": [RATE_POSITIVE],
    }
    assert db.session.scalar(sa.select(sa.func.count(FxRate.id))) == 0


def test_one_wrong_field_keeps_its_own_message(hr, english):
    with pytest.raises(ValidationFailed) as refused:
        services.contribute(hr, -5, date(2026, 5, 1))
    assert refused.value.message == POSITIVE


# ---------------------------------------------------------------- the pages


def _page(login_as, url: str, data: dict, locale: str = "en") -> str:
    client = login_as("hr")
    client.post("/language", data={"locale": locale, "next": "/"})
    before = entry_count()
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert entry_count() == before
    return response.get_data(as_text=True)


def _next_to(page: str, field: str, message: str) -> bool:
    """The message is said in the field's own block (its label up to the next field)."""
    start = page.index(f'id="{field}"')
    end = page.find("<label", start)
    return message in page[start : end if end > 0 else None]


def test_the_payment_page_says_the_zero_rate_and_the_unknown_placement(login_as, db):
    page = _page(
        login_as,
        "/fund/disbursements/new",
        {
            "placement_id": "999999",
            "paid_on": "2026-05-02",
            "currency": "EUR",
            "amount": "100",
            "fx_rate": "0",
        },
    )
    assert _next_to(page, "fx_rate", RATE_POSITIVE)
    assert _next_to(page, "placement_id", NO_PLACEMENT)


def test_the_payment_page_says_both_in_japanese(login_as, db):
    page = _page(
        login_as,
        "/fund/disbursements/new",
        {
            "placement_id": "999999",
            "paid_on": "2026-05-02",
            "currency": "EUR",
            "amount": "-100",
            "fx_rate": "0",
        },
        locale="ja",
    )
    with force_locale("ja"):
        expected = {
            "placement_id": gettext("There is no placement %(id)d.", id=999999),
            "fx_rate": gettext(RATE_POSITIVE),
            "amount": gettext(POSITIVE),
        }
    for field, japanese in expected.items():
        assert japanese != NO_PLACEMENT and not japanese.isascii()
        assert _next_to(page, field, japanese), field


def test_the_allocation_page_says_the_unknown_line_and_the_zero_amount(login_as, db):
    page = _page(
        login_as,
        "/fund/allocations/new",
        {"fiscal_year": "1800", "category": "outgoing", "amount_jpy": "0"},
    )
    assert _next_to(page, "fiscal_year", "Unknown fiscal year 1800.")
    assert _next_to(page, "amount_jpy", POSITIVE)


def test_the_rate_page_says_the_yen_and_the_zero_rate(login_as, db):
    client = login_as("hr")
    client.post("/language", data={"locale": "en", "next": "/"})
    response = client.post(
        "/fund/fx-rates/new",
        data={"currency": "JPY", "rate_on": "2026-05-01", "jpy_per_unit": "0"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _next_to(page, "currency", "The yen needs no exchange rate.")
    assert _next_to(page, "jpy_per_unit", RATE_POSITIVE)
    assert db.session.scalar(sa.select(sa.func.count(FxRate.id))) == 0


def test_a_payment_dated_beyond_the_fund_s_years_is_refused(hr, english):
    """An absurd date (year 9999) is named on its field, nothing booked."""
    fields = _refusal(
        lambda: services.disburse(
            hr, paid_on=date(9999, 12, 31), amount="1000", category="training"
        )
    )
    assert fields["paid_on"] == ["Enter a date from 2000 to 2199."]
