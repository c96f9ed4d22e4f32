"""The auditor reads everything an HR officer or administrator reads, and changes nothing: the
pages answer 200 without their edit controls, every write answers 403 and changes nothing."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest

from hrfund.auth.models import User
from hrfund.extensions import db as _db
from hrfund.training import imports, records
from tests import factories


@pytest.fixture
def things(db, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    employee = factories.user(["employee"])
    hr = factories.user(["hr", "employee"])
    score = records.add_language_score(
        employee, employee, test="ielts", score="7.0", taken_on=date(2026, 5, 1)
    )
    batch = imports.create_batch(
        hr, BytesIO(b"employee,program,status,completed_on\n"), "records.csv", max_bytes=10_000
    )
    db.session.commit()
    return employee, score, batch


PAGES = [
    ("/admin/users", "user-list"),
    ("/training/verification", "queue"),
    ("/training/imports", "imports"),
    ("/talent", "talent"),
    ("/talent?language_test=ielts", "talent"),
    ("/reminders/rules", "rules"),
    ("/delegations", "delegations"),
]


@pytest.mark.parametrize("path,_what", PAGES)
def test_auditor_reads_each_page(things, login_as, path, _what):
    response = login_as("auditor").get(path)
    assert response.status_code == 200, (path, response.status_code)


def test_pages_show_the_auditor_no_edit_control(things, login_as):
    employee, score, batch = things
    auditor = login_as("auditor")
    users = auditor.get("/admin/users").get_data(as_text=True)
    assert employee.email in users and "/admin/users/new" not in users
    detail = auditor.get(f"/admin/users/{employee.id}").get_data(as_text=True)
    assert 'id="user-detail"' in detail and employee.email in detail
    for control in ("<form", "/deactivate", "/password", "/unlock", 'type="submit"'):
        assert control not in detail.split("<main", 1)[-1].split("</main>")[0], control
    queue = auditor.get("/training/verification").get_data(as_text=True)
    assert "7.0" in queue and f"/training/scores/{score.id}/verify" not in queue
    listing = auditor.get("/training/imports").get_data(as_text=True)
    assert "records.csv" in listing and "/training/imports/new" not in listing
    one = auditor.get(f"/training/imports/{batch.id}").get_data(as_text=True)
    assert f"/training/imports/{batch.id}/step" not in one
    assert f"/training/imports/{batch.id}/import" not in one
    programs = auditor.get("/training/").get_data(as_text=True)
    assert "/training/verification" in programs and "/training/imports" in programs
    assert "/training/programs/new" not in programs
    nav = auditor.get("/talent").get_data(as_text=True)
    for link in ('href="/admin/users"', 'href="/talent"', 'href="/reminders/rules"'):
        assert link in nav, link


def test_auditor_writes_are_refused_and_change_nothing(things, login_as):
    employee, score, batch = things
    auditor = login_as("auditor")
    writes = [
        f"/admin/users/{employee.id}",
        f"/admin/users/{employee.id}/deactivate",
        f"/admin/users/{employee.id}/password",
        f"/admin/users/{employee.id}/unlock",
        "/admin/users/new",
        f"/training/scores/{score.id}/verify",
        f"/training/scores/{score.id}/reject",
        f"/training/imports/{batch.id}/step",
        f"/training/imports/{batch.id}/import",
        "/training/imports/new",
    ]
    for path in writes:
        response = auditor.post(path, data={"family_name_romaji": "Changed", "reason": "x"})
        assert response.status_code == 403, path
    _db.session.expire_all()
    assert _db.session.get(User, employee.id).family_name_romaji != "Changed"
    assert _db.session.get(User, employee.id).active


def test_auditor_searches_the_talent_pool_through_the_api(things, api_as):
    employee, _score, _batch = things
    auditor = api_as("auditor")
    response = auditor.get(
        "/api/v1/talent?language_test=ielts&unverified=1", headers=auditor.headers
    )
    assert response.status_code == 200
    assert employee.email in {item.get("email") for item in response.json["items"]}
