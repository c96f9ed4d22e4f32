"""Amounts typed the Japanese way (full-width digits, ¥ / ￥, 円, ``,`` and ``，``) are read by
one parser, on the pages, in the API and in imports; a negative amount says it must be positive."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from hrfund.core.errors import ValidationFailed
from hrfund.core.yen import read_yen
from hrfund.fund import services as fund
from hrfund.fund.models import EntryKind, LedgerEntry
from hrfund.placements.models import Placement
from tests import factories
from tests.conftest import TEST_PASSWORD


@pytest.mark.parametrize(
    "typed",
    [
        "150000",
        "150,000",
        "１５００００",
        "１５０，０００",
        "¥150,000",
        "￥１５０，０００",
        "150,000円",
        "￥150000円",
        " 150000 ",
    ],
)
def test_typed_the_japanese_way(app, typed):
    assert read_yen(typed) == 150_000


@pytest.mark.parametrize("typed", ["-5000", "－５０００", "−5000", -5000, 0, "0"])
def test_a_negative_or_zero_amount_must_be_positive(app, typed):
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        read_yen(typed)
    assert "must be positive" in refused.value.fields["amount_jpy"][0]


@pytest.mark.parametrize("typed", ["1,50,000", "15.5", "abc", "1e5", "¥", "１５万", True])
def test_what_is_not_a_whole_amount_is_refused(app, typed):
    with pytest.raises(ValidationFailed) as refused:
        read_yen(typed)
    assert "amount_jpy" in refused.value.fields


def test_zero_is_a_cost_where_zero_is_allowed(app):
    assert read_yen("０円", "travel_jpy", minimum=0) == 0
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        read_yen("-1", "travel_jpy", minimum=0)
    assert "zero or positive" in refused.value.fields["travel_jpy"][0]


def test_api_contribution_and_disbursement_as_japanese_text(app, db, api_as):
    hr = api_as("hr")
    response = hr.post(
        "/api/v1/fund/contributions",
        headers=hr.headers,
        json={"amount_jpy": "￥１，０００，０００円", "received_on": "2026-04-01"},
    )
    assert response.status_code == 201, response.json
    assert response.json["amount_jpy"] == 1_000_000
    negative = hr.post(
        "/api/v1/fund/contributions",
        headers=hr.headers,
        json={"amount_jpy": "-5000", "received_on": "2026-04-01"},
        environ_overrides={"HTTP_ACCEPT_LANGUAGE": "en"},
    )
    assert negative.status_code == 400
    assert "must be positive" in negative.json["error"]["fields"]["amount_jpy"][0]


def _login(app, user):
    c = app.test_client()
    assert (
        c.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302
    )
    return c


def test_placement_page_takes_a_full_width_amount(app, db):
    factories.city("SEL")
    hr = factories.user(["hr", "employee"])
    employee = factories.user(["employee"])
    fund.contribute(hr, 5_000_000, date(2026, 4, 1))
    fund.allocate(hr, 2026, "outgoing", 3_000_000)
    db.session.commit()
    c = _login(app, hr)
    form = {
        "person": employee.email,
        "city": "SEL",
        "start_on": "2027-01-10",
        "end_on": "2027-03-20",
        "purpose": "上下水道の技術交流",
    }
    bad = c.post("/placements/new", data=form | {"amount_jpy": "－９０００"})
    assert bad.status_code == 422
    assert "－９０００".encode() in bad.data  # what was typed stays in the box
    ok = c.post("/placements/new", data=form | {"amount_jpy": "￥９００，０００円"})
    assert ok.status_code == 302, ok.data[:2000]
    placement = db.session.scalar(sa.select(Placement).order_by(Placement.id.desc()).limit(1))
    commitment = db.session.scalar(
        sa.select(LedgerEntry).where(
            LedgerEntry.placement_id == placement.id, LedgerEntry.kind == EntryKind.COMMITMENT
        )
    )
    assert commitment.amount_jpy == 900_000


def test_application_budget_in_full_width(app, db):
    from hrfund.applications.drafting import _clean
    from hrfund.applications.models import Call

    values = {"travel_jpy": "１２０，０００円", "stipend_jpy": "", "housing_jpy": 0}
    clean = _clean(Call(), values)
    assert clean["travel_jpy"] == 120_000 and clean["stipend_jpy"] == 0
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        _clean(Call(), {"travel_jpy": "-3000", "housing_jpy": "１，２"})
    assert "zero or positive" in refused.value.fields["travel_jpy"][0]
    assert "housing_jpy" in refused.value.fields  # every bad field at once


def _funded_hr(api_as):
    hr = api_as("hr")
    fund.contribute(hr.user, 5_000_000, date(2026, 4, 1))
    fund.allocate(hr.user, 2026, "outgoing", 3_000_000)
    db_session().commit()
    return hr


def db_session():
    from hrfund.extensions import db

    return db.session


def test_a_rate_of_zero_is_reported_on_the_rate_field(app, db, api_as):
    hr = _funded_hr(api_as)
    response = hr.post(
        "/api/v1/fund/disbursements",
        headers=hr.headers | {"Accept-Language": "en"},
        json={
            "amount": "100.00",
            "currency": "EUR",
            "fx_rate": "0",
            "paid_on": "2026-09-01",
            "category": "outgoing",
        },
    )
    assert response.status_code == 400
    assert response.json["error"]["fields"]["fx_rate"] == [
        "The rate must be more than zero (yen per unit)."
    ]


def test_an_unknown_placement_says_so(app, db, api_as):
    hr = _funded_hr(api_as)
    response = hr.post(
        "/api/v1/fund/disbursements",
        headers=hr.headers | {"Accept-Language": "en"},
        json={
            "amount": "１０，０００円",
            "currency": "JPY",
            "paid_on": "2026-09-01",
            "placement_id": 424242,
        },
    )
    assert response.status_code == 400, response.json
    assert response.json["error"]["fields"]["placement_id"] == ["There is no placement 424242."]
