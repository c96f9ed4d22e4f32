"""Coordinators see only their own city; pages, API, downloads and e-mail links."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from hrfund.placements import nominations, services
from hrfund.placements.models import ActionLinkUse, Placement
from tests import factories
from tests.conftest import TEST_PASSWORD


def _client(app, user):
    c = app.test_client()
    assert (
        c.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302
    )
    return c


def _api(app, db, user):
    from hrfund.auth.services import create_api_token

    _t, plain = create_api_token(user, user, "t")
    db.session.commit()
    c = app.test_client()
    c.headers = {"Authorization": f"Bearer {plain}"}
    return c


@pytest.fixture
def two_cities(world, db):
    seoul = world.place()
    berlin = world.place(person=world.other_employee, city=world.berlin, amount=300_000)
    nomination = world.nominate()
    db.session.commit()
    return seoul, berlin, nomination


def test_coordinator_sees_only_own_city_in_lists_and_counts(app, db, world, two_cities):
    seoul, berlin, _n = two_cities
    c = _client(app, world.berlin_coordinator)
    page = c.get("/placements").data.decode()
    assert f"/placements/{seoul.id}" not in page
    assert world.employee.email not in page
    assert "1 in all" in page
    api = _api(app, db, world.berlin_coordinator)
    body = api.get("/api/v1/placements", headers=api.headers).json
    assert body["total"] == 1 and [p["id"] for p in body["items"]] == [berlin.id]
    body = api.get("/api/v1/placements?city=SEL", headers=api.headers).json
    assert body["total"] == 0 and body["items"] == []
    search = c.get(f"/placements?q={world.employee.email}").data.decode()
    assert "No placements match." in search


def test_other_citys_detail_actions_and_files_are_refused(app, db, world, two_cities):
    seoul, _berlin, nomination = two_cities
    c = _client(app, world.berlin_coordinator)
    assert c.get(f"/placements/{seoul.id}").status_code == 404
    assert (
        c.post(f"/placements/{seoul.id}/confirm", data={"host_office": "Berlin"}).status_code == 404
    )
    assert c.post(f"/placements/{seoul.id}/decline", data={"comment": "x"}).status_code == 404
    assert c.get(f"/placements/{seoul.id}/reports/1/file").status_code == 404
    assert c.get(f"/nominations/{nomination.id}").status_code == 404
    assert c.get("/cities/SEL/exchanges").status_code == 404
    assert c.get("/cities/BER/exchanges").status_code == 200
    api = _api(app, db, world.berlin_coordinator)
    assert api.get(f"/api/v1/placements/{seoul.id}", headers=api.headers).status_code == 404
    response = api.post(
        f"/api/v1/placements/{seoul.id}/confirm",
        headers=api.headers,
        json={"host_office": "Berlin"},
    )
    assert response.status_code == 404
    listing = api.get("/api/v1/nominations", headers=api.headers).json
    assert listing["total"] == 0
    seoul_api = _api(app, db, world.seoul_coordinator)
    pending = seoul_api.get("/api/v1/nominations?status=pending", headers=seoul_api.headers)
    accepted = seoul_api.get("/api/v1/nominations?status=accepted", headers=seoul_api.headers)
    assert (pending.json["total"], accepted.json["total"]) == (1, 0)  # the page's filter too
    bad = seoul_api.get("/api/v1/nominations?status=bogus", headers=seoul_api.headers)
    assert bad.status_code == 400
    db.session.refresh(seoul)
    assert seoul.status.value == "proposed"


def test_employee_sees_only_own_placements(app, db, world, two_cities):
    seoul, berlin, _n = two_cities
    c = _client(app, world.employee)
    assert c.get(f"/placements/{seoul.id}").status_code == 200
    assert c.get(f"/placements/{berlin.id}").status_code == 404
    api = _api(app, db, world.employee)
    assert api.get("/api/v1/placements", headers=api.headers).json["total"] == 1


def test_manager_sees_the_staff_of_their_departments(app, db, world, two_cities):
    from tests import factories

    seoul, berlin, _n = two_cities
    manager = factories.user(["manager"], department=world.employee.department)
    db.session.commit()
    api = _api(app, db, manager)
    ids = [p["id"] for p in api.get("/api/v1/placements", headers=api.headers).json["items"]]
    assert ids == [seoul.id]


def test_coordinator_confirms_through_the_api_and_sees_history(app, db, world, two_cities):
    seoul, _b, _n = two_cities
    api = _api(app, db, world.seoul_coordinator)
    response = api.post(
        f"/api/v1/placements/{seoul.id}/confirm",
        headers=api.headers,
        json={
            "host_office": "Seoul Metropolitan Government, Urban Planning",
            "host_supervisor": "Park Minho",
        },
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "confirmed" and body["committed_jpy"] == 1_200_000
    assert body["history"][-1]["to"] == "confirmed"
    again = api.post(
        f"/api/v1/placements/{seoul.id}/confirm", headers=api.headers, json={"host_office": "x"}
    )
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_transition"
    hr = _api(app, db, world.hr)
    response = hr.post(
        f"/api/v1/placements/{seoul.id}/decline", headers=hr.headers, json={"comment": "x"}
    )
    assert response.status_code == 409


def test_api_decline_without_comment_is_400_and_changes_nothing(app, db, world, two_cities):
    seoul, _b, _n = two_cities
    api = _api(app, db, world.seoul_coordinator)
    response = api.post(f"/api/v1/placements/{seoul.id}/decline", headers=api.headers, json={})
    assert response.status_code == 400 and "comment" in response.json["error"]["fields"]
    db.session.refresh(seoul)
    assert seoul.status.value == "proposed"


def test_nomination_api_and_acceptance(app, db, world):
    coordinator = _api(app, db, world.seoul_coordinator)
    with time_machine.travel(date(2026, 9, 1)):  # nominated in September, for October
        response = coordinator.post(
            "/api/v1/nominations",
            headers=coordinator.headers,
            json={
                "name": "Choi Seoyeon",
                "email": "choi@seoul.example",
                "position": "Manager",
                "start_on": "2026-10-01",
                "end_on": "2027-03-31",
            },
        )
    assert response.status_code == 201 and response.json["city"] == "SEL"
    nomination_id = response.json["id"]
    bad = coordinator.post(
        "/api/v1/nominations",
        headers=coordinator.headers,
        json={
            "name": "X",
            "email": "x@seoul.example",
            "position": "Y",
            "start_on": "2026-13-01",
            "end_on": "2027-03-31",
        },
    )
    assert bad.status_code == 400 and "start_on" in bad.json["error"]["fields"]
    hr = _api(app, db, world.hr)
    short = hr.post(
        f"/api/v1/nominations/{nomination_id}/accept",
        headers=hr.headers,
        json={"host_department": "GOV-INT", "amount_jpy": 5_000_000},
    )
    assert short.status_code == 409 and short.json["error"]["code"] == "insufficient_funds"
    ok = hr.post(
        f"/api/v1/nominations/{nomination_id}/accept",
        headers=hr.headers,
        json={"host_department": "GOV-INT", "amount_jpy": 400_000},
    )
    assert ok.status_code == 200, ok.json
    assert ok.json["direction"] == "incoming" and ok.json["status"] == "confirmed"
    assert ok.json["committed_jpy"] == 400_000


def test_pages_for_hr_create_and_export(app, db, world):
    c = _client(app, world.hr)
    response = c.post(
        "/placements/new",
        data={
            "person": world.employee.email,
            "city": "SEL",
            "start_on": "2026-10-01",
            "end_on": "2027-03-31",
            "amount_jpy": "900000",
            "purpose": "上下水道の技術交流",
        },
    )
    assert response.status_code == 302
    placement = db.session.scalar(sa.select(Placement))
    assert placement.status.value == "proposed"
    error = c.post(
        "/placements/new",
        data={
            "person": "nobody@metro.tokyo.example",
            "city": "SEL",
            "start_on": "2026-10-01",
            "end_on": "2027-03-31",
            "amount_jpy": "900000",
            "purpose": "上下水道",
        },
    )
    assert error.status_code == 422 and "上下水道".encode() in error.data
    csv_text = c.get("/placements/export.csv").data.decode("utf-8-sig")
    assert world.employee.email in csv_text and csv_text.startswith("Placement")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(c.get("/placements/export.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == placement.id
    assert c.get(f"/placements/{placement.id}").status_code == 200
    assert c.get("/placements/timeline?fiscal_year=2026").status_code == 200


def test_report_upload_and_download_scope(app, db, world):
    placement = world.place()
    services.confirm_placement(world.seoul_coordinator, placement, host_office="City Hall")
    services.start_placement(world.seoul_coordinator, placement)
    db.session.commit()
    c = _client(app, world.employee)
    response = c.post(
        f"/placements/{placement.id}/reports",
        data={
            "kind": "mid_term",
            "summary": "Mid-term: 6 projects reviewed.",
            "file": (io.BytesIO(b"%PDF-1.7 real pdf"), "mid-term.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    fake = c.post(
        f"/placements/{placement.id}/reports",
        data={
            "kind": "final",
            "summary": "最終報告：ベルリンでの6か月",
            "file": (io.BytesIO(b"MZ not a pdf"), "final.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422  # said on the page, with the summary kept to send again
    assert "is not a PDF file" in fake.get_data(as_text=True)
    assert "最終報告：ベルリンでの6か月" in fake.get_data(as_text=True)
    from hrfund.placements.models import Report

    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 1
    report = db.session.scalar(sa.select(Report))
    url = f"/placements/{placement.id}/reports/{report.id}/file"
    assert c.get(url).status_code == 200
    assert _client(app, world.seoul_coordinator).get(url).status_code == 200
    assert _client(app, world.berlin_coordinator).get(url).status_code == 404
    assert _client(app, world.other_employee).get(url).status_code == 404


def test_email_link_confirms_once(app, db, world):
    placement = world.place()
    token = nominations.make_action_link_token(placement, world.seoul_coordinator)
    db.session.commit()
    anonymous = app.test_client()
    page = anonymous.get(f"/act/{token}")
    assert page.status_code == 200 and world.employee.email.encode() in page.data
    assert (
        anonymous.post(f"/act/{token}", data={"action": "confirm", "host_office": ""}).status_code
        == 422
    )  # host office missing: the link stays usable
    done = anonymous.post(
        f"/act/{token}", data={"action": "confirm", "host_office": "Seoul City Hall"}
    )
    assert done.status_code == 200 and b"You confirmed" in done.data
    db.session.refresh(placement)
    assert placement.status.value == "confirmed"
    again = anonymous.post(f"/act/{token}", data={"action": "decline", "comment": "oops"})
    assert again.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionLinkUse)) == 1
    from hrfund.core.audit import AuditEvent

    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "placements.confirm")
    ).one()
    assert event.actor_id == world.seoul_coordinator.id


def test_email_link_tampered_expired_or_for_another_city(app, db, world, monkeypatch):
    placement = world.place()
    wrong = nominations.make_action_link_token(placement, world.berlin_coordinator)
    good = nominations.make_action_link_token(placement, world.seoul_coordinator)
    db.session.commit()
    c = app.test_client()
    assert c.get(f"/act/{wrong}").status_code == 404
    assert c.get(f"/act/{good[:-3]}abc").status_code == 404
    from hrfund.auth.models import UserRole

    coordinator_role = db.session.get(UserRole, (world.seoul_coordinator.id, "coordinator"))
    db.session.delete(coordinator_role)  # no longer Seoul's coordinator, city still set
    db.session.commit()
    assert c.get(f"/act/{good}").status_code == 404
    db.session.add(UserRole(user_id=world.seoul_coordinator.id, role="coordinator"))
    db.session.commit()
    assert c.get(f"/act/{good}").status_code == 200
    monkeypatch.setattr(nominations, "LINK_MAX_AGE", -1)
    expired = c.get(f"/act/{good}")
    assert expired.status_code == 403 and b"expired" in expired.data


def test_milestone_pages(app, db, world):
    with time_machine.travel(date(2026, 4, 1)):  # proposed in April: July is after that
        placement = world.place()
    db.session.commit()
    visa = next(m for m in placement.milestones if m.kind.value == "visa")
    hr = _client(app, world.hr)
    assert (
        hr.post(
            f"/placements/{placement.id}/milestones/{visa.id}", data={"due_on": "2026-07-01"}
        ).status_code
        == 302
    )
    db.session.refresh(visa)
    assert visa.due_on == date(2026, 7, 1)
    employee = _client(app, world.employee)
    done = f"/placements/{placement.id}/milestones/{visa.id}/done"
    assert employee.post(done).status_code == 409  # only proposed: the host has not confirmed
    db.session.refresh(visa)
    assert visa.done_at is None
    services.confirm_placement(world.seoul_coordinator, placement, host_office="ソウル市庁")
    db.session.commit()
    assert employee.post(done).status_code == 302
    other = _client(app, world.other_employee)
    assert other.post(f"/placements/{placement.id}/milestones/{visa.id}/done").status_code == 404


@pytest.mark.parametrize(
    "path,role",
    [
        ("/placements?per_page=100", "hr"),
        ("/api/v1/placements?per_page=100", "api:hr"),
        ("/nominations?per_page=100", "hr"),
    ],
)
def test_query_count_does_not_grow(app, db, world, query_counter, path, role):
    counts = []
    c = _api(app, db, world.hr) if role.startswith("api") else _client(app, world.hr)
    headers = getattr(c, "headers", {})
    for n in (3, 12):
        for i in range(n):
            world.place(  # one person holds one placement at a time: a new one each
                person=factories.user(["employee"]), amount=10_000, start=date(2026, 5, 1 + i % 20)
            )
            world.nominate(name=f"Guest {i}")
        db.session.commit()
        c.get(path, headers=headers)
        with query_counter() as count:
            assert c.get(path, headers=headers).status_code == 200
        counts.append(count())
    assert counts[0] == counts[1]


def test_a_refused_confirmation_keeps_what_the_coordinator_typed(app, db, world):
    placement = world.place()
    db.session.commit()
    coordinator = _client(app, world.seoul_coordinator)
    response = coordinator.post(
        f"/placements/{placement.id}/confirm",
        data={"host_office": "", "host_supervisor": "Park Jisoo", "comment": "歓迎します"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Name the office that hosts the employee." in html
    assert 'value="Park Jisoo"' in html and "歓迎します" in html
    db.session.refresh(placement)
    assert placement.status.value == "proposed"
