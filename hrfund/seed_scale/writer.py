"""Bulk writes for the generator: COPY on PostgreSQL, executemany on SQLite, with progress."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence

import sqlalchemy as sa

from hrfund.extensions import db

SQLITE_BATCH = 5_000
#: The tables that get most rows: their plain (not unique) indexes are built once at the end,
#: which is several times faster than keeping them up to date row by row.
BULK_TABLES = (
    "audit_events",
    "fund_entries",
    "training_records",
    "language_scores",
    "users",
    "notifications",
    "milestones",
)


class Writer:
    """Writes rows (tuples in the order of ``columns``) straight to a table, bypassing the ORM.

    Ids are handed out here (from the table's highest id), so that rows can name each other
    before they are written; on PostgreSQL the id sequences are moved past them at the end.
    """

    def __init__(self, echo: Callable[[str], None] = print, trust_references: bool = False):
        self.echo = echo
        self.connection = db.session.connection()
        self.postgresql = self.connection.dialect.name == "postgresql"
        if trust_references and self.postgresql and self._superuser():
            # Foreign keys are triggers on PostgreSQL: checking each of millions of generated
            # rows one by one is most of the time COPY takes. The generator names only rows it
            # wrote before (the small sizes, which the tests run, keep every check on); check
            # constraints and unique indexes stay on whatever the size.
            self.connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        self._deferred_indexes: list[str] = []
        if self.postgresql:
            self._defer_indexes()
        self._next: dict[str, int] = {}
        self.counts: dict[str, int] = {}
        self.started = time.monotonic()

    def _defer_indexes(self) -> None:
        rows = self.connection.execute(
            sa.text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = ANY(:tables) AND indexdef NOT LIKE 'CREATE UNIQUE %'"
            ),
            {"tables": list(BULK_TABLES)},
        ).all()
        for name, definition in rows:
            self.connection.execute(sa.text(f'DROP INDEX "{name}"'))
            self._deferred_indexes.append(definition)

    def _superuser(self) -> bool:
        return bool(
            self.connection.execute(
                sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            ).scalar()
        )

    def ids(self, table: str, n: int) -> range:
        """``n`` fresh ids of ``table``."""
        if table not in self._next:
            query = f"SELECT max(id) FROM {table}"  # noqa: S608  # nosec B608 - our table name
            highest = self.connection.execute(sa.text(query)).scalar()
            self._next[table] = (highest or 0) + 1
        first = self._next[table]
        self._next[table] += n
        return range(first, first + n)

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Write every row; returns how many."""
        n = (
            self._copy(table, columns, rows)
            if self.postgresql
            else self._insert(table, columns, rows)
        )
        self.counts[table] = self.counts.get(table, 0) + n
        return n

    def report(self, step: str, *tables: str) -> None:
        """Print the step's tables with their row counts so far, and the time taken."""
        counts = ", ".join(f"{t} {self.counts.get(t, 0):,}" for t in tables)
        self.echo(f"[{time.monotonic() - self.started:6.0f} s] {step}: {counts}")

    def _copy(self, table, columns, rows) -> int:
        raw = self.connection.connection.driver_connection
        assert raw is not None  # a live connection has its driver's
        n = 0
        with raw.cursor() as cursor:
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        return n

    def _insert(self, table, columns, rows) -> int:
        target = db.metadata.tables[table]
        n, batch = 0, []
        for row in rows:
            batch.append(dict(zip(columns, row, strict=True)))
            if len(batch) >= SQLITE_BATCH:
                n += self._flush(target, batch)
        return n + self._flush(target, batch)

    def _flush(self, target, batch) -> int:
        if batch:
            self.connection.execute(sa.insert(target), batch)
        n = len(batch)
        batch.clear()
        return n

    def json(self, value) -> str | dict | None:
        """A JSON column's value: text for COPY, the object for SQLAlchemy."""
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False) if self.postgresql else value

    def finish(self) -> None:
        """Build the deferred indexes; move the id sequences past the written ids."""
        if not self.postgresql:
            return
        started = time.monotonic()
        for definition in self._deferred_indexes:
            self.connection.execute(sa.text(definition))
        self.echo(
            f"[{time.monotonic() - self.started:6.0f} s] indexes built "
            f"({len(self._deferred_indexes)}, {time.monotonic() - started:.0f} s)"
        )
        for table in self._next:
            self.connection.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608  # nosec B608
                    f"coalesce((SELECT max(id) FROM {table}), 1))"
                )
            )
