"""Fixtures: one app per database backend, a rolled-back session per test, clients per role.

Every test runs on SQLite, and also on PostgreSQL when HRFUND_TEST_DATABASE_URL is set
(a fresh database is created for each test worker and dropped at the end).
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask.ctx import AppContext
from flask.globals import _cv_app, _cv_request
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from hrfund import create_app
from hrfund.extensions import db as _db
from hrfund.extensions import limiter
from tests import factories, smtp_guard

PG_URL = os.environ.get("HRFUND_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
TEST_PASSWORD = factories.TEST_PASSWORD


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _admin_engine():
    url = sa.make_url(PG_URL).set(drivername="postgresql+psycopg")
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def create_pg_database(name: str) -> str:
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return (
        sa.make_url(PG_URL)
        .set(drivername="postgresql+psycopg", database=name)
        .render_as_string(hide_password=False)
    )


def drop_pg_database(name: str) -> None:
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request in an app context of its own, as in production: a fresh ``g`` and session.

    Without this, a request made while the test holds an app context reuses that context, and
    Flask-Login's cached user (``g._login_user``) leaks from one request into the next.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # English unless a test asks otherwise; the Japanese pages have tests of their own.
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if TRACKING and response.is_streamed:
            OPEN_RESPONSES.append(response)  # closed by rolled_back_session (close_leftovers)
        return response


#: The streamed responses (an export) of the running test, while a rolled_back_session is open
#: (``TRACKING``). One holds its request context until it is read to the end or closed: a test
#: failing halfway through reading it left the context pushed, and every later test of that
#: worker failed on "Popped wrong app context".
OPEN_RESPONSES: list = []
TRACKING: list[bool] = []


def close_leftovers(ours: AppContext, outer_request=None) -> list[str]:
    """Close the responses the test left open, then pop any request or app context still above
    ``ours`` (``outer_request``: the request context that was there before it, if any), so that
    ``ours`` pops cleanly. Each step goes on whatever the one before raised; returns what went
    wrong (for the fixture to report once the worker is sound again)."""
    problems: list[str] = []
    while OPEN_RESPONSES:
        response = OPEN_RESPONSES.pop()
        try:
            response.close()
        except Exception as error:  # noqa: BLE001 - the next ones must still be closed
            problems.append(f"closing a response: {error!r}")
    for _ in range(100):
        stray = _cv_request.get(None)
        if stray is None or stray is outer_request:
            break
        problems.append(f"a request context left pushed: {stray!r}")
        try:
            stray.pop()
        except Exception as error:  # noqa: BLE001 - popped out of order: it is unbound anyway
            problems.append(f"popping it: {error!r}")
    for _ in range(100):
        stray = _cv_app.get(None)
        if stray is None or stray is ours:
            break
        problems.append(f"an app context left pushed: {stray!r}")
        try:
            stray.pop()
        except Exception as error:  # noqa: BLE001
            problems.append(f"popping it: {error!r}")
    return problems


def make_app(backend: str, tmp_dir, **overrides):
    """A migrated app on a fresh database of ``backend``; returns (app, cleanup)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_dir / f'hrfund-{uuid.uuid4().hex[:8]}.sqlite'}"
        cleanup = None
    else:
        name = f"hrfund_test_{_worker()}_{uuid.uuid4().hex[:6]}"
        url = create_pg_database(name)

        def cleanup():
            drop_pg_database(name)

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, **overrides})
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade(revision="heads")
        _db.engine.dispose()
    return app, cleanup


@pytest.fixture(autouse=True)
def _block_real_smtp(monkeypatch):
    """No test reaches a real SMTP server: only a registered aiosmtpd port on loopback."""
    monkeypatch.setattr(smtp_guard.smtplib.SMTP, "connect", smtp_guard.guarded_connect)


@contextmanager
def apps_by_backend(tmp_dir_for, **overrides):
    """``get(backend)``: one app per backend (``make_app`` in ``tmp_dir_for()``), made on first
    use; at the end their engines are closed and their PostgreSQL databases dropped."""
    apps: dict = {}
    cleanups = []

    def get(backend):
        if backend not in apps:
            app, cleanup = make_app(backend, tmp_dir_for(), **overrides)
            apps[backend] = app
            if cleanup:
                cleanups.append((app, cleanup))
        return apps[backend]

    yield get
    for app, cleanup in cleanups:
        with app.app_context():
            _db.engine.dispose()
        cleanup()


@pytest.fixture(scope="session")
def _apps(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("db")
    with apps_by_backend(lambda: tmp) as get:
        yield get


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, _apps):
    return _apps(request.param)


@pytest.fixture
def backend(app) -> str:
    return (
        "postgresql" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "sqlite"
    )


@contextmanager
def rolled_back_session(app):
    """An app context and a session in a transaction rolled back at the end (commits are
    savepoints); yields the connection. Whatever the test left open (a streamed response, a
    pushed context) is closed first, so that one failing test does not break the next ones of
    its worker."""
    outer_request = _cv_request.get(None)
    ours = app.app_context()
    ours.push()
    OPEN_RESPONSES.clear()
    TRACKING.append(True)
    connection = _db.engine.connect()
    transaction = connection.begin()
    original = _db.session
    _db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=_app_ctx_id,
    )
    try:
        yield connection
    finally:
        TRACKING.pop()
        close_leftovers(ours, outer_request)
        try:
            _db.session.remove()
        finally:
            _db.session = original
            transaction.rollback()
            connection.close()
            ours.pop()


@pytest.fixture
def db(app):
    """The database, inside a transaction rolled back after the test (rolled_back_session)."""
    with rolled_back_session(app):
        try:
            yield _db
        finally:
            if app.config["RATELIMIT_ENABLED"]:
                limiter.reset()


class AuthActions:
    """Log a test client in and out through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = TEST_PASSWORD):
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def login_as(app, db):
    """``login_as("hr")`` → a test client logged in as a new user holding that role."""

    def login(role: str, **kwargs):
        user = factories.user(roles=[role], **kwargs)
        _db.session.commit()
        c = app.test_client()
        response = c.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.data[:500]
        c.user = user
        return c

    return login


@pytest.fixture
def api_as(app, db):
    """``api_as("hr")`` → (client, headers) with a bearer token of a new user with that role."""
    from hrfund.auth.services import create_api_token

    def make(role: str, **kwargs):
        user = factories.user(roles=[role], **kwargs)
        _token, plain = create_api_token(user, user, "test")
        _db.session.commit()
        c = app.test_client()
        c.user = user
        c.headers = {"Authorization": f"Bearer {plain}"}
        return c

    return make


@contextmanager
def count_queries(app):
    """Count the SQL statements run inside the block: ``with count_queries(app) as n: …; n()``."""
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    with app.app_context():
        engine = _db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield lambda: len(statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def query_counter(app):
    return lambda: count_queries(app)
