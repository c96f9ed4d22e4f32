"""A pooled PostgreSQL connection whose server side went away (a restart, a failover, a killed
backend) is found out before a request uses it, when it was idle a while: the request gets a
fresh connection and succeeds. A connection back in the pool only moments ago is not pinged
(that was one round trip more on every request)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from hrfund.extensions import db
from tests import factories
from tests.conftest import PG_URL, _admin_engine, make_app
from tests.factories import TEST_PASSWORD

needs_postgres = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL backends to kill")
IDLE = 0.3


def _signed_in(app):
    with app.app_context():
        user = factories.user(["employee"])
        db.session.commit()
        email = user.email
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def _kill_idle_backends(app) -> int:
    """pg_terminate_backend of every other backend on the app's database: its pooled ones."""
    with app.app_context():
        name = db.engine.url.database
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            killed = conn.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).scalar()
    finally:
        admin.dispose()
    time.sleep(0.2)  # the backends are gone once they have read the signal
    return int(killed or 0)


@pytest.fixture
def pg_app(tmp_path, request):
    app, cleanup = make_app("postgresql", tmp_path, DB_PING_IDLE_SECONDS=request.param)
    yield app
    with app.app_context():
        db.engine.dispose()
    cleanup()


@needs_postgres
@pytest.mark.parametrize("pg_app", [IDLE], indirect=True)
def test_the_first_request_after_its_backend_was_killed_succeeds(pg_app):
    client = _signed_in(pg_app)
    assert client.get("/notifications").status_code == 200  # a pooled connection, now idle
    assert _kill_idle_backends(pg_app) >= 1
    time.sleep(IDLE + 0.1)
    assert client.get("/notifications").status_code == 200
    assert client.get("/notifications").status_code == 200


@needs_postgres
@pytest.mark.parametrize("pg_app", [3600], indirect=True)
def test_without_the_ping_the_same_request_fails(pg_app):
    """The control: a connection not pinged (idle less than the setting) meets the dead
    backend, so the test above does test the ping."""
    client = _signed_in(pg_app)
    assert client.get("/notifications").status_code == 200
    assert _kill_idle_backends(pg_app) >= 1
    with pytest.raises(sa.exc.OperationalError):
        client.get("/notifications")  # the testing app raises what it would answer 500 to
    assert client.get("/notifications").status_code == 200  # the pool let it go
