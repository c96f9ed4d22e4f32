"""Removing audit events past their retention period: the owner role's job, never the app's.

The audit log is append-only in the database (a row trigger refuses UPDATE and DELETE, a
statement trigger TRUNCATE), for the runtime role and the retention job alike.
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from hrfund.core.audit import AuditEvent
from hrfund.core.db import table_of, utcnow

log = logging.getLogger(__name__)


class PurgeRefused(Exception):
    """The purge cannot run with this connection (the message says why)."""


def purge_audit_events(connection: sa.Connection, before: datetime) -> int:
    """Delete audit events older than ``before``, as the owner role, in one transaction.

    The row trigger that refuses DELETE is set aside only inside this transaction: on PostgreSQL
    ``ALTER TABLE … DISABLE TRIGGER`` (which only the table's owner may run, and which locks the
    table against every other writer until the commit re-enables it); on SQLite the trigger is
    dropped and created again. The purge itself is recorded as a new audit event."""
    dialect = connection.dialect.name
    table = "audit_events"
    try:
        if dialect == "postgresql":
            connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        else:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    except sa.exc.DBAPIError as error:
        raise PurgeRefused(
            f"the audit log's trigger cannot be set aside ({str(error.orig).strip()}): "
            "run this command as the owner role that migrates the database"
        ) from None
    deleted = connection.execute(
        sa.delete(table_of(AuditEvent)).where(table_of(AuditEvent).c.at < before)
    ).rowcount
    if dialect == "postgresql":
        connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
    else:
        connection.exec_driver_sql(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )
    connection.execute(
        sa.insert(table_of(AuditEvent)).values(
            at=utcnow(),
            actor_label="system",
            action="retention.audit_purged",
            object_type="retention",
            changes={"deleted": deleted, "before": before.isoformat()},
        )
    )
    log.info("purged %d audit events before %s", deleted, before.isoformat())
    return deleted
