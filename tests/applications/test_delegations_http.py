"""Delegations through the pages and the JSON API: the coordinator leak, the contract, the
navigation, ending early, and "deputy for principal" in the history on the pages."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import sqlalchemy as sa
import time_machine

from hrfund.applications import services
from hrfund.applications.models import Application, Delegation
from hrfund.core.audit import AuditEvent
from hrfund.core.fiscal import tokyo_today
from tests import factories
from tests.applications.conftest import INSIDE
from tests.applications.test_api_and_pages import _api, _page

FAR = "2099-12-31"


def _with_cv(app, setup) -> Application:
    """The employee's application, submitted with a CV (through the pages, as people do)."""
    with time_machine.travel(INSIDE, tick=False):
        application = setup.draft()
        services.add_attachment(
            setup.employee,
            application,
            "cv",
            type("Upload", (), {"stream": io.BytesIO(b"%PDF-1.5 cv"), "filename": "cv.pdf"})(),
        )
        services.submit_application(setup.employee, application, now=INSIDE)
    return application


def test_a_coordinator_standing_in_reads_and_endorses_nothing(app, db, setup):
    """The Seoul coordinator as deputy of the manager and of HR (rows made before the rules):
    no applications list, no detail, no CV, no endorsement — pages and API."""
    for principal in (setup.manager, setup.hr):
        db.session.add(
            Delegation(
                principal_id=principal.id,
                deputy_id=setup.coordinator.id,
                starts_on=date(2020, 1, 1),
                ends_on=date(2099, 12, 31),
            )
        )
    application = _with_cv(app, setup)
    cv = application.attachments[0]
    db.session.commit()
    page = _page(app, setup.coordinator)
    listing = page.get("/applications").get_data(as_text=True)
    assert f"/applications/{application.id}" not in listing
    assert page.get(f"/applications/{application.id}").status_code == 404
    assert page.get(f"/applications/{application.id}/attachments/{cv.id}").status_code == 404
    assert page.post(f"/applications/{application.id}/endorse").status_code == 404
    api = _api(app, db, setup.coordinator)
    assert api.get("/api/v1/applications", headers=api.h).json["total"] == 0
    assert api.get(f"/api/v1/applications/{application.id}", headers=api.h).status_code == 404
    endorse = api.post(f"/api/v1/applications/{application.id}/endorse", headers=api.h, json={})
    assert endorse.status_code == 404
    db.session.refresh(application)
    assert application.status.value == "submitted"


def test_api_names_lists_and_ends_a_delegation(app, db, setup):
    deputy = factories.user(["employee"], department=setup.department)
    manager, staff = _api(app, db, setup.manager), _api(app, db, deputy)
    today = tokyo_today().isoformat()
    created = manager.post(
        "/api/v1/delegations",
        headers=manager.h,
        json={"deputy": deputy.email.upper(), "starts_on": today, "ends_on": FAR},
    )
    assert created.status_code == 201, created.json
    body = created.json
    assert {k: body[k] for k in ("principal", "deputy", "starts_on", "ends_on", "ended_at")} == {
        "principal": setup.manager.email,
        "deputy": deputy.email,
        "starts_on": today,
        "ends_on": FAR,
        "ended_at": None,
    }
    listed = staff.get("/api/v1/delegations", headers=staff.h).json  # the deputy sees it too
    assert (listed["total"], listed["page"], listed["items"][0]["id"]) == (1, 1, body["id"])
    assert staff.post(f"/api/v1/delegations/{body['id']}/end", headers=staff.h).status_code == 403
    ended = manager.post(f"/api/v1/delegations/{body['id']}/end", headers=manager.h)
    assert ended.status_code == 200 and ended.json["ended_at"] and ended.json["state"] == "ended"
    again = manager.post(f"/api/v1/delegations/{body['id']}/end", headers=manager.h)
    assert again.status_code == 409


