"""The HR dashboard's training figures, kept as summary rows (issue 16).

The dashboard shows the year's training hours by category and the language levels valid today
by CEFR band. Summed from the base rows on every view, that read some 56,000 records and a large
part of 300,000 scores. So two small tables are kept in the transaction of every change:

- ``training_hours_totals``: per fiscal year and program, the completed records' own hours and
  how many records have none (they count the program's hours, read at view time, so that editing
  a program changes nothing here);
- ``language_level_counts``: per test, band, day taken and last day valid, the verified, not
  rejected scores of the tests with CEFR bands; "valid today" is then one range of the table.

What moves them:

- every ORM flush of a record or a score (create, edit, enrolment, retention, the seeds and
  tests that add rows): ``_after_flush`` moves the rows by the old and new contribution of each
  record and score, the old one read from the attribute history (``active_history`` on the
  columns that count, so the old value is always loaded);
- the conditional UPDATEs of ``claim_row`` (status changes, verification, rejection), which the
  ORM does not see: their services call :func:`moved` with the contribution from before;
- the import's INSERT … SELECT: :func:`add_imported`;
- a bulk write (``seed-scale``) and the migration that adds the tables: :func:`recompute`.

Every change is ``n = n + d`` in an upsert (``INSERT … ON CONFLICT DO UPDATE``), atomic on both
backends: two transactions adding to one row both count, in the order of their commits; rows are
written in key order, so that two writers of several rows do not deadlock. :func:`from_base_rows`
computes the same rows from the records and scores: what :func:`stored_rows` must always equal.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from hrfund.core.db import table_of
from hrfund.core.fiscal import fiscal_year_of
from hrfund.extensions import db
from hrfund.training.models import (
    LanguageLevelCount,
    LanguageScore,
    LanguageTest,
    RecordStatus,
    TrainingHoursTotal,
    TrainingRecord,
)

#: CEFR bands of the commonest tests, by lowest score of each band (B1, B2, C1).
CEFR_BANDS: dict[str, tuple[Decimal, Decimal, Decimal]] = {
    LanguageTest.TOEIC: (Decimal(550), Decimal(785), Decimal(945)),
    LanguageTest.IELTS: (Decimal("4.0"), Decimal("5.5"), Decimal("7.0")),
    LanguageTest.TOEFL_IBT: (Decimal(42), Decimal(72), Decimal(95)),
}
BANDS = ("A2", "B1", "B2", "C1")
#: the last day valid of a score that never expires
NEVER = date(9999, 12, 31)

HoursKey = tuple[int, int]  # fiscal year, program
LevelKey = tuple[str, str, date, date]  # test, band, taken on, valid until
#: a record's contribution: its key and (own hours, 1 if it has none)
RecordPart = tuple[HoursKey, tuple[Decimal, int]] | None
ScorePart = LevelKey | None


def band_of(test: str, score: Decimal) -> str:
    b1, b2, c1 = CEFR_BANDS[test]
    return "C1" if score >= c1 else "B2" if score >= b2 else "B1" if score >= b1 else "A2"


def band_case(test_column: Any, score_column: Any) -> sa.Case[str]:
    """:func:`band_of` in SQL."""
    return sa.case(
        *(
            (
                test_column == test,
                sa.case(
                    (score_column >= c1, "C1"),
                    (score_column >= b2, "B2"),
                    (score_column >= b1, "B1"),
                    else_="A2",
                ),
            )
            for test, (b1, b2, c1) in CEFR_BANDS.items()
        ),
        else_="",
    )


# ---------------------------------------------------------------- what one row contributes


def record_part(status: Any, completed_on: date | None, program_id: int, hours: Any) -> RecordPart:
    if status != RecordStatus.COMPLETED or completed_on is None:
        return None
    own = Decimal(0) if hours is None else Decimal(hours)
    return (fiscal_year_of(completed_on), program_id), (own, int(hours is None))


def score_part(
    test: Any, score: Any, taken_on: date, expires_on: date | None, verified: bool, rejected: bool
) -> ScorePart:
    if not verified or rejected or test not in CEFR_BANDS:
        return None
    return str(test), band_of(str(test), Decimal(score)), taken_on, expires_on or NEVER


def part_of(entry: TrainingRecord | LanguageScore) -> RecordPart | ScorePart:
    """What a record or a score, as it is now on the object, counts in the summary rows."""
    if isinstance(entry, TrainingRecord):
        program_id = entry.program_id if entry.program_id is not None else entry.program.id
        return record_part(entry.status, entry.completed_on, program_id, entry.hours)
    return score_part(
        entry.test,
        entry.score,
        entry.taken_on,
        entry.expires_on,
        entry.verified,
        entry.rejected_at is not None,
    )


class _Moves:
    """The changes of one flush or service, summed by key before they are written."""

    def __init__(self) -> None:
        self.hours: dict[HoursKey, list[Any]] = defaultdict(lambda: [Decimal(0), 0])
        self.levels: dict[LevelKey, int] = defaultdict(int)

    def record(self, part: RecordPart, sign: int) -> None:
        if part is not None:
            key, (own, without) = part
            self.hours[key][0] += sign * own
            self.hours[key][1] += sign * without

    def score(self, part: ScorePart, sign: int) -> None:
        if part is not None:
            self.levels[part] += sign

    def entry(self, before, after, is_record: bool) -> None:
        add = self.record if is_record else self.score
        if before != after:
            add(before, -1)
            add(after, +1)

    def write(self, connection: sa.Connection) -> None:
        hours = [
            {"fiscal_year": k[0], "program_id": k[1], "own_hours": v[0], "without_hours": v[1]}
            for k, v in sorted(self.hours.items())
            if v[0] or v[1]
        ]
        levels = [
            {"test": k[0], "band": k[1], "taken_on": k[2], "valid_until": k[3], "scores": n}
            for k, n in sorted(self.levels.items())
            if n
        ]
        _upsert(connection, TrainingHoursTotal, hours, ("own_hours", "without_hours"))
        _upsert(connection, LanguageLevelCount, levels, ("scores",))


def _upsert(connection: sa.Connection, model: Any, rows: list[dict], amounts: tuple) -> None:
    """``x = x + d`` on each row, or a new row: one atomic statement per row on both backends."""
    if not rows:
        return
    from sqlalchemy.dialects import postgresql, sqlite

    table = table_of(model)
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key.columns],
        set_={a: table.c[a] + stmt.excluded[a] for a in amounts},
    )
    connection.execute(stmt, rows)


# ---------------------------------------------------------------- kept by the services


def moved(entry: TrainingRecord | LanguageScore, before: RecordPart | ScorePart) -> None:
    """Move the rows by a change the ORM did not see (a ``claim_row`` UPDATE, the object
    refreshed since): ``before`` is :func:`part_of` the entry taken before the change."""
    moves = _Moves()
    moves.entry(before, part_of(entry), isinstance(entry, TrainingRecord))
    moves.write(db.session.connection())


def add_imported(batch_id: int) -> None:
    """Count the records an import has just inserted (INSERT … SELECT, unseen by the ORM)."""
    r = table_of(TrainingRecord).c
    rows = db.session.execute(
        sa.select(
            r.program_id,
            r.completed_on,
            sa.func.sum(r.hours),
            sa.func.count() - sa.func.count(r.hours),
        )
        .where(r.import_batch_id == batch_id, r.status == RecordStatus.COMPLETED.value)
        .group_by(r.program_id, r.completed_on)
    )
    moves = _Moves()
    for program_id, completed_on, own, without in rows:
        key = (fiscal_year_of(completed_on), program_id)
        moves.record((key, (Decimal(own or 0), int(without))), +1)
    moves.write(db.session.connection())


def _old(state: Any, name: str) -> Any:
    """An attribute's value as last loaded or flushed (before this flush's change)."""
    history = state.attrs[name].history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else None


#: the columns a record's or a score's contribution depends on (``active_history`` on each)
COUNTED = {
    TrainingRecord: ("status", "completed_on", "program_id", "hours"),
    LanguageScore: ("test", "score", "taken_on", "expires_on", "verified", "rejected_at"),
}


def _old_part(state: Any) -> RecordPart | ScorePart:
    old = {n: _old(state, n) for n in COUNTED[state.class_]}
    if state.class_ is TrainingRecord:
        return record_part(old["status"], old["completed_on"], old["program_id"], old["hours"])
    rejected = old["rejected_at"] is not None
    return score_part(
        old["test"], old["score"], old["taken_on"], old["expires_on"], old["verified"], rejected
    )


@sa.event.listens_for(so.Session, "before_flush")
def _load_deleted(session: so.Session, _context: Any, _instances: Any) -> None:
    """Load what a deleted record or score counted while it can still be loaded."""
    for obj in session.deleted:
        if isinstance(obj, TrainingRecord | LanguageScore):
            part_of(obj)


@sa.event.listens_for(so.Session, "after_flush")
def _after_flush(session: so.Session, _context: Any) -> None:
    moves = _Moves()
    for obj in session.new:
        if isinstance(obj, TrainingRecord | LanguageScore):
            moves.entry(None, part_of(obj), isinstance(obj, TrainingRecord))
    for obj in session.dirty:
        if isinstance(obj, TrainingRecord | LanguageScore):
            moves.entry(_old_part(sa.inspect(obj)), part_of(obj), isinstance(obj, TrainingRecord))
    for obj in session.deleted:
        if isinstance(obj, TrainingRecord | LanguageScore):
            moves.entry(_old_part(sa.inspect(obj)), None, isinstance(obj, TrainingRecord))
    if moves.hours or moves.levels:
        moves.write(session.connection())


# ---------------------------------------------------------------- read, and from the base rows


def hours_by_program(fiscal_year: int) -> sa.Select:
    """The year's stored rows: ``program_id, own_hours, without_hours``."""
    t = TrainingHoursTotal
    return sa.select(t.program_id, t.own_hours, t.without_hours).where(t.fiscal_year == fiscal_year)


