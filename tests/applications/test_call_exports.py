"""Calls export (HR and auditors): the rows of the filtered page, drafts included, CSV with BOM
and XLSX; other roles get 403."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine

from hrfund.applications import calls
from tests.export_files import csv_rows, xlsx_rows, xlsx_sheet


def _page_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/calls/(\d+)"', html)]


@pytest.fixture
def more_calls(setup, db):
    """Besides the open call of ``setup``: a draft and a closed call."""
    draft = calls.create_call(
        setup.hr,
        title="2027年度 ソウル特別市 派遣（下書き）",
        fiscal_year=2027,
        opens_on=date(2027, 6, 1),
        closes_on=date(2027, 6, 30),
        slots=[{"city": "SEL", "positions": 3, "months": 12, "estimated_cost_jpy": 4_000_000}],
    )
    with time_machine.travel(date(2025, 5, 1)):  # drafted in FY2025, when it was not over
        closed = calls.create_call(
            setup.hr,
            title="2025年度 ベルリン派遣",
            fiscal_year=2025,
            opens_on=date(2025, 6, 1),
            closes_on=date(2025, 6, 30),
            slots=[{"city": "BER", "positions": 1, "months": 6, "estimated_cost_jpy": 1_800_000}],
        )
    calls.open_call(setup.hr, closed)
    calls.close_call(setup.hr, closed)
    db.session.commit()
    return draft, closed


@pytest.mark.parametrize("role", ["hr", "auditor"])
def test_export_holds_the_rows_the_filtered_page_shows(login_as, setup, more_calls, role):
    draft, closed = more_calls
    client = login_as(role)
    for query, expected in (
        ("", {setup.call.id, draft.id, closed.id}),
        ("status=draft", {draft.id}),
        ("status=closed", {closed.id}),
    ):
        page = client.get(f"/calls?{query}&per_page=200").get_data(as_text=True)
        assert set(_page_ids(page)) == expected
        rows = csv_rows(client.get(f"/calls/export.csv?{query}"))
        assert [int(row[0]) for row in rows[1:]] == sorted(expected, reverse=True)
        assert xlsx_rows(client.get(f"/calls/export.xlsx?{query}")) == rows

    rows = csv_rows(client.get("/calls/export.csv"))
    assert rows[0] == [
        "Call",
        "Title",
        "Fiscal year",
        "Status",
        "Opens on",
        "Closes on",
        "Partner cities",
        "Positions",
        "Estimated cost (yen)",
    ]
    by_id = {int(row[0]): row for row in rows[1:]}
    assert by_id[setup.call.id] == [
        str(setup.call.id),
        "2026年度 海外都市派遣 / Overseas secondments FY2026",
        "2026",
        "open",
        "2026-06-01",
        "2026-06-30",
        "SEL, BER",
        "3",
        "3500000",
    ]
    assert by_id[draft.id][1:4] == ["2027年度 ソウル特別市 派遣（下書き）", "2027", "draft"]


def test_xlsx_keeps_numbers_as_numbers(login_as, setup, more_calls):
    sheet = xlsx_sheet(login_as("hr").get("/calls/export.xlsx?status=open"))
    assert sheet.title == "Calls for applications"
    (row,) = list(sheet.iter_rows(min_row=2, values_only=True))
    assert row[0] == setup.call.id and row[7] == 3 and row[8] == 3_500_000


def test_page_links_to_its_exports_for_hr_and_auditors_only(login_as, setup, more_calls):
    page = login_as("auditor").get("/calls?status=open&page=1").get_data(as_text=True)
    assert 'href="/calls/export.csv?status=open"' in page
    assert 'href="/calls/export.xlsx?status=open"' in page
    employee_page = login_as("employee").get("/calls").get_data(as_text=True)
    assert 'id="export-csv"' not in employee_page


@pytest.mark.parametrize("role", ["employee", "manager", "coordinator", "admin"])
def test_other_roles_cannot_export_calls(login_as, setup, role):
    client = login_as(role)
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/calls/export.{fmt}").status_code == 403


def test_unknown_status_is_refused(login_as, setup):
    hr = login_as("hr")
    assert hr.get("/calls/export.csv?status=bogus").status_code == 400
    assert hr.get("/calls?status=bogus").status_code == 400
