"""A call HR is still drafting is HR's (and the auditors'): employees do not see it on the
pages or through the API until it opens (found by `make mutation`: no test failed when
``visible_calls`` stopped hiding drafts)."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from hrfund.applications import calls
from hrfund.applications.models import Call
from hrfund.core.errors import NotAllowed
from hrfund.extensions import db as _db
from tests.conftest import TEST_PASSWORD


def _seen(app, user, call_id: int) -> tuple[int, bool, bool]:
    """(page status, on /calls, in the API's list) for ``user``."""
    page = app.test_client()
    login = {"email": user.email, "password": TEST_PASSWORD}
    assert page.post("/login", data=login).status_code == 302
    from hrfund.auth.services import create_api_token

    _t, plain = create_api_token(user, user, "t")
    _db.session.commit()
    h = {"Authorization": f"Bearer {plain}"}
    listing = page.get("/api/v1/calls", headers=h).json
    return (
        page.get(f"/calls/{call_id}").status_code,
        re.search(rf"/calls/{call_id}(?!\d)", page.get("/calls").data.decode()) is not None,
        call_id in {item["id"] for item in listing["items"]},
    )


def test_a_draft_call_is_hidden_from_employees_until_it_opens(app, db, setup):
    draft = calls.create_call(
        setup.hr,
        title="2027年度 募集 / Call FY2027",
        fiscal_year=2027,
        opens_on=date(2027, 6, 1),
        closes_on=date(2027, 6, 30),
        slots=[{"city": "SEL", "positions": 1, "months": 6, "estimated_cost_jpy": 1_500_000}],
    )
    db.session.commit()
    assert _seen(app, setup.employee, draft.id) == (404, False, False)
    assert _seen(app, setup.hr, draft.id) == (200, True, True)
    calls.open_call(setup.hr, draft)
    db.session.commit()
    assert _seen(app, setup.employee, draft.id) == (200, True, True)


def test_only_hr_creates_calls(app, db, setup):
    """The service refuses anyone else, whatever page or API let the call through (found by
    `make mutation`: no test failed when ``create_call`` stopped checking the role)."""
    before = db.session.scalar(sa.select(sa.func.count(Call.id)))
    for actor in (setup.employee, setup.manager, setup.coordinator, setup.auditor):
        with pytest.raises(NotAllowed):
            calls.create_call(
                actor,
                title="募集 / Call",
                fiscal_year=2027,
                opens_on=date(2027, 6, 1),
                closes_on=date(2027, 6, 30),
                slots=[{"city": "SEL", "positions": 1, "months": 6, "estimated_cost_jpy": 1}],
            )
    assert db.session.scalar(sa.select(sa.func.count(Call.id))) == before