def levels_valid_on(today: date) -> sa.Select:
    """The stored counts of scores valid on ``today``: ``test, band, count``."""
    c = LanguageLevelCount
    return (
        sa.select(c.test, c.band, sa.func.sum(c.scores))
        .where(c.valid_until >= today, c.taken_on <= today)
        .group_by(c.test, c.band)
    )


def _fiscal_year_sql(column: Any) -> Any:
    month = sa.extract("month", column)
    return sa.cast(sa.extract("year", column), sa.Integer) - sa.case((month < 4, 1), else_=0)


def _hours_from_records() -> sa.Select:
    r = table_of(TrainingRecord).c
    year = _fiscal_year_sql(r.completed_on)
    return (
        sa.select(
            year,
            r.program_id,
            sa.func.coalesce(sa.func.sum(r.hours), 0),
            sa.func.count() - sa.func.count(r.hours),
        )
        .where(r.status == RecordStatus.COMPLETED.value, r.completed_on.is_not(None))
        .group_by(year, r.program_id)
    )


def _levels_from_scores() -> sa.Select:
    s = table_of(LanguageScore).c
    band = band_case(s.test, s.score)
    until = sa.func.coalesce(s.expires_on, sa.literal(NEVER, sa.Date))
    return (
        sa.select(s.test, band, s.taken_on, until, sa.func.count())
        .where(
            s.test.in_([str(t) for t in CEFR_BANDS]),
            s.verified.is_(True),
            s.rejected_at.is_(None),
        )
        .group_by(s.test, band, s.taken_on, until)
    )


