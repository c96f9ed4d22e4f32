"""Every error at once on the application and delegation forms: a field the form marks wrong
and a rule only the service knows are both said on the first submit, and nothing is stored."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
import time_machine

from hrfund.applications.models import Application, Delegation
from hrfund.core.fiscal import tokyo_today
from tests.applications.conftest import INSIDE
from tests.applications.test_api_and_pages import _page

REQUIRED = "This field is required."
NEGATIVE = "The amount must be zero or positive."


def _english(client):
    client.post("/language", data={"locale": "en", "next": "/"})
    return client


def test_the_delegation_form_says_the_missing_deputy_and_the_end_before_the_start(app, db, setup):
    manager = _english(_page(app, setup.manager))
    start = tokyo_today() + timedelta(days=10)
    response = manager.post(
        "/delegations",
        data={
            "deputy": "",
            "starts_on": start.isoformat(),
            "ends_on": (start - timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert REQUIRED in page
    assert "The end must not be before the start." in page
    assert db.session.scalar(sa.select(sa.func.count(Delegation.id))) == 0


def test_the_delegation_form_says_a_wrong_deputy_and_a_missing_end(app, db, setup):
    manager = _english(_page(app, setup.manager))
    response = manager.post(
        "/delegations",
        data={
            "deputy": setup.coordinator.email,
            "starts_on": tokyo_today().isoformat(),
            "ends_on": "",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert REQUIRED in page
    assert "partner-city account" in page
    assert db.session.scalar(sa.select(sa.func.count(Delegation.id))) == 0


def _typed(**changes) -> dict:
    return {
        "preference_1": "SEL",
        "statement": "ソウルで学びたい理由",
        "start_on": "2026-10-01",
        "end_on": "2026-09-01",  # before the start: only the service knows
        "travel_jpy": "-5",  # negative: the form's own check
        "stipend_jpy": "0",
        "housing_jpy": "0",
        "save": "Save draft",
    } | changes


def _both_said(response) -> None:
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert NEGATIVE in page
    assert "The end must not be before the start." in page


def test_the_application_form_says_the_negative_cost_and_the_end_before_the_start(app, db, setup):
    with time_machine.travel(INSIDE, tick=False):
        employee = _english(_page(app, setup.employee))
        _both_said(employee.post(f"/calls/{setup.call.id}/apply", data=_typed()))
        submitted = employee.post(
            f"/calls/{setup.call.id}/apply", data=_typed(submit_application="Submit")
        )
    _both_said(submitted)
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0


def test_editing_a_draft_says_everything_and_changes_nothing(app, db, setup):
    with time_machine.travel(INSIDE, tick=False):
        draft = setup.draft()
        db.session.commit()
        employee = _english(_page(app, setup.employee))
        _both_said(employee.post(f"/applications/{draft.id}/edit", data=_typed()))
    db.session.expire_all()
    kept = db.session.get(Application, draft.id)
    assert (kept.end_on, kept.travel_jpy, kept.statement) == (
        date(2027, 3, 31),
        300_000,
        "都市づくりの知見を深めたい。",
    )
