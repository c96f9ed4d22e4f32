"""Applications through the JSON API and the pages, and the approval race on PostgreSQL."""

from __future__ import annotations

import csv
import io
import threading
from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from hrfund.applications.models import Application
from hrfund.placements.models import Placement
from tests.applications.conftest import INSIDE
from tests.conftest import TEST_PASSWORD


def _api(app, db, user):
    from hrfund.auth.services import create_api_token

    _t, plain = create_api_token(user, user, "t")
    db.session.commit()
    c = app.test_client()
    c.h = {"Authorization": f"Bearer {plain}"}
    return c


def _page(app, user):
    c = app.test_client()
    assert (
        c.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302
    )
    return c


BODY = {
    "preferences": ["SEL"],
    "statement": "ソウルで都市計画を学びたい。",
    "start_on": "2026-10-01",
    "end_on": "2027-03-31",
    "budget": {"travel_jpy": 200000, "stipend_jpy": 500000, "housing_jpy": 300000},
}


def test_api_journey_from_draft_to_approval(app, db, setup):
    employee, manager, hr = (_api(app, db, u) for u in (setup.employee, setup.manager, setup.hr))
    response = employee.post(
        "/api/v1/applications", headers=employee.h, json={"call_id": setup.call.id, **BODY}
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "draft" and body["placement_id"] is None
    assert body["budget"]["total_jpy"] == 1_000_000 and body["preferences"] == ["SEL"]
    app_id = body["id"]
    patched = employee.patch(
        f"/api/v1/applications/{app_id}", headers=employee.h, json={"preferences": ["BER", "SEL"]}
    )
    assert patched.status_code == 200 and patched.json["preferences"] == ["BER", "SEL"]
    with time_machine.travel(INSIDE, tick=False):
        submitted = employee.post(f"/api/v1/applications/{app_id}/submit", headers=employee.h)
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    outside = employee.patch(
        f"/api/v1/applications/{app_id}", headers=employee.h, json={"statement": "x"}
    )
    assert outside.status_code == 409
    assert (
        hr.post(f"/api/v1/applications/{app_id}/endorse", headers=hr.h, json={}).status_code == 403
    )
    endorsed = manager.post(
        f"/api/v1/applications/{app_id}/endorse", headers=manager.h, json={"comment": "推薦します"}
    )
    assert endorsed.status_code == 200 and endorsed.json["status"] == "endorsed"
    short = hr.post(
        f"/api/v1/applications/{app_id}/approve",
        headers=hr.h,
        json={
            "city": "BER",
            "start_on": "2026-10-01",
            "end_on": "2027-03-31",
            "amount_jpy": 9_000_000,
        },
    )
    assert short.status_code == 409 and short.json["error"]["code"] == "insufficient_funds"
    approved = hr.post(
        f"/api/v1/applications/{app_id}/approve",
        headers=hr.h,
        json={
            "city": "BER",
            "start_on": "2026-10-01",
            "end_on": "2027-03-31",
            "amount_jpy": 1_000_000,
        },
    )
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved" and approved.json["placement_id"]
    history = approved.json["history"]
    assert [h["to"] for h in history] == ["draft", "submitted", "endorsed", "approved"]
    again = hr.post(
        f"/api/v1/applications/{app_id}/approve",
        headers=hr.h,
        json={"city": "BER", "start_on": "2026-10-01", "end_on": "2027-03-31", "amount_jpy": 1},
    )
    assert again.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count(Placement.id))) == 1
    mine = employee.get("/api/v1/placements", headers=employee.h).json
    assert mine["total"] == 1 and mine["items"][0]["status"] == "proposed"


