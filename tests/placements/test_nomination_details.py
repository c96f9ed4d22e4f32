"""A coordinator's nomination carries what a host needs — CV, purpose and cooperation area,
preferred host department, language ability —, HR sees it, and the coordinator follows its
status as it changes; on the pages and in the API."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import time_machine

from hrfund.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from hrfund.placements import nomination_details, nominations
from tests import factories
from tests.placements.conftest import END, START


@pytest.fixture(autouse=True)
def _a_month_before_the_start():
    """A nomination's dates lie in the future: these tests nominate a month before START."""
    with time_machine.travel(START - timedelta(days=30)):
        yield


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DETAILS = {
    "purpose": "上下水道の漏水対策を東京都水道局で学ぶ",
    "cooperation_area": "waterworks",
    "preferred_department": "GOV-INT",
    "language_ability": "English (IELTS 7.0), Japanese (JLPT N3)",
}


@pytest.fixture(autouse=True)
def uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


def _login(app, user):
    c = app.test_client()
    c.post("/login", data={"email": user.email, "password": factories.TEST_PASSWORD})
    return c


def test_the_coordinator_nominates_with_cv_and_details_and_hr_sees_them(app, db, world):
    coordinator = _login(app, world.seoul_coordinator)
    form = coordinator.get("/nominations/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'name="cv"' in form
    response = coordinator.post(
        "/nominations/new",
        data={
            "name": "Lee Jiwoo",
            "email": "lee.jiwoo@seoul.example",
            "position": "Deputy Director, Water Supply",
            "start_on": START.isoformat(),
            "end_on": END.isoformat(),
            **DETAILS,
            "cv": (io.BytesIO(PDF), "Lee Jiwoo CV.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    nomination_id = int(response.location.rsplit("/", 1)[1])
    db.session.expire_all()
    nomination = nominations.get_nomination_or_404(nomination_id, world.hr)
    assert nomination.purpose == DETAILS["purpose"]
    assert nomination.cooperation_area == "waterworks"
    assert nomination.preferred_department.code == "GOV-INT"
    assert nomination.language_ability.startswith("English (IELTS 7.0)")
    assert nomination.cv_file.original_name == "Lee Jiwoo CV.pdf"

    hr = _login(app, world.hr)
    page = hr.get(f"/nominations/{nomination_id}").get_data(as_text=True)
    assert DETAILS["purpose"] in page and "Waterworks and sewerage" in page
    assert "JLPT N3" in page and "Lee Jiwoo CV.pdf" in page
    assert re.search(r'<option selected value="GOV-INT"|<option value="GOV-INT" selected', page)
    download = hr.get(f"/nominations/{nomination_id}/cv")
    assert download.status_code == 200 and download.data == PDF
    assert coordinator.get(f"/nominations/{nomination_id}/cv").data == PDF
    other_city = _login(app, world.berlin_coordinator)
    assert other_city.get(f"/nominations/{nomination_id}/cv").status_code == 404
    assert _login(app, world.auditor).get(f"/nominations/{nomination_id}/cv").status_code == 200


def test_a_bad_cv_or_detail_refuses_the_nomination_and_keeps_nothing(app, db, world):
    coordinator = _login(app, world.seoul_coordinator)
    before = db.session.query(nominations.Nomination).count()
    response = coordinator.post(
        "/nominations/new",
        data={
            "name": "Lee Jiwoo",
            "email": "lee.jiwoo@seoul.example",
            "position": "Deputy Director",
            "start_on": START.isoformat(),
            "end_on": END.isoformat(),
            **DETAILS,
            "cv": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "cv.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "is not a PDF file" in response.get_data(as_text=True)
    assert db.session.query(nominations.Nomination).count() == before
    with pytest.raises(ValidationFailed) as refused:
        world.nominate(details={"cooperation_area": "space travel", "preferred_department": "NO"})
    assert set(refused.value.fields) == {"cooperation_area", "preferred_department"}


def test_the_coordinator_follows_the_status_as_it_changes(app, db, world):
    accepted = world.nominate(details=DETAILS)
    rejected = world.nominate(name="Kim Minsu", email="kim@seoul.example")
    db.session.commit()
    coordinator = _login(app, world.seoul_coordinator)
    listing = coordinator.get("/nominations").get_data(as_text=True)
    assert listing.count('data-status="pending"') == 2
    nominations.accept_nomination(
        world.hr, accepted, host_department=world.host, amount_jpy=300_000
    )
    nominations.reject_nomination(world.hr, rejected, comment="The period is too short.")
    db.session.commit()
    listing = coordinator.get("/nominations").get_data(as_text=True)
    assert 'data-status="accepted"' in listing and 'data-status="rejected"' in listing
    assert 'data-placement-state="confirmed"' in listing  # and the placement it became
    page = coordinator.get(f"/nominations/{rejected.id}").get_data(as_text=True)
    history = page.split('id="nomination-history"')[1].split("</ol>")[0]
    assert 'data-state="pending"' in history and 'data-state="rejected"' in history
    assert "The period is too short." in history
    page = coordinator.get(f"/nominations/{accepted.id}").get_data(as_text=True)
    assert 'data-placement-state="confirmed"' in page


def test_the_cv_belongs_to_the_city_and_to_a_pending_nomination(db, world):
    nomination = world.nominate()
    with pytest.raises(NotAllowed):
        nomination_details.attach_cv(world.berlin_coordinator, nomination, io.BytesIO(PDF), "a.pdf")
    nominations.reject_nomination(world.hr, nomination, comment="No.")
    with pytest.raises(InvalidTransition):
        nomination_details.attach_cv(world.seoul_coordinator, nomination, io.BytesIO(PDF), "a.pdf")


def test_api_nomination_fields_and_cv_upload(app, db, world):
    from hrfund.auth.sessions import create_api_token

    _t, coordinator_token = create_api_token(world.seoul_coordinator, world.seoul_coordinator, "t")
    _t, hr_token = create_api_token(world.hr, world.hr, "t")
    db.session.commit()
    c = app.test_client()
    auth = {"Authorization": f"Bearer {coordinator_token}"}
    response = c.post(
        "/api/v1/nominations",
        json={
            "name": "Park Seoyeon",
            "email": "park@seoul.example",
            "position": "Manager, Urban Regeneration",
            "start_on": START.isoformat(),
            "end_on": END.isoformat(),
            **DETAILS,
            "cooperation_area": "WATERWORKS",
        },
        headers=auth,
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["purpose"] == DETAILS["purpose"] and body["cooperation_area"] == "waterworks"
    assert body["preferred_department"] == "GOV-INT" and body["cv"] is None
    assert body["language_ability"] == DETAILS["language_ability"]
    url = f"/api/v1/nominations/{body['id']}/cv"
    assert c.post(url, headers=auth, data={}).status_code == 400
    bad = c.post(
        url,
        headers=auth,
        data={"file": (io.BytesIO(b"GIF89a"), "cv.pdf")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    good = c.post(
        url,
        headers=auth,
        data={"file": (io.BytesIO(PDF), "cv.pdf")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 200, good.json
    assert good.json["cv"] == {
        "name": "cv.pdf",
        "size": len(PDF),
        "content_type": "application/pdf",
    }
    listed = c.get("/api/v1/nominations", headers={"Authorization": f"Bearer {hr_token}"}).json
    [item] = [n for n in listed["items"] if n["id"] == body["id"]]
    assert item["cv"]["name"] == "cv.pdf" and item["decided_at"] is None
    bad_area = c.post(
        "/api/v1/nominations",
        json={
            **DETAILS,
            "name": "X",
            "email": "x@seoul.example",
            "position": "P",
            "start_on": START.isoformat(),
            "end_on": END.isoformat(),
            "cooperation_area": "war",
        },
        headers=auth,
    )
    assert bad_area.status_code == 400 and "cooperation_area" in bad_area.json["error"]["fields"]
