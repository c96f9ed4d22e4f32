"""Declarative base, naming convention, UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeAlias, cast

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, timezone-aware UTC. Passed as a callable default, never evaluated at import."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC instant on every backend (SQLite stores no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is required")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of every model: shared metadata with a constraint naming convention."""

    registry = so.registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    """created_at / updated_at as UTC instants."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, nullable=False)


#: A SELECT of any columns, for helpers that page or export whatever a list selects.
AnySelect: TypeAlias = "sa.Select[*tuple[Any, ...]]"


def table_of(model: type[DeclarativeBase]) -> sa.Table:
    """A model's table, for Core statements: the ORM types ``__table__`` as any FromClause,
    though every model of ours maps one Table."""
    return cast(sa.Table, model.__table__)


def insert_ignoring_conflicts(
    dialect: str, target: Any, index_elements: list[str] | None = None
) -> sa.Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` into ``target`` (a model or table), in the words of
    the database at hand (``dialect``: PostgreSQL's or SQLite's); add ``.values()`` to it."""
    from sqlalchemy.dialects import postgresql, sqlite

    if dialect == "postgresql":
        return postgresql.insert(target).on_conflict_do_nothing(index_elements=index_elements)
    return sqlite.insert(target).on_conflict_do_nothing(index_elements=index_elements)


def insert_rows(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Many plain rows (the same keys each) into ``table`` in the connection's transaction:
    COPY on PostgreSQL, several times faster than one INSERT a row; executemany elsewhere."""
    if not rows:
        return
    raw = connection.connection.driver_connection
    if connection.dialect.name != "postgresql" or raw is None:
        connection.execute(sa.insert(table), rows)
        return
    columns = list(rows[0])
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in columns)
    name = connection.dialect.identifier_preparer.format_table(table)
    with raw.cursor() as cursor, cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def rows_changed(result: sa.Result[Any]) -> int:
    """How many rows an UPDATE, DELETE or INSERT changed. ``Session.execute`` is typed as
    answering a ``Result``; for those statements it is a ``CursorResult``, which counts them."""
    return cast("sa.CursorResult[Any]", result).rowcount


def str_enum(cls: type[Enum], name: str) -> sa.Enum:
    """A string column holding an enum's values, with a database check constraint."""
    return sa.Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


#: A pooled connection idle longer than this is pinged before use (``DB_PING_IDLE_SECONDS``).
PING_IDLE_SECONDS = 2.0


def ping_when_idle(engine: sa.Engine, idle_seconds: float = PING_IDLE_SECONDS) -> None:
    """SQLAlchemy's pessimistic disconnect handling, for connections idle a while only.

    ``pool_pre_ping`` pinged on every checkout: one round trip more on every request. A
    connection checked in moments ago is alive unless the server went away in those moments;
    one idle for longer (a restart, a failover, an idle timeout, a killed backend) is pinged,
    and when the ping fails the pool is told (DisconnectionError) and hands out a fresh
    connection instead: the first request after a restart still succeeds.
    """
    import time

    @sa.event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("checked_in_at")
        if since is None or time.monotonic() - since <= idle_seconds:
            return  # new, or back in the pool only just now
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except Exception as error:  # noqa: BLE001 - whatever the driver says of a dead link
            raise sa.exc.DisconnectionError(str(error)) from error


def configure_engine(engine: sa.Engine, ping_idle_seconds: float | None = None) -> None:
    """PostgreSQL: idle connections pinged before use (``ping_when_idle``). SQLite: foreign
    keys on, WAL, and transactions that SQLAlchemy really controls.

    pysqlite starts transactions lazily and never for SELECT, which breaks SAVEPOINT and lets
    a read-then-write race; we take over BEGIN ourselves (the SQLAlchemy-documented recipe), so
    that a service can also ask for ``BEGIN IMMEDIATE`` to take the write lock up front.
    """
    if engine.dialect.name != "sqlite":
        ping_when_idle(
            engine, PING_IDLE_SECONDS if ping_idle_seconds is None else ping_idle_seconds
        )
        return

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if ":memory:" not in str(engine.url):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        # Session.connection(execution_options={"sqlite_begin": ...}) asks for it too.
        begin = conn.info.pop("sqlite_begin", None)
        conn.exec_driver_sql(begin or conn.get_execution_options().get("sqlite_begin", "BEGIN"))
