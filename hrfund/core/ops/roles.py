"""The runtime role's privileges: it serves the app, and may only read and append to the audit
log and the ledger.

The owner role migrates (it owns every table, so it alone may ALTER them, disable triggers or
TRUNCATE — which a statement trigger refuses too); the runtime role gets SELECT, INSERT, UPDATE
and DELETE on the other tables, SELECT and INSERT on the append-only ones, and never TRUNCATE,
TRIGGER or REFERENCES. ``session_replication_role`` is a superuser setting: the runtime role must
not be a superuser, and ``grant_runtime_role`` refuses one.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

APPEND_ONLY_TABLES = ("audit_events", "fund_entries")
READ_ONLY_TABLES = ("alembic_version",)  # /readyz reads the revision; only the owner migrates
ROLE_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_$-]{0,62}$")


class RoleError(Exception):
    """A grant that cannot be made; the message says why."""


def grant_runtime_role(
    connection: sa.Connection, role: str, schema: str = "public"
) -> dict[str, Any]:
    """Give ``role`` exactly the runtime privileges on every table and sequence of ``schema``,
    and the same on tables the owner creates later. Idempotent: privileges are revoked first,
    then granted. Returns what was granted, for the command to print."""
    if connection.dialect.name != "postgresql":
        raise RoleError("database roles exist on PostgreSQL only; SQLite has a single user")
    if not ROLE_NAME_RE.match(role):
        raise RoleError(f"{role!r} is not a valid role name")
    info = connection.execute(
        sa.text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}
    ).first()
    if info is None:
        raise RoleError(f"role {role!r} does not exist: CREATE ROLE {role} LOGIN PASSWORD '…'")
    if info.rolsuper:
        raise RoleError(f"role {role!r} is a superuser, which bypasses every privilege")
    owner = connection.scalar(
        sa.text("SELECT tableowner FROM pg_tables WHERE schemaname = :s AND tablename = :t"),
        {"s": schema, "t": "audit_events"},
    )
    if owner is None:
        raise RoleError("no audit_events table: run `flask db upgrade` as the owner role first")
    if owner == role:
        raise RoleError(f"{role!r} owns the tables; the runtime role must be a different role")
    tables = list(
        connection.scalars(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename"),
            {"s": schema},
        )
    )
    missing = [t for t in APPEND_ONLY_TABLES if t not in tables]
    if missing:
        raise RoleError(f"tables missing: {', '.join(missing)}; run `flask db upgrade` first")
    if connection.scalar(sa.text("SELECT pg_has_role(:r, :o, 'MEMBER')"), {"r": role, "o": owner}):
        raise RoleError(f"{role!r} is a member of the owner role {owner!r} and has its rights")
    quote = connection.dialect.identifier_preparer.quote
    r, s, o = quote(role), quote(schema), quote(owner)
    database = quote(connection.scalar(sa.text("SELECT current_database()")))
    statements = [
        f"GRANT CONNECT ON DATABASE {database} TO {r}",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"REVOKE CREATE ON SCHEMA {s} FROM {r}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
    ]
    granted: dict[str, str] = {}
    for table in tables:
        if table in APPEND_ONLY_TABLES:
            privileges = "SELECT, INSERT"
        elif table in READ_ONLY_TABLES:
            privileges = "SELECT"
        else:
            privileges = "SELECT, INSERT, UPDATE, DELETE"
        statements.append(f"GRANT {privileges} ON TABLE {s}.{quote(table)} TO {r}")
        granted[table] = privileges
    # Tables and sequences that later migrations create; a new append-only table needs this
    # command run again (every release: `db upgrade`, then `db grant`).
    statements += [
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {r}",
    ]
    for statement in statements:
        try:
            connection.exec_driver_sql(statement)
        except sa.exc.DBAPIError as error:
            raise RoleError(
                f"{statement} was refused ({str(error.orig).strip()}): run `db grant` as the "
                f"owner role {owner!r}"
            ) from None
    return {"owner": owner, "tables": granted}
