"""Exports of the audit log (CSV with BOM, XLSX), the guards every export shares, and a
200,000-row CSV export that streams in flat memory."""

from __future__ import annotations

import io
import re
import tracemalloc

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from hrfund.core.audit import AuditEvent, record_event
from hrfund.core.exports import safe_cell, utc_text
from tests import factories
from tests.export_files import csv_rows, xlsx_rows, xlsx_sheet

FILTERED = "object_type=partner_cities&action=export.test&actor=Alice.Export"
MARKER = re.compile(r"監査テスト-[\w-]+")


@pytest.fixture
def events(db):
    """Five events that match FILTERED, and three that each miss one of its filters."""
    alice = factories.user(["hr"], email="alice.export@metro.tokyo.example")
    matching = [
        record_event(
            alice,
            "export.test",
            object_type="partner_cities",
            object_id=n,
            from_state="draft",
            to_state="open",
            comment=f"監査テスト-{n} 東京都の姉妹都市",
            changes={"name_ja": ["旧名", "新名"]},
        )
        for n in range(5)
    ]
    record_event(alice, "export.test", object_type="users", object_id=9, comment="監査テスト-type")
    record_event(alice, "export.other", object_type="partner_cities", comment="監査テスト-action")
    record_event(None, "export.test", object_type="partner_cities", comment="監査テスト-actor")
    db.session.commit()
    return matching


