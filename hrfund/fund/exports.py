"""The ledger as CSV (UTF-8 with BOM, for Excel in Japan) and XLSX, read in batches."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from openpyxl import Workbook

from hrfund.extensions import db
from hrfund.fund.amounts import decimal_text
from hrfund.fund.models import LedgerEntry

BATCH = 1000
#: Excel's sheet holds 1,048,576 rows; a bigger export must be narrowed by its filters.
MAX_ROWS = 1_000_000


def headers() -> list[str]:
    return [
        _("Entry"),
        _("Booked on"),
        _("Fiscal year"),
        _("Budget line"),
        _("Kind"),
        _("Reverses"),
        _("Amount (yen)"),
        _("Of which from the commitment (yen)"),
        _("Foreign amount"),
        _("Currency"),
        _("Rate"),
        _("Purpose"),
        _("Placement"),
        _("Memo"),
        _("Recorded by"),
        _("Recorded at (UTC)"),
    ]


def row_of(entry: LedgerEntry) -> list:
    return [
        entry.id,
        entry.booked_on.isoformat(),
        entry.fiscal_year,
        entry.category.value if entry.category else "",
        entry.kind.value + (f":{entry.reversed_kind.value}" if entry.reversed_kind else ""),
        entry.reverses_id or "",
        entry.amount_jpy,
        entry.consumed_jpy,
        decimal_text(entry.amount) or "",
        entry.currency or "",
        decimal_text(entry.fx_rate) or "",
        entry.purpose.value if entry.purpose else "",
        entry.placement_id or "",
        entry.memo,
        entry.created_by.email if entry.created_by else "",
        entry.created_at.strftime("%Y-%m-%d %H:%M:%S"),
    ]


def _rows(stmt: sa.Select) -> Iterator[list]:
    """Rows in batches by id (keyset), so memory stays flat however long the ledger."""
    last_id = None
    sent = 0
    stmt = (
        stmt.order_by(None).order_by(LedgerEntry.id).options(so.joinedload(LedgerEntry.created_by))
    )
    while sent < MAX_ROWS:
        page = stmt if last_id is None else stmt.where(LedgerEntry.id > last_id)
        batch = db.session.scalars(page.limit(BATCH)).all()
        if not batch:
            return
        for entry in batch:
            yield row_of(entry)
        sent += len(batch)
        last_id = batch[-1].id
        for entry in batch:  # let the batch go; the few users stay
            db.session.expunge(entry)


def csv_stream(stmt: sa.Select) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(headers())
    for row in _rows(stmt):
        writer.writerow(row)
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(stmt: sa.Select):
    """A write-only workbook spooled to a temporary file (memory stays flat)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Ledger"))
    sheet.append(headers())
    for row in _rows(stmt):
        sheet.append(row)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - sent, then closed
    workbook.save(out)
    out.seek(0)
    return out
