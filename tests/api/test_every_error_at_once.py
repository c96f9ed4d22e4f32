"""Every error at once in the API: a body the schema refuses gets one 400 that names the
schema's faults and the service's (date order, rules between fields, an unknown placement) in
API.md's error shape, and nothing is written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale, gettext

from hrfund.applications.models import Application, Call, Delegation
from hrfund.core.audit import AuditEvent
from hrfund.fund.models import LedgerEntry
from hrfund.placements.models import Nomination
from tests.applications.conftest import INSIDE, build_setup


@pytest.fixture
def setup(db):
    s = build_setup()
    db.session.commit()
    return s


@pytest.fixture
def api(app, db):
    from hrfund.auth.services import create_api_token

    def make(user, locale="en"):
        user.locale = locale
        _token, plain = create_api_token(user, user, "test")
        db.session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {plain}", "Accept-Language": locale}

        def post(path, body, method="POST"):
            return client.open(f"/api/v1{path}", method=method, json=body, headers=headers)

        return post

    return make


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def refused(response) -> dict[str, list[str]]:
    assert response.status_code == 400, response.json
    error = response.json["error"]
    assert error["status"] == 400 and error["code"] == "validation_failed"
    assert error["message"]
    return error["fields"]


LONG_NAME = "x" * 201
END_BEFORE_START = "The end must not be before the start."


def test_a_payment_names_the_bad_date_the_zero_rate_and_the_unknown_placement(api, db, setup):
    hr = api(setup.hr)
    before = count(db, LedgerEntry)
    fields = refused(
        hr(
            "/fund/disbursements",
            {
                "paid_on": "2026-13-01",
                "currency": "EUR",
                "amount": "100",
                "fx_rate": "0",
                "placement_id": 999999,
            },
        )
    )
    assert fields == {
        "paid_on": ["Enter a date as YYYY-MM-DD."],
        "fx_rate": ["The rate must be more than zero (yen per unit)."],
        "placement_id": ["There is no placement 999999."],
    }
    assert count(db, LedgerEntry) == before


def test_a_contribution_names_the_bad_amount_and_the_year_the_fund_cannot_keep(api, db, setup):
    before = count(db, LedgerEntry)
    fields = refused(
        api(setup.hr)("/fund/contributions", {"amount_jpy": "abc", "received_on": "1999-05-01"})
    )
    assert set(fields) == {"amount_jpy", "received_on"}
    assert fields["received_on"] == ["Enter a date from 2000 to 2199."]  # a date no year holds
    assert count(db, LedgerEntry) == before


def test_what_the_service_would_have_written_is_not_kept(api, db, setup):
    """The service, run on the readable fields, would book this contribution: nothing stays."""
    hr = api(setup.hr)
    entries, events = count(db, LedgerEntry), count(db, AuditEvent)
    fields = refused(
        hr(
            "/fund/contributions",
            {"amount_jpy": 5000, "received_on": "2026-05-01", "memo": "x" * 2001},
        )
    )
    assert set(fields) == {"memo"}
    assert (count(db, LedgerEntry), count(db, AuditEvent)) == (entries, events)


def test_a_call_names_the_long_title_the_date_order_and_the_missing_score(api, db, setup):
    before = count(db, Call)
    with time_machine.travel(INSIDE, tick=False):
        response = api(setup.hr)(
            "/calls",
            {
                "title": LONG_NAME,
                "fiscal_year": 2026,
                "opens_on": "2026-07-01",
                "closes_on": "2026-06-01",
                "slots": [{"city": "SEL", "positions": 1}],
                "rules": {"language": {"test": "ielts"}},
            },
        )
    fields = refused(response)
    assert fields["title"] == ["Enter at most 200 characters."]
    assert fields["closes_on"] == ["The call cannot close before it opens."]
    assert fields["rules.language.min_score"] == ["Enter the minimum score of the test."]
    assert count(db, Call) == before


def test_a_new_application_names_the_long_statement_and_the_date_order(api, db, setup):
    before = count(db, Application)
    with time_machine.travel(INSIDE, tick=False):
        response = api(setup.employee)(
            "/applications",
            {
                "call_id": setup.call.id,
                "preferences": ["SEL"],
                "statement": "x" * 10_001,
                "start_on": "2026-10-01",
                "end_on": "2026-09-01",
            },
        )
    fields = refused(response)
    assert set(fields) == {"statement", "end_on"}
    assert fields["end_on"] == [END_BEFORE_START]
    assert count(db, Application) == before


def test_an_edited_application_names_the_bad_date_and_the_unknown_city(api, db, setup):
    with time_machine.travel(INSIDE, tick=False):
        application = setup.draft()
        db.session.commit()
        response = api(setup.employee)(
            f"/applications/{application.id}",
            {"start_on": "someday", "preferences": ["XXX"], "statement": "changed"},
            method="PATCH",
        )
    fields = refused(response)
    assert set(fields) == {"start_on", "preferences"}
    db.session.refresh(application)
    assert application.statement == "都市づくりの知見を深めたい。"


def test_a_nomination_names_the_long_name_the_past_start_and_the_date_order(api, db, setup):
    before = count(db, Nomination)
    with time_machine.travel(INSIDE, tick=False):
        response = api(setup.coordinator)(
            "/nominations",
            {
                "name": LONG_NAME,
                "email": "kim@seoul.example",
                "position": "Deputy director",
                "start_on": "2026-01-01",
                "end_on": "2025-12-01",
            },
        )
    fields = refused(response)
    assert fields["name"] == ["Enter at most 200 characters."]
    assert fields["end_on"] == [END_BEFORE_START]
    assert "start_on" in fields
    assert count(db, Nomination) == before


def test_a_delegation_names_the_bad_end_and_the_unknown_deputy(api, db, setup):
    before = count(db, Delegation)
    with time_machine.travel(INSIDE, tick=False):
        response = api(setup.manager)(
            "/delegations",
            {"deputy": "nobody@example.org", "starts_on": "2026-06-20", "ends_on": "soon"},
        )
    fields = refused(response)
    assert fields == {
        "deputy": ["Name an active user by e-mail address."],
        "ends_on": ["Enter a date as YYYY-MM-DD."],
    }
    assert count(db, Delegation) == before


def test_both_in_japanese(api, db, setup):
    hr = api(setup.hr, locale="ja")
    fields = refused(
        hr(
            "/fund/disbursements",
            {
                "paid_on": "nope",
                "currency": "EUR",
                "amount": "-1",
                "fx_rate": "0",
                "placement_id": 999999,
            },
        )
    )
    with force_locale("ja"):
        assert fields["placement_id"] == [gettext("There is no placement %(id)d.", id=999999)]
        assert fields["paid_on"] == [gettext("Enter a date as YYYY-MM-DD.")]
        assert fields["amount"] == [gettext("The amount must be positive (more than zero).")]
        assert fields["fx_rate"] == [gettext("The rate must be more than zero (yen per unit).")]
    assert not any(text.isascii() for texts in fields.values() for text in texts)
