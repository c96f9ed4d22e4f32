"""Streaming exports for every list: CSV (UTF-8 with BOM, so Excel opens Japanese right) and
XLSX (a zip written while it is sent). Rows come in keyset batches, so memory
stays flat however many there are. Every text cell passes ``safe_cell``, so that no exported
value runs as a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from flask import Response, request, stream_with_context
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy.orm import InstrumentedAttribute

from hrfund.core.audit import AuditEvent
from hrfund.core.db import AnySelect
from hrfund.core.labels import action_label, comment_text, object_type_label, state_label
from hrfund.extensions import db

BATCH = 1000
#: One line of an export: its cells, as the header names them.
Row = list[Any]


def keyset_rows(
    stmt: AnySelect,
    id_column: InstrumentedAttribute[int],
    row_of: Callable[[Any], Row],
    *,
    batch: int = BATCH,
    prepare: Callable[[Sequence[Any]], None] | None = None,
    newest_first: bool = False,
) -> Iterator[Row]:
    """``row_of(item)`` for every item ``stmt`` selects, fetched ``batch`` at a time by id
    (descending with ``newest_first``, the order of the logs' pages).

    An item is an ORM object when ``stmt`` selects one entity, else a plain result row of the
    selected columns: several times faster, for the longest lists such as the audit log."""
    entities = _selects_one_entity(stmt)
    stmt = stmt.order_by(None).order_by(id_column.desc() if newest_first else id_column)
    last: int | None = None
    while True:
        if last is None:
            page = stmt
        else:
            page = stmt.where(id_column < last if newest_first else id_column > last)
        if entities:
            items = db.session.scalars(page.limit(batch)).unique().all()
        else:  # through the session's connection, so that no ORM loading runs per row
            items = db.session.connection().execute(page.limit(batch)).all()
        if not items:
            return
        if prepare is not None:
            prepare(items)
        for item in items:
            yield row_of(item)
        last = getattr(items[-1], id_column.key)
        if entities:
            for item in items:
                db.session.expunge(item)


def _selects_one_entity(stmt: AnySelect) -> bool:
    described = stmt.column_descriptions
    return len(described) == 1 and isinstance(described[0]["expr"], type)


def export_args() -> dict[str, list[str]]:
    """The list page's filters, for its export links (a template global): not its page."""
    args = request.args.to_dict(flat=False)  # repeated filters (several programs) kept whole
    return {k: v for k, v in args.items() if k not in ("page", "per_page", "fmt")}


#: A cell starting with one of these would run as a formula in a spreadsheet.
FORMULA_START = frozenset("=+-@\t\r")


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers and
    everything else pass unchanged."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


def safe_row(row: Row) -> Row:
    """``safe_cell`` of every cell (inlined: it runs for every cell of every export)."""
    return [
        "'" + cell if isinstance(cell, str) and cell[:1] in FORMULA_START else cell for cell in row
    ]


def utc_text(value: datetime | None) -> str:
    """A stored (UTC) timestamp as exports write it; the header says "(UTC)"."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def date_text(value: date | None) -> str:
    return value.isoformat() if value else ""


def csv_chunks(header: Row, rows: Iterable[Row]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, header: Row, rows: Iterable[Row]) -> Response:
    # The rows are read while the response is sent, after the view returned: keep the request
    # (and its database session) alive until then.
    body = stream_with_context(csv_chunks(header, rows))
    response = Response(body, mimetype="text/csv")  # Werkzeug adds "; charset=utf-8" once
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    # personal data: neither the browser nor a proxy keeps a copy
    response.headers["Cache-Control"] = "no-store"
    return response


def xlsx_response(filename: str, sheet_title: str, header: Row, rows: Iterable[Row]) -> Response:
    # Streamed like the CSV: the sheet's rows are compressed into the zip as they come, so the
    # first bytes leave before the last row is read and memory holds one chunk, not the file.
    body = stream_with_context(xlsx_chunks(sheet_title, header, rows))
    response = Response(
        body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    response.headers["Cache-Control"] = "no-store"
    return response


class _Chunks(io.RawIOBase):
    """A write-only, unseekable file for ``zipfile``: it keeps what was written until taken."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        self.size += len(self.parts[-1])
        return len(self.parts[-1])

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


SHEET_PART = "xl/worksheets/sheet1.xml"
SHEET_START = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData>"
)
SHEET_END = b"</sheetData></worksheet>"


def xlsx_chunks(sheet_title: str, header: Row, rows: Iterable[Row]) -> Iterator[bytes]:
    """An XLSX file, written as a zip in streaming mode (data descriptors, no seeking back).

    openpyxl makes the workbook's fixed parts (content types, relations, styles, the sheet's
    title); only the sheet's rows are written here, as inline strings and numbers."""
    out = _Chunks()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in _workbook_parts(sheet_title[:31]):
            archive.writestr(name, data)
        with archive.open(SHEET_PART, "w", force_zip64=True) as sheet:
            sheet.write(SHEET_START)
            sheet.write(_xlsx_row(header))
            # the workbook's fixed parts leave before the first row is read: compressed, 64 kB
            # of rows would take thousands of them, seconds of a long export
            yield out.take()
            for row in rows:
                sheet.write(_xlsx_row(row))
                if out.size > 64_000:
                    yield out.take()
            sheet.write(SHEET_END)
    yield out.take()


