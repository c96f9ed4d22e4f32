"""Bulk import of training records from CSV or XLSX: check in steps, then import all or nothing.

1. ``create_batch`` stores the upload (or, from the command line, names a local file).
2. ``advance_batch`` reads the next rows *streaming* (csv reader / openpyxl read-only), resolves
   them in chunks (one query for the chunk's employees) and stages them with their errors in
   ``training_import_rows``. Pages call it step by step, so a progress bar can follow; memory holds
   one chunk at a time, whatever the file's size.
3. ``import_batch`` refuses a batch with any error; otherwise one INSERT … SELECT copies the staged
   rows into ``training_records`` in the request's single transaction. Rows whose natural key
   (employee, program, completion date) is already recorded are skipped, so importing the same
   file twice creates nothing the second time; the unique constraint backs this up under races.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import logging
import os
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.auth.models import User
from hrfund.core.audit import record_event
from hrfund.core.db import UTCDateTime, utcnow
from hrfund.core.errors import InvalidTransition, NotAllowed, NotFound
from hrfund.core.files import SPREADSHEET_KINDS, StoredFile, path_of, store_upload, text_encoding
from hrfund.core.fiscal import tokyo_today
from hrfund.core.zipcheck import UnsafeZip, check_xlsx
from hrfund.extensions import db
from hrfund.training.models import (
    ImportBatch,
    ImportRow,
    ImportStatus,
    RecordSource,
    RecordStatus,
    TrainingProgram,
    TrainingRecord,
)

log = logging.getLogger(__name__)

CHUNK_ROWS = 2000
STEP_ROWS = 20000
REQUIRED_COLUMNS = ("employee_number", "program", "completed_on")
COLUMNS = REQUIRED_COLUMNS + ("status", "hours", "score", "expires_on")
ALIASES = {
    "program_code": "program",
    "program_id": "program",
    "employee_no": "employee_number",
    "date": "completed_on",
    "completion_date": "completed_on",
    "職員番号": "employee_number",
    "研修": "program",
    "研修コード": "program",
    "修了日": "completed_on",
    "状態": "status",
    "時間": "hours",
    "点数": "score",
    "有効期限": "expires_on",
}
IMPORT_STATUSES = (RecordStatus.COMPLETED.value, RecordStatus.FAILED.value)


class FileUnreadable(Exception):
    """The file as a whole cannot be imported (no header, missing columns, not a workbook)."""


def _require_hr(actor) -> None:
    if actor is not None and not actor.has_role("hr"):
        raise NotAllowed(str(_l("Only HR imports training records.")))


def create_batch(
    actor,
    stream: BinaryIO | None,
    filename: str,
    *,
    path: str | None = None,
    max_bytes: int | None = None,
) -> ImportBatch:
    """A new batch for an uploaded file (``stream``) or, from the command line, a local ``path``."""
    _require_hr(actor)
    if path is not None:
        kind = "xlsx" if path.lower().endswith(".xlsx") else "csv"
        batch = ImportBatch(
            source_path=os.path.abspath(path),
            filename=os.path.basename(path),
            kind=kind,
            created_by_id=getattr(actor, "id", None),
        )
    else:
        stored = store_upload(
            stream, filename, owner=actor, actor=actor, kinds=SPREADSHEET_KINDS, max_bytes=max_bytes
        )
        batch = ImportBatch(
            file_id=stored.id,
            filename=stored.original_name,
            kind=stored.kind,
            created_by_id=getattr(actor, "id", None),
        )
    db.session.add(batch)
    record_event(
        actor,
        "training_import.upload",
        batch,
        to_state=ImportStatus.UPLOADED,
        changes={"filename": batch.filename},
    )
    return batch


def get_batch_or_404(batch_id: int, *, lock: bool = False) -> ImportBatch:
    stmt = sa.select(ImportBatch).where(ImportBatch.id == batch_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    batch = db.session.scalar(stmt)
    if batch is None:
        raise NotFound(str(_l("No such import.")))
    return batch


def batches_query() -> sa.Select:
    return (
        sa.select(ImportBatch)
        .options(sa.orm.joinedload(ImportBatch.created_by))
        .order_by(ImportBatch.id.desc())
    )


# ---------------------------------------------------------------- reading files


def _source_path(batch: ImportBatch) -> str:
    if batch.source_path:
        return batch.source_path
    return str(path_of(db.session.get(StoredFile, batch.file_id)))


def _normalise_header(cells) -> list[str]:
    names = []
    for cell in cells:
        name = str(cell or "").strip().lstrip("\ufeff").lower().replace(" ", "_")
        names.append(ALIASES.get(name, name))
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise FileUnreadable(
            str(
                _l(
                    "The first row must name the columns; missing: %(names)s.",
                    names=", ".join(missing),
                )
            )
        )
    return names


def iter_rows(path: str, kind: str) -> Iterator[tuple[int, dict]]:
    """(row number, {column: value}) for every data row, read streaming."""
    if kind == "xlsx":
        yield from _iter_xlsx(path)
        return
    with open(path, "rb") as raw:
        encoding = text_encoding(raw.read(65536)) or "utf-8-sig"
        raw.seek(0)
        text = codecs.getreader(encoding)(raw, errors="replace")
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            raise FileUnreadable(str(_l("The file is empty."))) from None
        except csv.Error as error:
            raise FileUnreadable(str(error)) from None
        names = _normalise_header(header)
        for values in reader:
            if any(v.strip() for v in values):
                yield reader.line_num, dict(zip(names, values, strict=False))


def _iter_xlsx(path: str) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook

    # An open file, not the path: openpyxl refuses a path without ".xlsx", and stored files
    # have random names without extension.
    source = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    try:
        check_xlsx(source)  # no zip bomb reaches openpyxl (it reads shared strings whole)
        source.seek(0)
        workbook = load_workbook(source, read_only=True, data_only=True)
    except UnsafeZip as error:
        source.close()
        raise FileUnreadable(str(error)) from None
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        source.close()
        raise FileUnreadable(str(_l("This is not a readable XLSX workbook."))) from error
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise FileUnreadable(str(_l("The file is empty.")))
        names = _normalise_header(header)
        for number, values in enumerate(rows, start=2):
            if any(v not in (None, "") for v in values):
                yield number, dict(zip(names, values, strict=False))
    finally:
        workbook.close()
        source.close()


def count_rows(path: str, kind: str) -> int:
    if kind == "xlsx":
        from openpyxl import load_workbook

        try:
            with open(path, "rb") as source:
                check_xlsx(source)  # refused: iter_rows below says why
                source.seek(0)
                workbook = load_workbook(source, read_only=True)
                rows = workbook.worksheets[0].max_row
                workbook.close()
            if rows:
                return max(0, rows - 1)
        except Exception:  # noqa: S110 - unreadable files are reported when read
            pass
    return sum(1 for _ in iter_rows(path, kind))


# ---------------------------------------------------------------- checking rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-")
    return date.fromisoformat(text) if text else None


def _parse_number(value) -> Decimal | None:
    text = _text(value)
    if not text:
        return None
    number = Decimal(text)
    if not number.is_finite() or number < 0 or number >= 1_000_000:
        raise InvalidOperation
    return number


def _check_row(raw: dict, users: dict[str, int], programs: dict[str, int]) -> dict:
    errors: list[str] = []
    staged: dict = {
        "user_id": None,
        "program_id": None,
        "status": None,
        "completed_on": None,
        "hours": None,
        "score": None,
        "expires_on": None,
    }
    number = _text(raw.get("employee_number"))
    if not number:
        errors.append(str(_l("employee_number is empty.")))
    elif number not in users:
        errors.append(str(_l("No employee has the number %(value)s.", value=number)))
    else:
        staged["user_id"] = users[number]
    program = _text(raw.get("program")).upper()
    if not program:
        errors.append(str(_l("program is empty.")))
    elif program not in programs:
        errors.append(str(_l("No program has the code or id %(value)s.", value=program)))
    else:
        staged["program_id"] = programs[program]
    status = _text(raw.get("status")).lower() or RecordStatus.COMPLETED.value
    if status not in IMPORT_STATUSES:
        errors.append(str(_l("status must be completed or failed, not %(value)s.", value=status)))
    staged["status"] = status
    for name in ("completed_on", "expires_on"):
        try:
            staged[name] = _parse_date(raw.get(name))
        except (ValueError, TypeError):
            errors.append(
                str(
                    _l(
                        "%(column)s is not a date (YYYY-MM-DD): %(value)s.",
                        column=name,
                        value=_text(raw.get(name))[:40],
                    )
                )
            )
    if staged["completed_on"] is None and not any(e.startswith("completed_on") for e in errors):
        errors.append(str(_l("completed_on is empty.")))
    elif staged["completed_on"] and staged["completed_on"] > tokyo_today():
        errors.append(str(_l("completed_on is in the future.")))
    if (
        staged["expires_on"]
        and staged["completed_on"]
        and staged["expires_on"] < staged["completed_on"]
    ):
        errors.append(str(_l("expires_on is before completed_on.")))
    for name in ("hours", "score"):
        try:
            staged[name] = _parse_number(raw.get(name))
        except (InvalidOperation, ValueError):
            errors.append(
                str(
                    _l(
                        "%(column)s is not a number of 0 or more: %(value)s.",
                        column=name,
                        value=_text(raw.get(name))[:40],
                    )
                )
            )
    staged["errors"] = "\n".join(errors) or None
    return staged


def _program_keys() -> dict[str, int]:
    keys: dict[str, int] = {}
    for program_id, code in db.session.execute(sa.select(TrainingProgram.id, TrainingProgram.code)):
        keys[str(program_id)] = program_id
        if code:
            keys[code.upper()] = program_id
    return keys


def _stage_chunk(
    batch: ImportBatch, chunk: list[tuple[int, dict]], programs: dict[str, int]
) -> None:
    numbers = {_text(raw.get("employee_number")) for _, raw in chunk} - {""}
    users = dict(
        db.session.execute(
            sa.select(User.employee_number, User.id).where(User.employee_number.in_(numbers))
        ).all()
    )
    staged = []
    for row_number, raw in chunk:
        values = _check_row(raw, users, programs)
        values.update(batch_id=batch.id, row_number=row_number)
        staged.append(values)
    db.session.execute(sa.insert(ImportRow.__table__), staged)


def advance_batch(actor, batch: ImportBatch, max_rows: int = STEP_ROWS) -> ImportBatch:
    """Check the next ``max_rows`` rows of the file; when the file ends, sum up the batch."""
    _require_hr(actor)
    if batch.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATING):
        return batch
    path = _source_path(batch)
    try:
        if batch.total_rows is None:
            batch.total_rows = count_rows(path, batch.kind)
        batch.status = ImportStatus.VALIDATING
        rows = itertools.islice(
            iter_rows(path, batch.kind), batch.processed_rows, batch.processed_rows + max_rows
        )
        programs = _program_keys()
        taken = 0
        while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
            _stage_chunk(batch, chunk, programs)
            taken += len(chunk)
    except FileUnreadable as error:
        batch.file_error = str(error)
        batch.status = ImportStatus.INVALID
        record_event(
            actor, "training_import.check", batch, to_state=batch.status, comment=batch.file_error
        )
        return batch
    batch.processed_rows += taken
    if taken < max_rows:
        _finish_check(actor, batch)
    db.session.flush()
    return batch


def check_batch(actor, batch: ImportBatch, *, on_progress=None) -> ImportBatch:
    """Check the whole file (command line, tests): ``advance_batch`` until it is done."""
    while batch.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING):
        advance_batch(actor, batch)
        if on_progress:
            on_progress(batch)
    return batch


def _finish_check(actor, batch: ImportBatch) -> None:
    rows = ImportRow.__table__
    # The first valid row of each (employee, program, date) stays; later repeats are errors.
    # A GROUP BY, not a self-join, so that a 100,000-row file is not compared row by row.
    first_rows = (
        sa.select(sa.func.min(rows.c.row_number))
        .where(rows.c.batch_id == batch.id, rows.c.errors.is_(None))
        .group_by(rows.c.user_id, rows.c.program_id, rows.c.completed_on)
    )
    db.session.execute(
        sa.update(rows)
        .where(
            rows.c.batch_id == batch.id,
            rows.c.errors.is_(None),
            rows.c.row_number.not_in(first_rows),
        )
        .values(
            errors=str(_l("Repeats an earlier row of this file (same employee, program and date)."))
        )
    )
    batch.error_rows = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(rows)
            .where(rows.c.batch_id == batch.id, rows.c.errors.is_not(None))
        )
        or 0
    )
    batch.duplicate_rows = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(rows)
            .where(rows.c.batch_id == batch.id, rows.c.errors.is_(None), _already_recorded(rows))
        )
        or 0
    )
    batch.total_rows = batch.processed_rows
    if batch.processed_rows == 0:
        batch.file_error = str(_l("The file has no data rows."))
    batch.status = (
        ImportStatus.INVALID if (batch.error_rows or batch.file_error) else ImportStatus.VALID
    )
    record_event(
        actor,
        "training_import.check",
        batch,
        to_state=batch.status,
        changes={
            "rows": batch.processed_rows,
            "errors": batch.error_rows,
            "already_recorded": batch.duplicate_rows,
        },
    )


def _already_recorded(rows):
    return sa.exists().where(
        TrainingRecord.user_id == rows.c.user_id,
        TrainingRecord.program_id == rows.c.program_id,
        TrainingRecord.completed_on == rows.c.completed_on,
    )


def error_rows_query(batch: ImportBatch) -> sa.Select:
    return (
        sa.select(ImportRow)
        .where(ImportRow.batch_id == batch.id, ImportRow.errors.is_not(None))
        .order_by(ImportRow.row_number)
    )


def import_batch(actor, batch: ImportBatch) -> ImportBatch:
    """Copy a clean batch into the training records in one statement; all rows or none."""
    _require_hr(actor)
    batch = get_batch_or_404(batch.id, lock=True)
    if batch.status != ImportStatus.VALID:
        raise InvalidTransition(str(_l("Only a checked file without errors can be imported.")))
    rows = ImportRow.__table__
    now = sa.literal(utcnow(), UTCDateTime())
    source = sa.select(
        rows.c.user_id,
        rows.c.program_id,
        rows.c.status,
        rows.c.completed_on,
        rows.c.hours,
        rows.c.score,
        rows.c.expires_on,
        sa.literal(RecordSource.IMPORT.value),
        sa.true(),
        now,
        sa.literal(getattr(actor, "id", None), sa.Integer),
        sa.literal(batch.id),
        sa.literal(""),
        now,
        now,
    ).where(rows.c.batch_id == batch.id, sa.not_(_already_recorded(rows)))
    target = TrainingRecord.__table__
    db.session.execute(
        sa.insert(target).from_select(
            [
                "user_id",
                "program_id",
                "status",
                "completed_on",
                "hours",
                "score",
                "expires_on",
                "source",
                "verified",
                "verified_at",
                "verified_by_id",
                "import_batch_id",
                "note",
                "created_at",
                "updated_at",
            ],
            source,
        )
    )
    # counted, not taken from rowcount, which some drivers leave at -1 for INSERT … SELECT
    batch.created_rows = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(target)
            .where(target.c.import_batch_id == batch.id)
        )
        or 0
    )
    batch.status = ImportStatus.IMPORTED
    batch.imported_at = utcnow()
    db.session.execute(sa.delete(rows).where(rows.c.batch_id == batch.id))
    record_event(
        actor,
        "training_import.import",
        batch,
        from_state=ImportStatus.VALID,
        to_state=ImportStatus.IMPORTED,
        changes={
            "created": batch.created_rows,
            "already_recorded": batch.processed_rows - batch.created_rows,
        },
    )
    log.info(
        "import %s: %d training records created by %s",
        batch.id,
        batch.created_rows,
        getattr(actor, "email", "system"),
    )
    return batch


def progress(batch: ImportBatch) -> dict:
    """What the progress bar shows."""
    total = batch.total_rows or 0
    percent = (
        100
        if batch.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATING)
        else (min(99, batch.processed_rows * 100 // total) if total else 0)
    )
    return {
        "id": batch.id,
        "status": batch.status.value,
        "processed": batch.processed_rows,
        "total": batch.total_rows,
        "percent": percent,
        "errors": batch.error_rows,
        "already_recorded": batch.duplicate_rows,
        "created": batch.created_rows,
        "done": batch.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATING),
    }