def test_api_submit_outside_window_and_ineligible_are_409(app, db, setup):
    colleague = _api(app, db, setup.colleague)
    created = colleague.post(
        "/api/v1/applications", headers=colleague.h, json={"call_id": setup.call.id, **BODY}
    )
    app_id = created.json["id"]
    with time_machine.travel(INSIDE, tick=False):
        response = colleague.post(f"/api/v1/applications/{app_id}/submit", headers=colleague.h)
    assert response.status_code == 409 and "IELTS" in response.json["error"]["message"]
    response = colleague.post(f"/api/v1/applications/{app_id}/submit", headers=colleague.h)
    assert response.status_code == 409 and "23:59:59" in response.json["error"]["message"]


def test_api_duplicate_and_bad_fields(app, db, setup):
    employee = _api(app, db, setup.employee)
    assert (
        employee.post(
            "/api/v1/applications", headers=employee.h, json={"call_id": setup.call.id, **BODY}
        ).status_code
        == 201
    )
    duplicate = employee.post(
        "/api/v1/applications", headers=employee.h, json={"call_id": setup.call.id, **BODY}
    )
    assert duplicate.status_code == 409 and duplicate.json["error"]["code"] == "conflict"
    other = _api(app, db, setup.manager)
    bad = other.post(
        "/api/v1/applications",
        headers=other.h,
        json={"call_id": setup.call.id, **BODY, "budget": {"travel_jpy": "many"}},
    )
    assert bad.status_code == 400 and "travel_jpy" in bad.json["error"]["fields"]
    assert (
        other.post("/api/v1/applications", headers=other.h, json={"call_id": "x"}).status_code
        == 400
    )
    unknown = other.post("/api/v1/applications", headers=other.h, json={"call_id": 999999})
    assert unknown.status_code == 404


def test_api_calls(app, db, setup):
    hr = _api(app, db, setup.hr)
    created = hr.post(
        "/api/v1/calls",
        headers=hr.h,
        json={
            "title": "FY2027 Berlin",
            "fiscal_year": 2027,
            "opens_on": "2027-05-01",
            "closes_on": "2027-05-31",
            "slots": [{"city": "BER", "positions": 1, "months": 12, "estimated_cost_jpy": 3000000}],
            "rules": {"language": {"test": "goethe", "min_score": 60}},
        },
    )
    assert created.status_code == 201, created.json
    assert created.json["status"] == "draft"
    assert created.json["closes_at"] == "2027-05-31T23:59:59+09:00"
    bad = hr.post(
        "/api/v1/calls",
        headers=hr.h,
        json={
            "title": "x",
            "fiscal_year": 2027,
            "opens_on": "2027-05-31",
            "closes_on": "2027-05-01",
            "slots": [{"city": "ZZZ", "positions": 0, "months": 1, "estimated_cost_jpy": 1}],
        },
    )
    assert bad.status_code == 400
    assert {"closes_on", "slots"} <= set(bad.json["error"]["fields"])
    opened = hr.post(f"/api/v1/calls/{created.json['id']}/open", headers=hr.h)
    assert opened.status_code == 200 and opened.json["status"] == "open"
    employee = _api(app, db, setup.employee)
    listing = employee.get("/api/v1/calls?status=open", headers=employee.h).json
    assert listing["total"] == 2
    assert employee.post("/api/v1/calls", headers=employee.h, json={}).status_code == 403


