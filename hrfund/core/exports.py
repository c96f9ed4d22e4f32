"""Streaming exports for every list: CSV (UTF-8 with BOM, so Excel opens Japanese right) and
XLSX (openpyxl write-only, spooled to a temporary file). Rows come in keyset batches, so memory
stays flat however many there are."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator

import sqlalchemy as sa
from flask import Response, send_file
from openpyxl import Workbook

from hrfund.extensions import db

BATCH = 1000


def keyset_rows(
    stmt: sa.Select,
    id_column,
    row_of: Callable[[object], list],
    *,
    batch: int = BATCH,
    prepare: Callable[[list], None] | None = None,
) -> Iterator[list]:
    """``row_of(obj)`` for every object ``stmt`` selects, fetched ``batch`` at a time by id."""
    stmt = stmt.order_by(None).order_by(id_column)
    last = None
    while True:
        page = stmt if last is None else stmt.where(id_column > last)
        objects = db.session.scalars(page.limit(batch)).unique().all()
        if not objects:
            return
        if prepare is not None:
            prepare(objects)
        for obj in objects:
            yield row_of(obj)
        last = getattr(objects[-1], id_column.key)
        for obj in objects:
            db.session.expunge(obj)


def csv_chunks(header: list, rows: Iterable[list]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, header: list, rows: Iterable[list]) -> Response:
    response = Response(csv_chunks(header, rows), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, sheet_title: str, header: list, rows: Iterable[list]):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(spool)
    spool.seek(0)
    return send_file(
        spool,
        as_attachment=True,
        download_name=f"{filename}.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_response(fmt: str, filename: str, sheet_title: str, header: list, rows: Iterable[list]):
    """``fmt`` is csv or xlsx."""
    if fmt == "xlsx":
        return xlsx_response(filename, sheet_title, header, rows)
    return csv_response(filename, header, rows)
