"""Pages and API of training: status codes, the talent search, exports, query counts."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hrfund.core.fiscal import tokyo_today
from hrfund.extensions import db as _db
from hrfund.training import records, services
from hrfund.training.models import LanguageScore, TrainingRecord
from tests import factories

TAKEN = date.today() - timedelta(days=20)


def test_program_api_status_codes(api_as):
    hr, employee = api_as("hr"), api_as("employee")
    body = {"title": "Cross-cultural communication", "category": "cross_cultural", "hours": 12}
    created = hr.post("/api/v1/training/programs", json=body, headers=hr.headers)
    assert created.status_code == 201 and created.json["category"] == "cross_cultural"
    assert created.json["hours"] == "12.0"
    assert (
        employee.post("/api/v1/training/programs", json=body, headers=employee.headers).status_code
        == 403
    )
    bad = hr.post(
        "/api/v1/training/programs", json={"title": "x", "category": "yoga"}, headers=hr.headers
    )
    assert bad.status_code == 400 and {"category", "hours"} <= set(bad.json["error"]["fields"])
    listed = employee.get("/api/v1/training/programs", headers=employee.headers)
    assert listed.status_code == 200 and listed.json["total"] == 1
    assert (
        employee.get("/api/v1/training/programs/999999", headers=employee.headers).status_code
        == 404
    )


def test_record_and_score_api(api_as, make_program):
    program = make_program()
    other = factories.user()
    _db.session.commit()
    hr, employee = api_as("hr"), api_as("employee")
    own = employee.post(
        "/api/v1/training/records",
        headers=employee.headers,
        json={
            "program_id": program.id,
            "status": "completed",
            "completed_on": TAKEN.isoformat(),
            "hours": "3.5",
        },
    )
    assert own.status_code == 201 and own.json["verified"] is False
    assert own.json["user"]["email"] == employee.user.email
    again = employee.post(
        "/api/v1/training/records",
        headers=employee.headers,
        json={"program_id": program.id, "status": "completed", "completed_on": TAKEN.isoformat()},
    )
    assert again.status_code == 409
    for_other = employee.post(
        "/api/v1/training/records",
        headers=employee.headers,
        json={"user": other.email, "program_id": program.id, "status": "enrolled"},
    )
    assert for_other.status_code == 403
    by_hr = hr.post(
        "/api/v1/training/records",
        headers=hr.headers,
        json={
            "user": other.id,
            "program_id": program.id,
            "status": "completed",
            "completed_on": TAKEN.isoformat(),
        },
    )
    assert by_hr.status_code == 201 and by_hr.json["verified"] is True
    assert (
        hr.post(
            "/api/v1/training/records",
            headers=hr.headers,
            json={"user": "nobody@example.org", "program_id": program.id, "status": "enrolled"},
        ).status_code
        == 400
    )

    score = employee.post(
        "/api/v1/language-scores",
        headers=employee.headers,
        json={"test": "ielts", "score": 6.5, "taken_on": TAKEN.isoformat()},
    )
    assert score.status_code == 201 and score.json["score"] == "6.5"
    assert score.json["verified"] is False
    bad = employee.post(
        "/api/v1/language-scores",
        headers=employee.headers,
        json={"test": "ielts", "score": "6.4", "taken_on": "yesterday"},
    )
    assert bad.status_code == 400 and "taken_on" in bad.json["error"]["fields"]
    assert (
        employee.post("/api/v1/language-scores/1/verify", headers=employee.headers).status_code
        == 403
    )
    verified = hr.post(f"/api/v1/language-scores/{score.json['id']}/verify", headers=hr.headers)
    assert verified.status_code == 200 and verified.json["verified"] is True
    assert (
        hr.post(
            f"/api/v1/language-scores/{score.json['id']}/verify", headers=hr.headers
        ).status_code
        == 409
    )
    assert employee.get("/api/v1/training/records", headers=employee.headers).json["total"] == 1
    assert hr.get("/api/v1/training/records", headers=hr.headers).json["total"] == 2
    assert employee.get("/api/v1/talent", headers=employee.headers).status_code == 403
    assert hr.get("/api/v1/talent?min_score=abc", headers=hr.headers).status_code == 400


@pytest.fixture
def pool(db, make_program):
    """Three employees; only Ann has verified IELTS 7.0 and the verified cross-cultural course."""
    hr = factories.user(roles=["hr"])
    course = make_program(
        "Cross-cultural communication", title_ja="異文化コミュニケーション", code="CC-101"
    )
    ann = factories.user(employee_number="T1", given_name_romaji="Ann")
    ben = factories.user(employee_number="T2", given_name_romaji="Ben")
    cho = factories.user(employee_number="T3", given_name_romaji="Cho")
    records.add_language_score(hr, ann, test="ielts", score="7.0", taken_on=TAKEN)
    records.record_training(hr, ann, course, status="completed", completed_on=TAKEN)
    records.add_language_score(ben, ben, test="ielts", score="8.0", taken_on=TAKEN)  # unverified
    records.record_training(hr, ben, course, status="completed", completed_on=TAKEN)
    records.add_language_score(hr, cho, test="ielts", score="6.0", taken_on=TAKEN)
    records.record_training(hr, cho, course, status="completed", completed_on=TAKEN)
    _db.session.commit()
    return {"course": course, "ann": ann, "ben": ben, "cho": cho}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_hr_finds_ielts_65_with_the_cross_cultural_course(login_as, pool, language):
    hr = login_as("hr", locale=language)
    url = f"/talent?language_test=ielts&min_score=6.5&program_id={pool['course'].id}"
    page = hr.get(url).get_data(as_text=True)
    assert pool["ann"].display_name(language) in page
    assert pool["ben"].display_name(language) not in page  # unverified
    assert pool["cho"].display_name(language) not in page  # 6.0
    title = "異文化コミュニケーション" if language == "ja" else "Cross-cultural communication"
    assert title in page
    wider = hr.get(url + "&unverified=1").get_data(as_text=True)
    assert pool["ben"].display_name(language) in wider


def test_talent_api_and_exports(api_as, login_as, pool):
    hr = api_as("hr")
    body = hr.get(
        f"/api/v1/talent?language_test=ielts&min_score=6.5&program_id={pool['course'].id}",
        headers=hr.headers,
    ).json
    assert [item["email"] for item in body["items"]] == [pool["ann"].email]
    assert body["items"][0]["scores"][0]["score"] == "7.0"
    page = login_as("hr", locale="en")
    csv_response = page.get("/talent/export.csv?language_test=ielts&min_score=6.5")
    assert csv_response.status_code == 200
    assert csv_response.data.startswith("\ufeff".encode())
    text = csv_response.data.decode("utf-8-sig")
    assert "T1" in text and "T2" not in text
    xlsx = page.get("/talent/export.xlsx?language_test=ielts&min_score=6.5")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["T1"]


def test_employee_adds_score_hr_verifies_and_finds_them(login_as, db):
    employee = login_as("employee", locale="en")
    response = employee.post(
        "/training/scores/new",
        data={"test": "ielts", "score": "6.5", "taken_on": TAKEN.isoformat()},
    )
    assert response.status_code == 302
    history = employee.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not verified" in history
    hr = login_as("hr", locale="en")
    score = _db.session.scalar(sa.select(LanguageScore))
    assert f"/training/scores/{score.id}/verify" in hr.get("/training/verification").get_data(
        as_text=True
    )
    assert hr.post(f"/training/scores/{score.id}/verify", data={"next": "queue"}).status_code == 302
    found = hr.get("/talent?language_test=ielts&min_score=6.5").get_data(as_text=True)
    assert employee.user.display_name("en") in found


def test_enrol_page_and_history(login_as, db, make_program):
    program = make_program()
    hr_user = factories.user(roles=["hr"])
    soon = tokyo_today() + timedelta(days=14)
    session = services.create_session(hr_user, program, starts_on=soon, ends_on=soon, capacity=1)
    past = services.create_session(hr_user, program, starts_on=TAKEN, ends_on=TAKEN, capacity=9)
    _db.session.commit()
    employee = login_as("employee", locale="en")
    page = employee.get(f"/training/programs/{program.id}").get_data(as_text=True)
    assert f"/training/sessions/{session.id}/enrol" in page
    assert f"/training/sessions/{past.id}/enrol" not in page  # it has started
    late = employee.post(f"/training/sessions/{past.id}/enrol")
    assert late.status_code == 409 and past.enrolled_count == 0
    assert employee.post(f"/training/sessions/{session.id}/enrol").status_code == 302
    second = login_as("employee", locale="en")
    full = second.post(f"/training/sessions/{session.id}/enrol")
    assert full.status_code == 409
    history = employee.get("/training/me", follow_redirects=True).get_data(as_text=True)
    assert "Enrolled" in history and "Cancel enrolment" in history


def test_history_shows_hours_per_fiscal_year(login_as, db, make_program):
    program = make_program(hours="10")
    client = login_as("employee", locale="en")
    for day in (date(2025, 3, 31), date(2025, 4, 1), date(2025, 9, 1)):
        records.record_training(
            client.user, client.user, program, status="completed", completed_on=day
        )
    history = records.development_history(client.user)
    assert history["hours_by_year"] == {
        2025: {"cross_cultural": Decimal("20.0"), "total": Decimal("20.0")},
        2024: {"cross_cultural": Decimal("10.0"), "total": Decimal("10.0")},
    }
    _db.session.commit()
    page = client.get("/training/me", follow_redirects=True).get_data(as_text=True)
    assert "FY2025" in page and "FY2024" in page


def _fill(n: int, make_program, hr):
    course = make_program(code=f"Q{n}")
    for i in range(n):
        person = factories.user(employee_number=f"Q{n}-{i}")
        records.add_language_score(hr, person, test="toeic", score=900, taken_on=TAKEN)
        records.record_training(person, person, course, status="completed", completed_on=TAKEN)
        services.create_program(
            None, title_en=f"P{n}-{i}", title_ja=f"研修{i}", category="seminar", hours=Decimal(1)
        )
    _db.session.commit()
    return course


LIST_PAGES = [
    "/training/",
    "/training/verification",
    "/training/imports",
    "/talent?language_test=toeic&min_score=800&unverified=1&per_page=100",
    "/talent/export.csv?language_test=toeic",
    "/api/v1/talent?language_test=toeic&per_page=100",
]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_list_query_count_does_not_grow(login_as, api_as, query_counter, make_program, url):
    hr_user = factories.user(roles=["hr"])
    counts = []
    client = api_as("hr") if url.startswith("/api/") else login_as("hr")
    headers = getattr(client, "headers", {}) if url.startswith("/api/") else {}
    client.get(url, headers=headers)  # the first use of a token records it
    for n in (5, 50):
        _fill(n, make_program, hr_user)
        with query_counter() as count:
            response = client.get(url, headers=headers)
            assert response.status_code == 200
            response.get_data()
            counts.append(count())
    assert counts[0] == counts[1], counts


def test_history_query_count_does_not_grow(login_as, query_counter, make_program):
    client = login_as("employee")
    counts = []
    for n in (5, 50):
        for i in range(n):
            program = make_program(code=f"H{n}-{i}")
            records.record_training(
                client.user,
                client.user,
                program,
                status="completed",
                completed_on=TAKEN - timedelta(days=i),
            )
        _db.session.commit()
        with query_counter() as count:
            assert client.get("/training/me", follow_redirects=True).status_code == 200
            counts.append(count())
    assert counts[0] == counts[1], counts
    assert _db.session.scalar(sa.select(sa.func.count(TrainingRecord.id))) == 55


def test_eligibility_endpoint(api_as, pool):
    client = api_as("employee")
    body = client.get(
        "/api/v1/eligibility?language_test=ielts&min_score=6.5", headers=client.headers
    ).json
    assert body["eligible"] is False and body["unmet"][0]["rule"] == "language"


def test_pager_and_export_links_keep_every_program_filter(login_as, pool, make_program):
    second = make_program("Negotiation", title_ja="交渉術", code="NG-1")
    hr_user = factories.user(roles=["hr"])
    for person in (pool["ann"], pool["ben"]):
        records.record_training(hr_user, person, second, status="completed", completed_on=TAKEN)
    _db.session.commit()
    hr = login_as("hr")
    page = hr.get(
        f"/talent?program_id={pool['course'].id}&program_id={second.id}&per_page=1"
    ).get_data(as_text=True)
    both = f"program_id={pool['course'].id}&amp;program_id={second.id}"
    links = re.findall(r'href="(/talent[^"]*)"', page)
    next_page = [link for link in links if "page=2" in link]
    assert next_page and both in next_page[0]
    assert any(both in link for link in links if link.startswith("/talent/export.csv"))
    following = hr.get(next_page[0].replace("&amp;", "&")).get_data(as_text=True)
    assert "2 in all" in following


def test_the_user_filter_tells_nobody_but_hr_who_exists(api_as, pool):
    """An employee naming someone else gets the same empty page whether they exist or not, and
    cannot file for them; naming themselves works."""
    employee = api_as("employee")
    headers = employee.headers
    ann, nobody = pool["ann"].email, "nobody@metro.tokyo.example"
    for path in ("/api/v1/training/records", "/api/v1/language-scores"):
        for who in (ann, nobody):
            response = employee.get(f"{path}?user={who}", headers=headers)
            assert response.status_code == 200 and response.json["total"] == 0, (path, who)
        mine = employee.get(f"{path}?user={employee.user.email}", headers=headers)
        assert mine.status_code == 200
    for who in (ann, nobody):
        response = employee.post(
            "/api/v1/language-scores",
            headers=headers,
            json={"user": who, "test": "ielts", "score": "7.0", "taken_on": TAKEN.isoformat()},
        )
        assert response.status_code == 403, who
    hr = api_as("hr")
    hr_headers = hr.headers
    found = hr.get(f"/api/v1/language-scores?user={ann}", headers=hr_headers).json
    assert found["total"] == 1
    assert hr.get(f"/api/v1/language-scores?user={nobody}", headers=hr_headers).status_code == 400


def test_the_verification_queue_pages_scores_and_records_apart(login_as, make_program):
    program = make_program()
    for i in range(3):
        person = factories.user()
        records.add_language_score(
            person, person, test="ielts", score="6.5", taken_on=TAKEN - timedelta(days=i)
        )
    owner = factories.user()
    records.record_training(owner, owner, program, status="completed", completed_on=TAKEN)
    _db.session.commit()
    hr = login_as("hr", locale="en")
    page = hr.get("/training/verification?per_page=2&scores_page=2").get_data(as_text=True)
    scores = page.split('id="unverified-scores"')[1].split("</table>")[0]
    trained = page.split('id="unverified-records"')[1].split("</table>")[0]
    assert scores.count("<tr>") - 1 == 1  # the third score, on the scores' second page
    assert owner.display_name("en") in trained  # the records stay on their first page
    assert "scores_page=1" in page  # its own pager goes back to the scores' first page
    assert "records_page=" not in page  # one page of records: no pager of theirs moved


def test_talent_export_survives_a_control_character_and_keeps_the_session(login_as, pool):
    """A name pasted with a control character must not fail the whole XLSX; the export
    streams in batches without detaching the logged-in user."""
    pool["ann"].given_name_romaji = "Ann\x0b"
    _db.session.commit()
    hr = login_as("hr", locale="en")
    xlsx = hr.get("/talent/export.xlsx?language_test=ielts&min_score=6.5")
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(xlsx.get_data())).active.values)
    assert len(rows) == 2 and rows[1][2].startswith("Ann")
    assert hr.get("/talent").status_code == 200  # the session goes on