def test_pages_apply_attach_submit_endorse_approve(app, db, setup):
    with time_machine.travel(INSIDE, tick=False):  # log in inside the window too
        employee = _page(app, setup.employee)
        response = employee.post(
            f"/calls/{setup.call.id}/apply",
            data={
                "preference_1": "SEL",
                "statement": "志望動機",
                "start_on": "2026-10-01",
                "end_on": "2027-03-31",
                "travel_jpy": "100000",
                "stipend_jpy": "0",
                "housing_jpy": "0",
                "save": "Save draft",
            },
        )
        assert response.status_code == 302
        application = db.session.scalar(sa.select(Application))
        attach = employee.post(
            f"/applications/{application.id}/attachments",
            data={"kind": "cv", "file": (io.BytesIO(b"%PDF-1.5 curriculum vitae"), "履歴書.pdf")},
            content_type="multipart/form-data",
        )
        assert attach.status_code == 302
        fake = employee.post(
            f"/applications/{application.id}/attachments",
            data={"kind": "cv", "file": (io.BytesIO(b"GIF89a"), "cv.pdf")},
            content_type="multipart/form-data",
        )
        assert fake.status_code == 303
        assert employee.post(f"/applications/{application.id}/submit").status_code == 302
    db.session.refresh(application)
    assert application.status.value == "submitted" and len(application.attachments) == 1
    manager = _page(app, setup.manager)
    queue = manager.get("/applications?status=submitted").data.decode()
    assert f"/applications/{application.id}" in queue
    cv = manager.get(f"/applications/{application.id}/attachments/{application.attachments[0].id}")
    assert cv.status_code == 200 and cv.data.startswith(b"%PDF")
    assert _page(app, setup.other_manager).get(f"/applications/{application.id}").status_code == 404
    assert (
        manager.post(
            f"/applications/{application.id}/endorse", data={"comment": "推薦"}
        ).status_code
        == 302
    )
    hr = _page(app, setup.hr)
    form = hr.get(f"/applications/{application.id}/approve").data.decode()
    assert "2,000,000" in form  # the line's available is shown
    short = hr.post(
        f"/applications/{application.id}/approve",
        data={
            "city": "SEL",
            "start_on": "2026-10-01",
            "end_on": "2027-03-31",
            "amount_jpy": "2500000",
        },
    )
    assert short.status_code == 409 and "¥2,000,000 available" in short.data.decode()
    done = hr.post(
        f"/applications/{application.id}/approve",
        data={
            "city": "SEL",
            "start_on": "2026-10-01",
            "end_on": "2027-03-31",
            "amount_jpy": "1200000",
        },
    )
    assert done.status_code == 302
    db.session.refresh(application)
    assert application.status.value == "approved"
    exported = hr.get("/applications/export.csv").data.decode("utf-8-sig")
    assert setup.employee.email in exported
    row = next(r for r in csv.reader(io.StringIO(exported)) if setup.employee.email in r)
    assert "Taro Yamada" in row
    assert row[-2].count(":") == 2  # submitted at, to the second, as the header's (UTC) says
    setup.hr.locale = "ja"
    db.session.commit()
    hr_ja = _page(app, setup.hr)
    in_japanese = hr_ja.get("/applications/export.csv").data.decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(in_japanese)) if setup.employee.email in r)
    assert "承認" in row and "山田 太郎" in row  # status and name as the page shows them


@pytest.mark.parametrize(
    "path,role",
    [
        ("/applications?per_page=100", "hr"),
        ("/calls?per_page=100", "employee"),
        ("/api/v1/applications?per_page=100", "api-hr"),
    ],
)
def test_query_counts_do_not_grow(app, db, setup, query_counter, path, role):
    from hrfund.applications import calls as call_service
    from hrfund.applications import services
    from tests import factories

    c = _api(app, db, setup.hr) if role == "api-hr" else _page(app, getattr(setup, role))
    headers = getattr(c, "h", {})
    counts = []
    for n in (2, 8):
        for _ in range(n):
            person = factories.user(
                ["employee"], department=setup.department, joined_on=date(2010, 4, 1)
            )
            call = call_service.create_call(
                setup.hr,
                title="c",
                fiscal_year=2026,
                opens_on=date(2026, 6, 1),
                closes_on=date(2026, 6, 30),
                slots=[{"city": "SEL", "positions": 1, "months": 1, "estimated_cost_jpy": 1}],
            )
            call_service.open_call(setup.hr, call)
            application = services.create_application(
                person,
                call,
                preferences=["SEL"],
                statement="s",
                start_on=date(2026, 10, 1),
                end_on=date(2027, 3, 31),
            )
            services.submit_application(person, application, now=INSIDE)
        db.session.commit()
        c.get(path, headers=headers)
        with query_counter() as count:
            assert c.get(path, headers=headers).status_code == 200
        counts.append(count())
    assert counts[0] == counts[1]