def recompute(connection: sa.Connection | None = None) -> None:
    """Set every summary row from the records and scores (after a bulk write; the migration)."""
    run = connection.execute if connection is not None else db.session.execute
    hours, levels = table_of(TrainingHoursTotal), table_of(LanguageLevelCount)
    run(sa.delete(hours))
    run(sa.delete(levels))
    run(
        sa.insert(hours).from_select(
            ["fiscal_year", "program_id", "own_hours", "without_hours"], _hours_from_records()
        )
    )
    run(
        sa.insert(levels).from_select(
            ["test", "band", "taken_on", "valid_until", "scores"], _levels_from_scores()
        )
    )


def _as_dicts(hour_rows, level_rows) -> dict[str, dict]:
    hours = {(int(y), int(p)): (Decimal(own), int(n)) for y, p, own, n in hour_rows if own or n}
    levels = {(str(t), b, taken, until): int(n) for t, b, taken, until, n in level_rows if n}
    return {"hours": hours, "levels": levels}


def stored_rows() -> dict[str, dict]:
    """The summary rows as they are (rows that are all zero left out)."""
    t, c = TrainingHoursTotal, LanguageLevelCount
    return _as_dicts(
        db.session.execute(sa.select(t.fiscal_year, t.program_id, t.own_hours, t.without_hours)),
        db.session.execute(sa.select(c.test, c.band, c.taken_on, c.valid_until, c.scores)),
    )


def from_base_rows() -> dict[str, dict]:
    """The summary rows computed from the records and scores: what :func:`stored_rows` must
    always equal."""
    return _as_dicts(
        db.session.execute(_hours_from_records()), db.session.execute(_levels_from_scores())
    )