def _workbook_parts(sheet_title: str) -> list[tuple[str, bytes]]:
    """Every part of an empty one-sheet workbook from openpyxl, but the sheet's own XML."""
    workbook = Workbook(write_only=True)
    workbook.create_sheet(sheet_title)
    empty = io.BytesIO()
    workbook.save(empty)
    with zipfile.ZipFile(empty) as saved:
        assert SHEET_PART in saved.namelist()  # where openpyxl puts its first sheet
        return [(n, saved.read(n)) for n in saved.namelist() if n != SHEET_PART]


def _xlsx_row(row: Row) -> bytes:
    cells = []
    for value in row:
        if value is None or value == "":
            cells.append("<c/>")
        elif isinstance(value, bool):
            cells.append(f'<c t="b"><v>{int(value)}</v></c>')
        elif (
            isinstance(value, int)
            or (isinstance(value, float) and math.isfinite(value))
            or (isinstance(value, Decimal) and value.is_finite())
        ):  # NaN and infinities are no XLSX numbers: they go as text
            cells.append(f'<c t="n"><v>{value}</v></c>')
        else:
            text = value.isoformat() if isinstance(value, date) else _xlsx_text(str(value))
            cells.append(
                f'<c t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'
            )
    return ("<row>" + "".join(cells) + "</row>").encode()


def _xlsx_text(value: str) -> str:
    # XML 1.0 has no control characters (a whole export would fail on one pasted comment).
    return str(safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value)))


def export_response(
    fmt: str, filename: str, sheet_title: str, header: Row, rows: Iterable[Row]
) -> Response:
    """``fmt`` is csv or xlsx."""
    if fmt == "xlsx":
        return xlsx_response(filename, sheet_title, header, rows)
    return csv_response(filename, header, rows)


@dataclass(frozen=True)
class Column:
    """One column of an export: its header (a lazy string) and how the cell of an item is read
    (a state or a name as the page shows it: its label)."""

    header: Any
    cell: Callable[[Any], Any]


def table_response(
    fmt: str,
    filename: str,
    sheet_title: Any,
    columns: Sequence[Column],
    stmt: AnySelect,
    id_column: InstrumentedAttribute[int],
    *,
    newest_first: bool = False,
    prepare: Callable[[Sequence[Any]], None] | None = None,
) -> Response:
    """``stmt``'s items as a CSV or XLSX download, one row of ``columns`` each, read in keyset
    batches by ``id_column`` (``prepare`` sees each batch first, to load what its rows need)."""
    header = [str(column.header) for column in columns]

    def row_of(item: Any) -> Row:
        return [column.cell(item) for column in columns]

    rows = keyset_rows(stmt, id_column, row_of, newest_first=newest_first, prepare=prepare)
    return export_response(fmt, filename, str(sheet_title), header, rows)


def audit_response(fmt: str, stmt: AnySelect) -> Response:
    """The filtered audit log, newest first, states named in the reader's language. Plain rows
    of the columns below, not ORM objects: the log is the longest list there is."""
    # Translated once per value for the whole export (the reader's language does not change
    # while it streams): through Flask-Babel, four labels a row were most of its time.
    action, object_type, state = (
        lru_cache(256)(f) for f in (action_label, object_type_label, state_label)
    )
    columns = (
        Column(_l("Event"), lambda e: e.id),
        Column(_l("Recorded at (UTC)"), lambda e: utc_text(e.at)),
        Column(_l("Who"), lambda e: e.actor_label),
        Column(_l("Action"), lambda e: action(e.action)),
        Column(_l("Object type"), lambda e: object_type(e.object_type)),
        Column(_l("Object id"), lambda e: e.object_id or ""),
        Column(lazy_pgettext("state change", "From"), lambda e: state(e.from_state)),
        Column(lazy_pgettext("state change", "To"), lambda e: state(e.to_state)),
        Column(_l("Comment"), lambda e: comment_text(e.action, e.comment)),
        Column(
            _l("Changes"),
            lambda e: (
                json.dumps(e.changes, ensure_ascii=False, sort_keys=True) if e.changes else ""
            ),
        ),
        Column(_l("Request"), lambda e: e.request_id or ""),
    )
    stmt = stmt.with_only_columns(
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.actor_label,
        AuditEvent.action,
        AuditEvent.object_type,
        AuditEvent.object_id,
        AuditEvent.from_state,
        AuditEvent.to_state,
        AuditEvent.comment,
        AuditEvent.changes,
        AuditEvent.request_id,
    )
    return table_response(
        fmt, "audit-log", _l("Audit log"), columns, stmt, AuditEvent.id, newest_first=True
    )
