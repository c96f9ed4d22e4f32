"""Every error at once on the fund forms: a field the form marks wrong and a rule only the
service knows are both said on the first submit, and nothing is booked."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hrfund.fund.models import FxRate
from tests.fund.helpers import entry_count

REQUIRED = "This field is required."


def _hr(login_as):
    client = login_as("hr")
    client.post("/language", data={"locale": "en", "next": "/"})
    return client


def _first_page(client, url: str, data: dict) -> str:
    before = entry_count()
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert entry_count() == before
    return response.get_data(as_text=True)


def test_a_contribution_says_the_missing_date_and_the_negative_amount(login_as, db):
    page = _first_page(
        _hr(login_as),
        "/fund/contributions/new",
        {"amount_jpy": "-5000", "received_on": "", "memo": ""},
    )
    assert REQUIRED in page
    assert "The amount must be positive (more than zero)." in page


def test_an_allocation_says_the_missing_amount_and_the_unknown_year(login_as, db):
    page = _first_page(
        _hr(login_as),
        "/fund/allocations/new",
        {"fiscal_year": "1800", "category": "outgoing", "amount_jpy": ""},
    )
    assert REQUIRED in page
    assert "Unknown fiscal year 1800." in page


def test_an_allocation_says_the_long_memo_and_the_negative_amount(login_as, db):
    page = _first_page(
        _hr(login_as),
        "/fund/allocations/new",
        {"fiscal_year": "2026", "category": "outgoing", "amount_jpy": "-1", "memo": "x" * 2001},
    )
    assert "Field cannot be longer than 2000 characters." in page
    assert "The amount must be positive (more than zero)." in page


def test_a_disbursement_says_the_missing_amount_and_the_unknown_placement(login_as, db):
    page = _first_page(
        _hr(login_as),
        "/fund/disbursements/new",
        {"placement_id": "999999", "paid_on": "2026-05-02", "currency": "JPY", "amount": ""},
    )
    assert REQUIRED in page
    assert "There is no placement 999999." in page


@pytest.mark.parametrize(
    "locale, message",
    [
        ("en", "There is no placement 12345678901234567890."),
        ("ja", "派遣 12345678901234567890 は存在しません。"),
    ],
)
def test_a_twenty_digit_placement_number_says_there_is_no_such_placement(
    login_as, db, locale, message
):
    client = login_as("hr")
    client.post("/language", data={"locale": locale, "next": "/"})
    page = _first_page(
        client,
        "/fund/disbursements/new",
        {
            "placement_id": "12345678901234567890",
            "paid_on": "2026-05-02",
            "currency": "JPY",
            "amount": "1000",
        },
    )
    assert message in page
    assert "Enter a placement number." not in page and "派遣・受入の番号を入力" not in page


def test_a_rate_says_the_missing_rate_and_that_the_yen_needs_none(login_as, db):
    client = _hr(login_as)
    response = client.post(
        "/fund/fx-rates/new",
        data={"currency": "JPY", "rate_on": "2026-05-01", "jpy_per_unit": ""},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert REQUIRED in page
    assert "The yen needs no exchange rate." in page
    assert db.session.scalar(sa.select(sa.func.count(FxRate.id))) == 0


def test_a_disbursement_says_the_unknown_line_and_the_negative_amount(login_as, db):
    page = _first_page(
        _hr(login_as),
        "/fund/disbursements/new",
        {"paid_on": "2026-05-02", "currency": "JPY", "amount": "-100", "category": "nowhere"},
    )
    assert "Not a valid choice." in page
    assert "The amount must be positive (more than zero)." in page
