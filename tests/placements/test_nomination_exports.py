"""Nominations export (HR and auditors): the rows of the filtered page, CSV with BOM and XLSX;
coordinators get none, not even of their own city."""

from __future__ import annotations

import re

import pytest

from hrfund.core.errors import ValidationFailed
from hrfund.core.exports import date_text, utc_text
from hrfund.extensions import db as _db
from hrfund.placements import nominations
from tests.conftest import TEST_PASSWORD
from tests.export_files import csv_rows, xlsx_rows


def _client(app, user):
    c = app.test_client()
    response = c.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return c


def _page_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/nominations/(\d+)"', html)]


@pytest.fixture
def nominated(world, db):
    """Two nominations from Seoul (one declined), one from Berlin; Japanese names and roles."""
    kim = world.nominate(name="金 敏智（キム・ミンジ）", position="都市計画局 課長")
    lee = world.nominate(name="李 智宇", email="lee@seoul.example", position="環境局 係長")
    schmidt = world.nominate(
        world.berlin_coordinator,
        name="Anna Schmidt",
        email="anna.schmidt@berlin.example",
        position="Referentin für Städtepartnerschaften",
    )
    nominations.reject_nomination(world.hr, lee, comment="時期が合わない")
    db.session.commit()
    return kim, lee, schmidt


@pytest.mark.parametrize("role", ["hr", "auditor"])
def test_export_holds_the_rows_the_filtered_page_shows(login_as, nominated, role):
    kim, lee, schmidt = nominated
    client = login_as(role)
    for query, expected in (("", {kim, lee, schmidt}), ("status=pending", {kim, schmidt})):
        page = client.get(f"/nominations?{query}&per_page=200").get_data(as_text=True)
        assert sorted(_page_ids(page)) == sorted(n.id for n in expected)
        rows = csv_rows(client.get(f"/nominations/export.csv?{query}"))
        assert [int(row[0]) for row in rows[1:]] == sorted((n.id for n in expected), reverse=True)
        assert xlsx_rows(client.get(f"/nominations/export.xlsx?{query}")) == rows

    rows = csv_rows(client.get("/nominations/export.csv?status=pending"))
    assert rows[0][:4] == ["Nomination", "Name", "E-mail address", "Position"]
    by_id = {int(row[0]): row for row in rows[1:]}
    assert by_id[kim.id] == [
        str(kim.id),
        "金 敏智（キム・ミンジ）",
        "lee.jiwoo@seoul.example",
        "都市計画局 課長",
        "SEL",
        "Seoul",
        date_text(kim.start_on),
        date_text(kim.end_on),
        "pending",
        "",
        utc_text(kim.created_at),
        "",
    ]
    assert by_id[schmidt.id][4:6] == ["BER", "Berlin"]


def test_japanese_user_gets_japanese_city_names(login_as, nominated):
    kim, _lee, _schmidt = nominated
    rows = csv_rows(login_as("hr", locale="ja").get("/nominations/export.csv"))
    assert {row[5] for row in rows[1:]} == {"ソウル", "ベルリン"}
    assert "金 敏智（キム・ミンジ）" in {row[1] for row in rows[1:]}
    assert rows[0][8] == "状態"  # headers in the reader's language
    assert {row[8] for row in rows[1:] if int(row[0]) == kim.id} == {"回答待ち"}  # as the page


def test_page_links_to_its_exports_for_hr_only(app, login_as, world, nominated):
    page = login_as("hr").get("/nominations?status=pending").get_data(as_text=True)
    assert 'href="/nominations/export.csv?status=pending"' in page
    assert 'href="/nominations/export.xlsx?status=pending"' in page
    coordinator_page = _client(app, world.seoul_coordinator).get("/nominations")
    assert 'id="export-csv"' not in coordinator_page.get_data(as_text=True)


def test_coordinators_and_others_cannot_export(app, login_as, world, nominated):
    for coordinator in (world.seoul_coordinator, world.berlin_coordinator):
        client = _client(app, coordinator)
        for fmt in ("csv", "xlsx"):
            assert client.get(f"/nominations/export.{fmt}").status_code == 403
    for role in ("employee", "manager", "admin"):
        assert login_as(role).get("/nominations/export.csv").status_code == 403


def test_the_filter_is_scoped_for_a_coordinator(world, nominated):
    """Should coordinators ever get the export, its query shows them their own city only."""
    kim, lee, schmidt = nominated
    seen = _db.session.scalars(nominations.filtered_nominations(world.seoul_coordinator)).all()
    assert {n.id for n in seen} == {kim.id, lee.id}
    pending = nominations.filtered_nominations(world.berlin_coordinator, status="pending")
    assert [n.id for n in _db.session.scalars(pending)] == [schmidt.id]
    assert _db.session.scalars(nominations.filtered_nominations(world.employee)).all() == []


def test_unknown_status_is_refused_not_a_server_error(login_as, world, nominated):
    hr = login_as("hr")
    assert hr.get("/nominations/export.csv?status=bogus").status_code == 400
    assert hr.get("/nominations?status=bogus").status_code == 400
    with pytest.raises(ValidationFailed):
        nominations.filtered_nominations(world.hr, status="bogus")