def test_api_refusals_name_the_rule(app, db, setup):
    manager = _api(app, db, setup.manager)
    today = tokyo_today()

    def post(**body):
        return manager.post("/api/v1/delegations", headers=manager.h, json=body)

    coordinator = post(deputy=setup.coordinator.id, starts_on=today.isoformat(), ends_on=FAR)
    assert coordinator.status_code == 400
    assert "partner-city account" in coordinator.json["error"]["fields"]["deputy"][0]
    outsider = post(deputy=setup.colleague.email, starts_on=today.isoformat(), ends_on=FAR)
    assert "departments the manager heads" in outsider.json["error"]["fields"]["deputy"][0]
    past = post(
        deputy=setup.other_manager.email,
        starts_on=(today - timedelta(days=1)).isoformat(),
        ends_on=FAR,
    )
    assert past.status_code == 400 and "past" in past.json["error"]["fields"]["starts_on"][0]
    assert post(starts_on=today.isoformat(), ends_on=FAR).status_code == 400
    assert post(deputy=True, starts_on=today.isoformat(), ends_on=FAR).status_code == 400
    assert post(deputy="x@y", starts_on="soon", ends_on=FAR).status_code == 400
    assert (
        post(deputy=setup.other_manager.email, starts_on=today.isoformat(), ends_on=FAR).status_code
        == 201
    )
    overlap = post(deputy=setup.other_manager.id, starts_on=today.isoformat(), ends_on=FAR)
    assert overlap.status_code == 409 and overlap.json["error"]["code"] == "conflict"
    assert setup.other_manager.email in overlap.json["error"]["message"]
    employee = _api(app, db, setup.employee)
    assert employee.post("/api/v1/delegations", headers=employee.h, json={}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Delegation.id))) == 1


def test_api_lists_all_for_hr_and_auditors_with_filters_and_pages(app, db, setup):
    for principal, deputy in (
        (setup.manager, setup.other_manager),
        (setup.other_manager, setup.manager),
        (setup.hr, factories.user(["hr", "employee"])),
    ):
        services.create_delegation(
            principal, deputy=deputy, starts_on=tokyo_today(), ends_on=date(2099, 12, 31)
        )
    db.session.commit()
    for user in (setup.hr, setup.auditor):
        client = _api(app, db, user)
        page = client.get("/api/v1/delegations?per_page=2", headers=client.h).json
        assert (page["total"], len(page["items"]), page["per_page"]) == (3, 2, 2)
    hr = _api(app, db, setup.hr)
    only = hr.get(f"/api/v1/delegations?principal={setup.manager.email}", headers=hr.h).json
    assert [i["deputy"] for i in only["items"]] == [setup.other_manager.email]
    assert hr.get("/api/v1/delegations?state=ended", headers=hr.h).json["total"] == 0
    assert hr.get("/api/v1/delegations?state=later", headers=hr.h).status_code == 400
    other = _api(app, db, setup.other_manager)
    assert other.get("/api/v1/delegations", headers=other.h).json["total"] == 2
    stranger = _api(app, db, setup.colleague)
    assert stranger.get("/api/v1/delegations", headers=stranger.h).json["total"] == 0
    first = only["items"][0]["id"]
    assert stranger.post(f"/api/v1/delegations/{first}/end", headers=stranger.h).status_code == 403
    hr_end = hr.post(f"/api/v1/delegations/{first}/end", headers=hr.h)
    assert hr_end.status_code == 200
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "delegations.end"))
    assert event.actor_id == setup.hr.id and event.object_id == str(first)


def test_the_navigation_and_the_profile_lead_to_the_deputies(app, db, setup):
    for user in (setup.manager, setup.hr, setup.auditor):
        html = _page(app, user).get("/profile").get_data(as_text=True)
        assert re.search(r'<a[^>]*href="/delegations"', html), user.email
    employee = _page(app, setup.employee).get("/profile").get_data(as_text=True)
    assert 'id="deputies"' in employee  # a deputy finds theirs from the profile
    coordinator = _page(app, setup.coordinator).get("/profile").get_data(as_text=True)
    assert "/delegations" not in coordinator
    assert _page(app, setup.coordinator).get("/delegations").status_code == 403


