"""One private database per backend with the sweeps' world (tests/sweeps/world.py), built once;
each test runs in a transaction rolled back at its end, and ``isolated`` rolls back each request
of a sweep (a savepoint), so that every request meets the same data.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from hrfund.extensions import db as _db
from tests.conftest import BACKENDS, make_app, rolled_back_session
from tests.sweeps import world as world_module

# The HTTP sweeps (route table, IDOR, mass assignment) ask the same views and the same
# ``visible_to`` queries on either database; with PostgreSQL at hand (production's database, and
# CI's) they run there alone, to keep the suite in its time. The workflow-order sweep, whose claims
# differ by database, runs on both.
ONE_DATABASE = ("test_route_matrix.py", "test_idor.py", "test_mass_assignment.py")


def pytest_collection_modifyitems(config, items):
    if len(BACKENDS) < 2:
        return
    keep, drop = [], []
    for item in items:
        param = getattr(getattr(item, "callspec", None), "params", {}).get("sweep_app")
        one = item.path.parent.name == "sweeps" and item.path.name in ONE_DATABASE
        (drop if one and param == "sqlite" else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="package", params=BACKENDS)
def sweep_app(request, tmp_path_factory):
    app, cleanup = make_app(request.param, tmp_path_factory.mktemp("sweeps"))
    with app.app_context():
        app.sweep_world = world_module.build()
        _db.session.remove()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    if cleanup:
        cleanup()


class Sweep:
    """The world's ids and tokens, clients per persona, and a rollback around each request."""

    def __init__(self, app, connection):
        self.app = app
        self.connection = connection
        self.ids = app.sweep_world["ids"]
        self.tokens = app.sweep_world["tokens"]
        self.feeds = app.sweep_world["feeds"]
        self._pages: dict = {}

    @property
    def backend(self) -> str:
        return self.connection.dialect.name

    def page(self, persona: str):
        """A test client logged in through the form as the persona (anon: not logged in)."""
        if persona not in self._pages:
            client = self.app.test_client()
            if persona != "anon":
                email = (world_module.PERSONAS | world_module.OTHERS)[persona]
                from hrfund.seed import DEMO_PASSWORD

                response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
                assert response.status_code == 302, (persona, response.status_code)
            self._pages[persona] = client
        return self._pages[persona]

    def api_headers(self, persona: str) -> dict:
        if persona == "anon":
            return {}
        return {"Authorization": f"Bearer {self.tokens[persona]}"}

    @contextmanager
    def isolated(self):
        """Whatever the block's requests commit is undone at its end."""
        savepoint = self.connection.begin_nested()
        try:
            yield
        finally:
            _db.session.remove()
            if savepoint.is_active:
                savepoint.rollback()

    def request(self, persona: str, method: str, url: str, *, isolate: bool = True, **kwargs):
        """One request as ``persona``, rolled back afterwards unless ``isolate`` is False (the
        caller's own ``isolated`` block then undoes it); API urls get the bearer token."""
        if url.startswith("/api/"):
            client = self.app.test_client()
            kwargs["headers"] = self.api_headers(persona) | kwargs.get("headers", {})
        else:
            client = self.page(persona)  # logged in outside the rollback: the session stays
        if not isolate:
            return client.open(url, method=method, **kwargs)
        with self.isolated():
            return client.open(url, method=method, **kwargs)


@pytest.fixture
def sweep(sweep_app):
    """The world in a transaction rolled back after the test (commits are savepoints)."""
    with rolled_back_session(sweep_app) as connection:
        yield Sweep(sweep_app, connection)
