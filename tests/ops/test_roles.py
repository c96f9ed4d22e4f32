"""The owner and runtime roles: the runtime role can read and append to the audit log and the
ledger, and nothing else on them; the owner migrates, and even it cannot TRUNCATE them."""

from __future__ import annotations

import uuid

import psycopg
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from hrfund import create_app
from hrfund.extensions import db as _db
from tests import factories
from tests.conftest import PG_URL, _admin_engine

APPEND_ONLY = ("audit_events", "fund_entries")


def _url(user: str, database: str) -> str:
    return (
        sa.make_url(PG_URL)
        .set(drivername="postgresql+psycopg", username=user, password=None, database=database)
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="module")
def roles(tmp_path_factory):
    """A database owned by a (non-superuser) owner role, migrated by it, and a runtime role
    that `db grant` gave its privileges."""
    if not PG_URL:
        pytest.skip("database roles exist on PostgreSQL only (set HRFUND_TEST_DATABASE_URL)")
    suffix = uuid.uuid4().hex[:8]
    owner, runtime, database = (
        f"hrfund_own_{suffix}",
        f"hrfund_rt_{suffix}",
        f"hrfund_roles_{suffix}",
    )
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{owner}" LOGIN')
        conn.exec_driver_sql(f'CREATE ROLE "{runtime}" LOGIN')
        conn.exec_driver_sql(f'CREATE DATABASE "{database}" OWNER "{owner}"')
    owner_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _url(owner, database)})
    try:
        with owner_app.app_context():
            upgrade(revision="heads")
        result = owner_app.test_cli_runner().invoke(args=["db", "grant", runtime])
        assert result.exit_code == 0, result.output
        yield {
            "owner": owner,
            "runtime": runtime,
            "owner_url": _url(owner, database),
            "runtime_url": _url(runtime, database),
            "owner_app": owner_app,
            "grant_output": result.output,
        }
    finally:
        with owner_app.app_context():
            _db.engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{runtime}"')
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{owner}"')
        admin.dispose()


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(sa.make_url(url).set(drivername="postgresql").render_as_string(False))


@pytest.mark.postgres_only
@pytest.mark.parametrize("table", APPEND_ONLY)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {t} SET id = id",
        "DELETE FROM {t}",
        "TRUNCATE {t}",
        "ALTER TABLE {t} DISABLE TRIGGER ALL",
        "ALTER TABLE {t} DISABLE TRIGGER {t}_append_only",
        "SET session_replication_role = replica",
    ],
)
def test_runtime_role_cannot_rewrite(roles, table, statement):
    with (
        _connect(roles["runtime_url"]) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(statement.format(t=table))


@pytest.mark.postgres_only
def test_runtime_role_reads_and_appends(roles):
    with _connect(roles["runtime_url"]) as conn:
        new_id = conn.execute(
            "INSERT INTO audit_events (at, actor_label, action, object_type) "
            "VALUES (now(), 'ops-test', 'ops.test', 'test') RETURNING id"
        ).fetchone()[0]
        assert conn.execute(
            "SELECT action FROM audit_events WHERE id = %s", (new_id,)
        ).fetchone() == ("ops.test",)
        conn.execute("SELECT count(*) FROM fund_entries").fetchone()
        # the other tables are the app's to change, but never to truncate
        conn.execute("UPDATE users SET id = id WHERE false")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("TRUNCATE users")


@pytest.mark.postgres_only
def test_grant_covers_no_more_than_asked(roles):
    with _connect(roles["owner_url"]) as conn:
        rows = conn.execute(
            "SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) "
            "FROM information_schema.role_table_grants WHERE grantee = %s GROUP BY table_name",
            (roles["runtime"],),
        ).fetchall()
    privileges = dict(rows)
    for table in APPEND_ONLY:
        assert privileges[table] == "INSERT,SELECT"
    assert privileges["alembic_version"] == "SELECT"
    assert privileges["users"] == "DELETE,INSERT,SELECT,UPDATE"
    assert "audit_events: SELECT, INSERT" in roles["grant_output"]


@pytest.mark.postgres_only
def test_grant_is_idempotent_and_refuses_the_owner(roles):
    runner = roles["owner_app"].test_cli_runner()
    again = runner.invoke(args=["db", "grant", roles["runtime"]])
    assert again.exit_code == 0, again.output
    own = runner.invoke(args=["db", "grant", roles["owner"]])
    assert own.exit_code != 0 and "owns the tables" in own.output
    missing = runner.invoke(args=["db", "grant", "no_such_role_x"])
    assert missing.exit_code != 0 and "does not exist" in missing.output


@pytest.mark.postgres_only
def test_the_runtime_role_cannot_grant_itself_more(roles):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": roles["runtime_url"]})
    try:
        result = app.test_cli_runner().invoke(args=["db", "grant", roles["runtime"]])
        assert result.exit_code != 0 and "as the owner role" in result.output
    finally:
        with app.app_context():
            _db.engine.dispose()


@pytest.mark.postgres_only
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_owner_cannot_truncate(roles, table):
    with (
        _connect(roles["owner_url"]) as conn,
        pytest.raises(psycopg.errors.RestrictViolation, match="append-only: TRUNCATE"),
    ):
        conn.execute(f"TRUNCATE {table} CASCADE")


@pytest.mark.postgres_only
def test_app_serves_as_the_runtime_role(roles):
    """A ledger entry posted through the API, by an app connected as the runtime role."""
    from hrfund.auth.services import create_api_token

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": roles["runtime_url"]})
    try:
        with app.app_context():
            hr = factories.user(roles=["hr"])
            _token, plain = create_api_token(hr, hr, "ops")
            _db.session.commit()
            hr_id = hr.id
        client = app.test_client()
        response = client.post(
            "/api/v1/fund/contributions",
            json={"amount_jpy": 5_000_000, "received_on": "2026-11-02", "memo": "ops"},
            headers={"Authorization": f"Bearer {plain}"},
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        with app.app_context():
            assert (
                _db.session.scalar(sa.text("SELECT count(*) FROM fund_entries WHERE memo = 'ops'"))
                == 1
            )
            assert _db.session.scalar(
                sa.text("SELECT count(*) FROM audit_events WHERE actor_id = :id"), {"id": hr_id}
            )
    finally:
        with app.app_context():
            _db.engine.dispose()


def test_grant_on_sqlite_says_why_not(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the SQLite message")
    result = app.test_cli_runner().invoke(args=["db", "grant", "hrfund_app"])
    assert result.exit_code != 0
    assert "PostgreSQL only" in result.output
