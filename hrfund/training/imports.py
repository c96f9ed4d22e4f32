"""Bulk import of training records from CSV or XLSX: check in steps, then import all or nothing.

1. ``create_batch`` stores the upload (or, from the command line, names a local file).
2. ``advance_batch`` reads the next rows *streaming* (csv reader / openpyxl read-only), each
   once (a CSV step seeks to where the last one stopped; an XLSX is read in one step), resolves
   them in chunks (one query for the chunk's employees) and stages them with their errors in
   ``training_import_rows``. Pages call it step by step, so a progress bar can follow; memory holds
   one chunk at a time, whatever the file's size.
3. ``import_batch`` refuses a batch with any error; otherwise one INSERT … SELECT copies the staged
   rows into ``training_records`` in the request's single transaction. Rows whose natural key
   (employee, program, completion date) is already recorded are skipped, so importing the same
   file twice creates nothing the second time; the unique constraint backs this up under races.
"""

from __future__ import annotations

import io
import itertools
import logging
import os
from collections.abc import Iterator
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.core.actor import Actor
from hrfund.core.audit import record_event
from hrfund.core.db import UTCDateTime, insert_rows, table_of, utcnow
from hrfund.core.errors import InvalidTransition, NotAllowed, NotFound
from hrfund.core.files import SPREADSHEET_KINDS, StoredFile, path_of, store_upload
from hrfund.core.permissions import allowed
from hrfund.extensions import db
from hrfund.training import summaries
from hrfund.training.import_rows import (
    COLUMNS as COLUMNS,  # the form page lists them
)
from hrfund.training.import_rows import (
    CsvSteps,
    FileUnreadable,
    cell_text,
    check_row,
    count_rows,
    employee_ids,
    iter_rows,
    program_keys,
)
from hrfund.training.models import (
    ImportBatch,
    ImportRow,
    ImportStatus,
    RecordSource,
    TrainingRecord,
)

log = logging.getLogger(__name__)

CHUNK_ROWS = 2000
STEP_ROWS = 20000


def check_import(actor: Actor | None, batch: ImportBatch) -> None:
    """HR imports a batch once it is checked and clean."""
    _require_hr(actor)
    if batch.status != ImportStatus.VALID:
        raise InvalidTransition(str(_l("Only a checked file without errors can be imported.")))


def can_import(actor: Actor, batch: ImportBatch) -> bool:
    return allowed(check_import, actor, batch)


def _require_hr(actor: Actor | None) -> None:
    if actor is not None and not actor.has_role("hr"):
        raise NotAllowed(str(_l("Only HR imports training records.")))


def create_batch(
    actor: Actor | None,
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
            stream or io.BytesIO(),  # nothing sent: refused by its name or its content
            filename,
            owner=actor,
            actor=actor,
            kinds=SPREADSHEET_KINDS,
            max_bytes=max_bytes,
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
    stored = db.session.get(StoredFile, batch.file_id)
    assert stored is not None  # a batch without a path keeps its upload (a foreign key)
    return str(path_of(stored))


def _stage_chunk(
    batch: ImportBatch, chunk: list[tuple[int, dict]], programs: dict[str, int]
) -> None:
    users = employee_ids({cell_text(raw.get("employee_number")) for _, raw in chunk} - {""})
    staged = []
    for row_number, raw in chunk:
        values = check_row(raw, users, programs)
        values.update(batch_id=batch.id, row_number=row_number)
        staged.append(values)
    insert_rows(db.session.connection(), table_of(ImportRow), staged)


def _stage_rows(batch: ImportBatch, rows: Iterator[tuple[int, dict]], programs) -> int:
    taken = 0
    while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
        _stage_chunk(batch, chunk, programs)
        taken += len(chunk)
    return taken


def _advance_csv(batch: ImportBatch, path: str, max_rows: int, programs) -> int:
    """The next ``max_rows`` rows, read on from where the last step stopped."""
    steps = CsvSteps(path, batch.resume_offset, batch.resume_line)
    skip = batch.processed_rows if batch.resume_offset is None else 0  # a batch begun before
    rows = itertools.islice(steps.rows(), skip, None)
    try:
        taken = _stage_rows(batch, itertools.islice(rows, max_rows), programs)
        batch.resume_offset, batch.resume_line = steps.position()
    finally:
        steps.close()
    return taken


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
        programs = program_keys()
        if batch.kind == "xlsx":
            # a zipped sheet cannot be entered in the middle: checked whole, in one pass
            taken = _stage_rows(batch, iter_rows(path, batch.kind), programs)
            max_rows = taken + 1
        else:
            taken = _advance_csv(batch, path, max_rows, programs)
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
    rows = table_of(ImportRow)
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
    check_import(actor, batch)
    rows = table_of(ImportRow)
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
    target = table_of(TrainingRecord)
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
    summaries.add_imported(batch.id)
    batch.status, batch.imported_at = ImportStatus.IMPORTED, utcnow()
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
