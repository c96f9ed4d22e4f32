"""A draft is its author's alone: neither HR nor the applicant's manager sees it, on the page,
in the list or through the API, until it is submitted (found by `make mutation`: no test
failed when the draft filters of ``visible_to`` were removed)."""

from __future__ import annotations

from hrfund.applications import services
from hrfund.extensions import db as _db
from tests.applications.conftest import INSIDE
from tests.conftest import TEST_PASSWORD


def _page(app, user):
    c = app.test_client()
    assert (
        c.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302
    )
    return c


def _api(app, user):
    from hrfund.auth.services import create_api_token

    _t, plain = create_api_token(user, user, "t")
    _db.session.commit()
    c = app.test_client()
    c.h = {"Authorization": f"Bearer {plain}"}
    return c


def _sees(app, user, application_id: int) -> tuple[int, bool, int]:
    """(detail page status, listed on /applications, API detail status) for ``user``."""
    page = _page(app, user)
    detail = page.get(f"/applications/{application_id}").status_code
    listed = f"/applications/{application_id}" in page.get("/applications").data.decode()
    api = _api(app, user)
    return (
        detail,
        listed,
        api.get(f"/api/v1/applications/{application_id}", headers=api.h).status_code,
    )


def test_a_draft_is_hidden_from_hr_and_the_manager_until_submitted(app, db, setup):
    draft = setup.draft()
    db.session.commit()
    for reader in (setup.hr, setup.manager):
        assert _sees(app, reader, draft.id) == (404, False, 404), reader.email
    assert _sees(app, setup.employee, draft.id) == (200, True, 200)
    services.submit_application(setup.employee, draft, now=INSIDE)
    db.session.commit()
    for reader in (setup.hr, setup.manager):
        assert _sees(app, reader, draft.id) == (200, True, 200), reader.email
