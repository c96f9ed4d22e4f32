"""The lists of applications (HR's page and the API) load only what a row shows, and still
show all of it."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for

from hrfund.applications import services
from hrfund.applications.models import Application
from hrfund.core.fiscal import tokyo_today
from tests import factories
from tests.factories import TEST_PASSWORD


def test_listed_applications_leave_the_applicants_roles_and_the_calls_slots_unloaded(db, setup):
    setup.endorsed()
    db.session.commit()
    db.session.expunge_all()  # nothing already in the session: only what the list loads
    listed = db.session.scalars(sa.select(Application).options(*services.list_loads())).all()
    assert listed
    for application in listed:
        loaded = sa.inspect(application.applicant).dict
        assert "role_rows" not in loaded and "managed_departments" not in loaded
        assert "password_hash" not in loaded  # columns a row does not show
        assert "slots" not in sa.inspect(application.call).dict
        assert "statement" not in sa.inspect(application).dict
        # what a row shows is there, without a query more
        assert application.applicant.display_name("ja") and application.call.name("ja")


def test_the_api_list_says_whom_a_deputy_acted_for_and_none_for_an_officers_own_step(
    db, setup, api_as
):
    deputy = factories.user(["hr", "employee"])
    services.create_delegation(
        setup.hr, deputy=deputy, starts_on=tokyo_today(), ends_on=date(2099, 12, 31)
    )
    application = setup.endorsed()
    services.approve_application(
        deputy,
        application,
        city=setup.seoul,
        start_on=date(2026, 10, 1),
        end_on=date(2027, 3, 31),
        amount_jpy=500_000,
    )
    db.session.commit()
    client = api_as("hr")
    body = client.get("/api/v1/applications?per_page=50", headers=client.headers).get_json()
    item = next(i for i in body["items"] if i["id"] == application.id)
    steps = item["history"]
    assert [s["to"] for s in steps][-1] == "approved"
    assert steps[-1]["on_behalf_of"] == setup.hr.email
    assert steps[-1]["actor"] and steps[-1]["at"]
    assert all(s["on_behalf_of"] is None for s in steps[:-1])


def test_the_page_shows_each_rows_link_name_department_call_and_status(app, db, setup):
    application = setup.endorsed()
    db.session.commit()
    client = app.test_client()
    signed_in = client.post("/login", data={"email": setup.hr.email, "password": TEST_PASSWORD})
    assert signed_in.status_code == 302
    page = client.get("/applications?per_page=50").get_data(as_text=True)
    with app.test_request_context():
        link = url_for("applications.application", application_id=application.id)
    assert f'<a href="{link}">{application.id}</a>' in page
    assert application.applicant.display_name("en") in page
    assert application.applicant.department.name_en in page
    assert application.call.name("en") in page
    assert '<span data-status="endorsed">endorsed</span>' in page
