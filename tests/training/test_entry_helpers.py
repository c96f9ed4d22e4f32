"""The catalogue and the entry forms ask ``training.access`` before they show a link or a
field: for every kind of user, what the page shows is what the server then allows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from hrfund.extensions import db as _db
from hrfund.training import access
from hrfund.training.models import LanguageScore, TrainingRecord
from tests import factories
from tests.factories import TEST_PASSWORD

TAKEN = date.today() - timedelta(days=20)
ROLE_SETS = [
    ["employee"],
    ["manager"],
    ["hr"],
    ["hr", "employee"],
    ["auditor"],
    ["admin"],
    ["coordinator"],
    ["coordinator", "employee"],
]
NOTE = "stays unverified until HR has checked it"


def _login(app, roles):
    user = factories.user(roles=roles)
    _db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    client.user = user
    return client


@pytest.mark.parametrize("roles", ROLE_SETS, ids="+".join)
def test_the_catalogue_links_to_what_the_server_opens(app, db, roles):
    client = _login(app, roles)
    page = client.get("/training/").get_data(as_text=True)
    sees_history = access.can_see_own_history(client.user)
    assert ('href="/training/me"' in page) is sees_history
    history = client.get("/training/me", follow_redirects=True)
    assert history.status_code == (200 if sees_history else 403)
    adds = access.can_add_entries(client.user)
    for url in ("/training/records/new", "/training/scores/new"):
        assert (f'href="{url}"' in page) is adds
        assert client.get(url).status_code == (200 if adds else 403)


def test_the_roles_that_see_the_links(db):
    seen = {
        "+".join(roles): (
            access.can_see_own_history(factories.user(roles=roles)),
            access.can_add_entries(factories.user(roles=roles)),
        )
        for roles in ROLE_SETS
    }
    assert seen == {  # the helpers are not vacuous: some roles see each link, some do not
        "employee": (True, True),
        "manager": (True, False),
        "hr": (True, True),
        "hr+employee": (True, True),
        "auditor": (True, False),
        "admin": (True, False),
        "coordinator": (False, False),
        "coordinator+employee": (True, True),
    }


def _count(model, user) -> int:
    return _db.session.scalar(
        sa.select(sa.func.count()).select_from(model).where(model.user_id == user.id)
    )


@pytest.mark.parametrize("roles", [["employee"], ["hr"], ["coordinator", "employee"]], ids="+".join)
def test_the_employee_field_shows_where_naming_someone_else_is_allowed(
    app, db, make_program, roles
):
    program = make_program()
    other = factories.user(["employee"])
    client = _login(app, roles)
    for_others = access.can_enter_for_others(client.user)
    assert for_others is (roles == ["hr"])
    record_page = client.get("/training/records/new").get_data(as_text=True)
    score_page = client.get("/training/scores/new").get_data(as_text=True)
    assert ('name="employee"' in record_page) is for_others
    assert ('name="employee"' in score_page) is for_others
    record = {"program": program.id, "status": "completed", "completed_on": TAKEN.isoformat()}
    score = {"test": "ielts", "score": "7.0", "taken_on": TAKEN.isoformat()}
    for url, form, model in (
        ("/training/records/new", record, TrainingRecord),
        ("/training/scores/new", score, LanguageScore),
    ):
        response = client.post(url, data=form | {"employee": other.email})
        assert response.status_code == (302 if for_others else 403)
        assert _count(model, other) == (1 if for_others else 0)


@pytest.mark.parametrize("roles", [["employee"], ["hr"], ["hr", "employee"]], ids="+".join)
def test_the_unverified_note_shows_where_an_own_entry_is_stored_unverified(
    app, db, make_program, roles
):
    program = make_program()
    client = _login(app, roles)
    verified = access.can_enter_verified(client.user)
    assert verified is ("hr" in roles)
    for url in ("/training/records/new", "/training/scores/new"):
        assert (NOTE in client.get(url).get_data(as_text=True)) is not verified
    record = {"program": program.id, "status": "completed", "completed_on": TAKEN.isoformat()}
    assert client.post("/training/records/new", data=record).status_code == 302
    score = {"test": "ielts", "score": "7.0", "taken_on": TAKEN.isoformat()}
    assert client.post("/training/scores/new", data=score).status_code == 302
    stored = [
        _db.session.scalars(sa.select(model).where(model.user_id == client.user.id)).one()
        for model in (TrainingRecord, LanguageScore)
    ]
    assert [entry.verified for entry in stored] == [verified, verified]


@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda r: "+".join(r))
def test_the_development_page_offers_entries_and_edits_exactly_where_they_open(
    app, db, make_program, roles
):
    """Someone else's development page: the add links show only where the entry forms let this
    user name that person, the Edit button only where the edit page opens."""
    person = factories.user(["employee"])
    record = TrainingRecord(
        user_id=person.id,
        program_id=make_program().id,
        status="completed",
        completed_on=TAKEN,
        source="self",
        verified=False,
    )
    _db.session.add(record)
    client = _login(app, roles)
    page = client.get(f"/training/people/{person.id}")
    if page.status_code == 404:  # not theirs to read: nothing to offer
        return
    html = page.get_data(as_text=True)
    shown_add = "/training/records/new" in html
    assert shown_add == access.can_enter_for_others(client.user)
    shown_edit = f"/training/records/{record.id}/edit" in html
    opens = client.get(f"/training/records/{record.id}/edit").status_code == 200
    assert shown_edit == opens