def test_audit_export_holds_the_rows_the_filtered_page_shows(events, login_as):
    hr = login_as("hr")
    page = hr.get(f"/audit?{FILTERED}&per_page=200").get_data(as_text=True)
    shown = MARKER.findall(page)
    assert shown == [f"監査テスト-{n}" for n in (4, 3, 2, 1, 0)]  # newest first

    rows = csv_rows(hr.get(f"/audit/export.csv?{FILTERED}"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Event", "Recorded at (UTC)", "Who"]
    assert [MARKER.search(row[8]).group() for row in body] == shown
    newest = events[-1]
    assert body[0] == [
        str(newest.id),
        utc_text(newest.at),
        "alice.export@metro.tokyo.example",
        "export.test",
        "Partner city",
        "4",
        "draft",
        "open",
        "監査テスト-4 東京都の姉妹都市",
        '{"name_ja": ["旧名", "新名"]}',
        "",
    ]

    assert xlsx_rows(hr.get(f"/audit/export.xlsx?{FILTERED}")) == rows
    assert xlsx_sheet(hr.get("/audit/export.xlsx")).title == "Audit log"


def test_audit_page_links_to_its_exports_with_its_filters(events, login_as):
    page = login_as("auditor").get(f"/audit?{FILTERED}&page=1").get_data(as_text=True)
    assert 'id="export-csv"' in page and 'id="export-xlsx"' in page
    link = re.search(r'id="export-csv" href="([^"]+)"', page).group(1)
    assert link.startswith("/audit/export.csv?")
    assert "action=export.test" in link and "actor=Alice.Export" in link
    assert "page=" not in link


def test_auditor_exports_with_japanese_headers(events, login_as):
    auditor = login_as("auditor", locale="ja")
    header = csv_rows(auditor.get(f"/audit/export.csv?{FILTERED}"))[0]
    with force_locale("ja"):
        assert header[2] == gettext("Who") != "Who"
        assert header[1] == gettext("Recorded at (UTC)") != "Recorded at (UTC)"


@pytest.mark.parametrize("role", ["employee", "manager", "coordinator", "admin"])
def test_other_roles_cannot_export_the_audit_log(events, login_as, role):
    client = login_as(role)
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/audit/export.{fmt}").status_code == 403


def test_anonymous_is_sent_to_login_and_unknown_formats_are_not_found(events, client, login_as):
    assert client.get("/audit/export.csv").status_code == 302
    assert login_as("hr").get("/audit/export.pdf").status_code == 404


def test_no_cell_runs_as_a_formula(db, login_as):
    record_event(None, "export.formula", object_type="x", comment='=HYPERLINK("http://evil")')
    record_event(None, "export.formula", object_type="x", comment="+81 3 5321 1111")
    record_event(None, "export.formula", object_type="x", comment="@SUM(A1)\x0bpasted")
    db.session.commit()
    hr = login_as("hr")
    rows = csv_rows(hr.get("/audit/export.csv?action=export.formula"))
    assert [row[8] for row in rows[1:]] == [
        "'@SUM(A1)\x0bpasted",
        "'+81 3 5321 1111",
        '\'=HYPERLINK("http://evil")',
    ]
    sheet = xlsx_sheet(hr.get("/audit/export.xlsx?action=export.formula"))
    cells = [row[8] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [
        "'@SUM(A1)pasted",  # openpyxl refuses control characters: dropped, not a failed export
        "'+81 3 5321 1111",
        '\'=HYPERLINK("http://evil")',
    ]
    assert {c.data_type for c in cells} == {"s"}


def test_safe_cell_leaves_numbers_and_plain_text_alone():
    assert safe_cell(-5) == -5
    assert safe_cell("") == ""
    assert safe_cell("東京都") == "東京都"
    assert safe_cell("-1") == "'-1"
    assert safe_cell("\tcmd") == "'\tcmd"


# The 200,000-row export is timed by `make bench`; here a quarter shows the memory stays flat:
# the whole file would take over 5 MB, as rows and objects several times that.
ROWS = 50_000
BULK_INSERT = f"""
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS})
INSERT INTO audit_events (at, actor_label, action, object_type, object_id, comment)
SELECT '2026-04-01 09:00:00.000000', 'bulk@metro.tokyo.example', 'bulk.load', 'partner_cities',
       CAST(i AS TEXT), '大量出力の試験行 ' || i || ' — 東京都 都市外交人材育成基金'
FROM n
"""


def test_a_large_csv_export_streams_in_flat_memory(db, backend, login_as):
    if backend != "sqlite":
        pytest.skip("one backend is enough to measure memory; the bulk INSERT is SQLite's")
    db.session.execute(sa.text(BULK_INSERT))
    db.session.commit()
    hr = login_as("hr")

    tracemalloc.start()
    try:
        response = hr.get("/audit/export.csv?action=bulk.load")
        assert response.status_code == 200
        lines = size = 0
        first = last = b""
        for chunk in response.response:  # what the server sends, one chunk at a time
            chunk = chunk if isinstance(chunk, bytes) else chunk.encode()
            first = first or chunk
            last = chunk or last
            lines += chunk.count(b"\r\n")
            size += len(chunk)
        response.close()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert lines - 1 == ROWS
    assert first.startswith("\ufeff".encode())
    assert f"大量出力の試験行 {ROWS} ".encode() in first  # newest first
    assert "大量出力の試験行 1 ".encode() in last
    assert size > 5 * 1024 * 1024  # the whole file would be this big in memory, and more
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while streaming"  # ~2 MB seen
    count = (
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "bulk.load")
    )
    assert db.session.scalar(count) == ROWS


def test_a_large_xlsx_export_streams_in_flat_memory(db, backend, login_as):
    """The XLSX is a zip written while it is sent: many chunks, the first long before the last
    row is read, memory flat; and the file still opens with every row and its Japanese text."""
    if backend != "sqlite":
        pytest.skip("one backend is enough to measure memory; the bulk INSERT is SQLite's")
    db.session.execute(sa.text(BULK_INSERT))
    db.session.commit()
    hr = login_as("hr")

    tracemalloc.start()
    try:
        response = hr.get("/audit/export.xlsx?action=bulk.load")
        assert response.status_code == 200
        chunks = []
        for chunk in response.response:
            chunks.append(chunk)
            if len(chunks) == 1:
                first_peak = tracemalloc.get_traced_memory()[1]
        response.close()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    body = b"".join(chunks)
    assert len(chunks) > 3, len(chunks)  # compressed: about 64 kB a chunk
    assert len(chunks[0]) < len(body) / 3
    assert first_peak < 4 * 1024 * 1024
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while streaming"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) - 1 == ROWS
    assert rows[0][:3] == ("Event", "Recorded at (UTC)", "Who")
    assert rows[1][8] == f"大量出力の試験行 {ROWS} — 東京都 都市外交人材育成基金"
    assert rows[-1][8].startswith("大量出力の試験行 1 ")


def test_xlsx_cells_stay_valid_and_guarded():
    """A formula-like text gets the same guard as in the CSV (``safe_cell``), control characters
    go, and a number that XLSX cannot hold (NaN, infinity) is written as text, so that the file
    still opens."""
    import io as _io
    from decimal import Decimal as _D

    from openpyxl import load_workbook

    from hrfund.core.exports import xlsx_chunks

    rows = [["=HYPERLINK(1)", "a\x00b", float("nan"), _D("Infinity"), 12, _D("1.5"), "東京"]]
    data = b"".join(xlsx_chunks("シート", ["h"] * 7, rows))
    sheet = load_workbook(_io.BytesIO(data)).active
    values = [c.value for c in list(sheet.iter_rows(values_only=False))[1]]
    assert values[:2] == ["'=HYPERLINK(1)", "ab"]
    assert values[2:4] == ["nan", "Infinity"]
    assert values[4:] == [12, 1.5, "東京"]
