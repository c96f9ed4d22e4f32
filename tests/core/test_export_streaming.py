"""Exports are sent while they are read: the first chunk of the body leaves before the rows are
read (the first keyset batch at most), CSV and XLSX alike, so that the browser starts the
download at once however long the list (issue 16: the first byte within a second at 200,000
rows). The batches read are counted as the statements that select them, on both backends."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from hrfund.core import exports
from hrfund.core.audit import AuditEvent
from hrfund.extensions import db as _db
from tests.export_files import BOM

ROWS = 5 * exports.BATCH + 1  # six keyset batches


@pytest.fixture
def many_events(db):
    at = datetime(2026, 4, 1, 9, tzinfo=UTC)
    db.session.execute(
        sa.insert(AuditEvent.__table__),
        [
            {
                "at": at,
                "actor_label": "stream@metro.tokyo.example",
                "action": "stream.test",
                "object_type": "partner_cities",
                "object_id": str(i),
                "comment": f"逐次出力の試験行 {i} — 東京都 都市外交人材育成基金",
            }
            for i in range(ROWS)
        ],
    )
    db.session.commit()


def _batches_read(app) -> tuple[list[int], object]:
    """A counter of the export's keyset batches (SELECTs from audit_events, at the cursor)."""
    read = [0]

    def before(_conn, _cursor, statement, *_args):
        text = statement.lstrip().upper()
        if text.startswith("SELECT") and "FROM AUDIT_EVENTS" in text:
            read[0] += 1

    with app.app_context():
        engine = _db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    return read, lambda: sa.event.remove(engine, "before_cursor_execute", before)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_first_chunk_leaves_before_the_rows_are_read(app, many_events, login_as, fmt):
    hr = login_as("hr")
    read, stop = _batches_read(app)
    try:
        response = hr.get(f"/audit/export.{fmt}?action=stream.test")
        assert response.status_code == 200
        assert response.is_streamed
        chunks, read_at_first = [], None
        for chunk in response.response:
            if read_at_first is None:
                read_at_first = read[0]
            chunks.append(chunk if isinstance(chunk, bytes) else chunk.encode())
        response.close()
    finally:
        stop()
    assert read[0] >= 6  # every batch, and the empty one that ends the list
    assert read_at_first is not None and read_at_first <= 1, (read_at_first, read[0])
    body = b"".join(chunks)
    if fmt == "csv":
        assert body.startswith(BOM)
        rows = list(csv.reader(io.StringIO(body[len(BOM) :].decode(), newline="")))
    else:
        sheet = load_workbook(io.BytesIO(body), read_only=True).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(rows) == ROWS + 1  # the header, then every row, newest first
    assert rows[1][8] == f"逐次出力の試験行 {ROWS - 1} — 東京都 都市外交人材育成基金"
    assert rows[-1][8].startswith("逐次出力の試験行 0 ")