def test_pages_name_refuse_and_end_early_with_a_confirmation(app, db, setup):
    deputy = factories.user(["employee"], department=setup.department)
    db.session.commit()
    manager = _page(app, setup.manager)
    today = tokyo_today().isoformat()
    refused = manager.post(
        "/delegations",
        data={"deputy": setup.coordinator.email, "starts_on": today, "ends_on": FAR},
    )
    assert refused.status_code == 422
    assert "partner-city account cannot stand in" in refused.get_data(as_text=True)
    assert setup.coordinator.email in refused.get_data(as_text=True)  # what was typed stays
    named = manager.post(
        "/delegations", data={"deputy": deputy.email, "starts_on": today, "ends_on": FAR}
    )
    assert named.status_code == 302
    overlap = manager.post(
        "/delegations",
        data={"deputy": setup.other_manager.email, "starts_on": today, "ends_on": FAR},
    )
    assert overlap.status_code == 409 and "must not overlap" in overlap.get_data(as_text=True)
    delegation = db.session.scalar(sa.select(Delegation))
    listing = manager.get("/delegations").get_data(as_text=True)
    assert deputy.email in listing and f"/delegations/{delegation.id}/end" in listing
    confirm = manager.get(f"/delegations/{delegation.id}/end").get_data(as_text=True)
    assert "loses these powers at once" in confirm
    assert manager.post(f"/delegations/{delegation.id}/end").status_code == 302
    db.session.refresh(delegation)
    assert delegation.ended_at is not None
    assert _page(app, deputy).post("/delegations", data={}).status_code == 403


def test_the_history_on_the_pages_shows_the_deputy_for_the_principal(app, db, setup):
    deputy = factories.user(["hr", "employee"])
    services.create_delegation(
        setup.hr, deputy=deputy, starts_on=tokyo_today(), ends_on=date(2099, 12, 31)
    )
    application = setup.endorsed()
    db.session.commit()
    client = _page(app, deputy)
    approved = client.post(
        f"/applications/{application.id}/approve",
        data={"city": "SEL", "start_on": "2026-10-01", "end_on": "2027-03-31", "amount_jpy": "1"},
    )
    assert approved.status_code == 302
    db.session.refresh(application)
    expected = f"{deputy.email} (for {setup.hr.email})"
    assert expected in client.get(f"/applications/{application.id}").get_data(as_text=True)
    placement = client.get(f"/placements/{application.placement_id}").get_data(as_text=True)
    assert expected in placement
    ledger = client.get("/fund/ledger").get_data(as_text=True)
    assert f"for {setup.hr.email}" in ledger


def test_the_list_pages_query_count_does_not_grow(app, db, setup, query_counter):
    """HR's page and the API list: a page's query count does not grow with the delegations."""
    hr_page, hr_api = _page(app, setup.hr), _api(app, db, setup.hr)
    counts = []
    for n in (2, 8):
        for _ in range(n):
            department = factories.department()
            principal = factories.user(["manager", "employee"], department=department)
            deputy = factories.user(["employee"], department=department)
            services.create_delegation(
                principal, deputy=deputy, starts_on=tokyo_today(), ends_on=date(2099, 12, 31)
            )
        db.session.commit()
        measured = []
        for get in (
            lambda: hr_page.get("/delegations?per_page=100"),
            lambda: hr_api.get("/api/v1/delegations?per_page=100", headers=hr_api.h),
        ):
            get()
            with query_counter() as count:
                assert get().status_code == 200
            measured.append(count())
        counts.append(measured)
    assert counts[0] == counts[1]
