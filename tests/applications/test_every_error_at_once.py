"""Every error at once on the application and delegation forms: a field the form marks wrong
and a rule only the service knows are both said on the first submit, and nothing is stored."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from hrfund.applications.models import Delegation
from hrfund.core.fiscal import tokyo_today
from tests.applications.test_api_and_pages import _page

REQUIRED = "This field is required."


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