@pytest.fixture
def pg_app(app, tmp_path, request):
    # The race needs connections of its own: under the rolled-back ``db`` fixture every thread
    # would share the test's one connection, and nothing would race.
    assert "db" not in request.fixturenames
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the approval race needs real PostgreSQL connections")
    from tests.conftest import make_app

    fresh, cleanup = make_app("postgresql", tmp_path)
    yield fresh
    cleanup()


def test_two_hr_officers_approving_at_once(pg_app):
    """Two HR officers approve the same application at the same moment: one wins (200), one
    gets 409; one placement, one commitment."""
    from hrfund.extensions import db
    from hrfund.fund import services as fund
    from tests import factories
    from tests.applications.conftest import build_setup

    with pg_app.app_context():
        setup = build_setup()
        application = setup.endorsed()
        second_hr = factories.user(["hr"])
        db.session.commit()
        officers = [setup.hr.id, second_hr.id]
        application_id = application.id
    tokens = []
    with pg_app.app_context():
        from hrfund.auth.models import User
        from hrfund.auth.services import create_api_token

        for uid in officers:
            _t, plain = create_api_token(
                db.session.get(User, uid), db.session.get(User, uid), "race"
            )
            tokens.append(plain)
        db.session.commit()
    barrier = threading.Barrier(2)
    results = []

    def approve(token):
        client = pg_app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/applications/{application_id}/approve",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "city": "SEL",
                "start_on": "2026-10-01",
                "end_on": "2027-03-31",
                "amount_jpy": 500_000,
            },
        )
        results.append(response.status_code)

    threads = [threading.Thread(target=approve, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [200, 409]
    with pg_app.app_context():
        placements = db.session.scalars(sa.select(Placement)).all()
        assert len(placements) == 1
        assert fund.open_commitment(placements[0].id) == 500_000
        from hrfund.fund.models import Category

        assert fund.summary(2026).lines[Category.OUTGOING].committed == 500_000
        db.session.remove()


def test_hr_filters_applications_by_eligibility_today(app, db, setup):
    """An applicant eligible at submission whose start date HR later corrects no longer meets
    the call's rules: the eligibility filter tells the two applicants apart, page and API."""
    from hrfund.applications import services
    from hrfund.training.models import LanguageTest
    from hrfund.training.records import add_language_score
    from tests import factories

    later = factories.user(["employee"], department=setup.department, joined_on=date(2010, 4, 1))
    add_language_score(
        setup.hr, later, test=LanguageTest.IELTS.value, score="8.0", taken_on=date(2025, 10, 1)
    )
    keeps = setup.draft()
    loses = setup.draft(person=later)
    for application in (keeps, loses):
        services.submit_application(application.applicant, application, now=INSIDE)
    later.joined_on = date(2025, 4, 1)  # the personnel record corrected: one year of service
    db.session.commit()

    hr = _api(app, db, setup.hr)
    listed = {
        flag: {
            a["id"]
            for a in hr.get(
                f"/api/v1/applications?call_id={setup.call.id}&eligible={flag}", headers=hr.h
            ).json["items"]
        }
        for flag in ("yes", "no")
    }
    assert listed == {"yes": {keeps.id}, "no": {loses.id}}

    refused = hr.get("/api/v1/applications?eligible=yes", headers=hr.h)
    assert refused.status_code == 400
    assert "call" in refused.json["error"]["message"]

    page = _page(app, setup.hr)
    html = page.get(f"/applications?call_id={setup.call.id}&eligible=no").get_data(as_text=True)
    assert f'href="/applications/{loses.id}"' in html
    assert f'href="/applications/{keeps.id}"' not in html
    warned = page.get("/applications?eligible=no").get_data(as_text=True)
    assert "Choose a call to filter by eligibility" in warned
    assert f'href="/applications/{loses.id}"' not in warned


def test_refused_approval_says_why_once_and_keeps_what_hr_typed(app, db, setup):
    application = setup.endorsed()
    db.session.commit()
    hr = _page(app, setup.hr)
    response = hr.post(
        f"/applications/{application.id}/approve",
        data={
            "city": "SEL",
            "start_on": "2027-10-01",  # FY2027: nothing allocated yet
            "end_on": "2028-03-31",
            "amount_jpy": "1234567",
            "comment": "来年度枠で",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code in (409, 422)
    assert html.count("Nothing is allocated for FY2027.") == 1
    assert 'value="1234567"' in html and "来年度枠で" in html
    assert 'value="2027-10-01"' in html
    db.session.refresh(application)
    assert application.status.value == "endorsed" and application.placement_id is None


def test_an_ineligible_submission_is_refused_on_the_form_with_what_was_typed(app, db, setup):
    with time_machine.travel(INSIDE, tick=False):
        colleague = _page(app, setup.colleague)  # two years of service, no IELTS
        response = colleague.post(
            f"/calls/{setup.call.id}/apply",
            data={
                "preference_1": "BER",
                "statement": "ベルリンで学びたい理由",
                "start_on": "2026-10-01",
                "end_on": "2027-03-31",
                "travel_jpy": "210000",
                "stipend_jpy": "0",
                "housing_jpy": "0",
                "submit_application": "Submit",
            },
        )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "At least 3 years of service are required" in html
    assert "ベルリンで学びたい理由" in html and 'value="210000"' in html
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0  # nothing kept


def test_past_exchanges_beside_an_application_follow_the_placements_scope(app, db, setup):
    """The manager sees the applicant's earlier placement; a deputy standing in for the manager
    sees the application but not placements outside their own scope."""
    from hrfund.placements import services as placements
    from hrfund.placements.models import PlacementStatus

    earlier = placements.create_outgoing_placement(  # an earlier exchange of the applicant
        setup.hr,
        person=setup.employee,
        city=setup.berlin,
        start_on=date(2026, 7, 1),
        end_on=date(2026, 9, 30),
        amount_jpy=100_000,
    )
    earlier.status = PlacementStatus.COMPLETED  # past exchanges are the completed ones
    earlier.confirmed_at = earlier.created_at
    db.session.flush()
    # a manager of another department stands in (eligible: a manager); the placement of the
    # applicant lies outside the deputy's own scope
    deputy = setup.other_manager
    from hrfund.applications import services as applications
    from hrfund.core.fiscal import tokyo_today

    applications.create_delegation(
        setup.manager, deputy=deputy, starts_on=tokyo_today(), ends_on=date(2099, 12, 31)
    )
    with time_machine.travel(INSIDE, tick=False):
        application = setup.draft()
        applications.submit_application(setup.employee, application)
        db.session.commit()
    link = "Jul 1, 2026"  # the earlier placement's start, as the list shows it
    manager_page = _page(app, setup.manager).get(f"/applications/{application.id}")
    deputy_page = _page(app, deputy).get(f"/applications/{application.id}")
    assert link in manager_page.get_data(as_text=True)
    assert deputy_page.status_code == 200 and link not in deputy_page.get_data(as_text=True)


def test_approval_is_confirmed_in_the_officers_language(app, db, setup):
    application = setup.endorsed()
    setup.hr.locale = "ja"
    db.session.commit()
    hr = _page(app, setup.hr)
    response = hr.post(
        f"/applications/{application.id}/approve",
        data={
            "city": "SEL",
            "start_on": "2026-10-01",
            "end_on": "2027-03-31",
            "amount_jpy": "500000",
        },
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "承認しました" in html
    assert "ソウルの受入確認" in html or "ソウル の受入確認" in html
    assert "Seoul の" not in html
