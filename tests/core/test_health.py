"""/healthz answers while the process runs; /readyz tells whether this instance can serve."""

from __future__ import annotations

import socket

import pytest
from flask_migrate import downgrade

from hrfund import create_app
from hrfund.extensions import db as _db
from tests.conftest import make_app


def _backend(app) -> str:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    return "postgresql" if uri.startswith("postgresql") else "sqlite"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A migrated app of its own, whose settings a test may change."""
    app, cleanup = make_app("sqlite", tmp_path_factory.mktemp("ready"))
    yield app
    if cleanup:
        cleanup()


def _ready(app):
    response = app.test_client().get("/readyz")
    return response.status_code, response.get_json()


def test_ready_when_everything_is_in_place(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["ok"] is True
    assert set(body["checks"]) == {"database", "migrations", "templates", "catalogs", "redis"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["redis"]["detail"] == "not configured"


def test_alive_but_not_ready_without_a_database(tmp_path):
    app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/hrfund.sqlite"}
    )
    c = app.test_client()
    assert c.get("/healthz").status_code == 200
    status, body = _ready(app)
    assert status == 503
    assert {"database", "migrations"} <= set(body["failed"])
    assert body["ok"] is False and body["checks"]["database"]["ok"] is False
    assert str(tmp_path) not in str(body)  # no internals in a public answer


def test_not_ready_one_migration_behind(app, tmp_path):
    behind, cleanup = make_app(_backend(app), tmp_path)
    try:
        with behind.app_context():
            downgrade(revision="-1")
            _db.engine.dispose()
        status, body = _ready(behind)
        assert status == 503
        assert body["failed"] == ["migrations"]
        assert "flask db upgrade" in body["checks"]["migrations"]["detail"]
    finally:
        with behind.app_context():
            _db.engine.dispose()
        if cleanup:
            cleanup()


def test_not_ready_with_a_translation_directory_lacking_its_catalog(tmp_path):
    app, _cleanup = make_app(
        "sqlite",
        tmp_path,
        BABEL_TRANSLATION_DIRECTORIES="translations;fund/translations;nowhere/translations",
    )
    status, body = _ready(app)
    assert status == 503
    assert body["failed"] == ["catalogs"]
    assert "nowhere/translations/ja/LC_MESSAGES/messages.mo" in body["checks"]["catalogs"]["detail"]


def test_not_ready_without_templates(fresh, tmp_path, monkeypatch):
    monkeypatch.setattr(fresh, "template_folder", str(tmp_path))
    status, body = _ready(fresh)
    assert status == 503
    assert body["failed"] == ["templates"]
    assert "base.html" in body["checks"]["templates"]["detail"]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _with_storage(app, monkeypatch, uri: str) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", uri)
    monkeypatch.setitem(app.extensions, "hrfund_health", {})  # the cached client of another URI


def test_not_ready_when_the_configured_redis_does_not_answer(fresh, monkeypatch):
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _with_storage(fresh, monkeypatch, f"redis://127.0.0.1:{port}/0")
    status, body = _ready(fresh)
    assert status == 503
    assert body["failed"] == ["redis"]


def test_ready_with_a_redis_that_answers(fresh, monkeypatch):
    if not _listening(6379):
        pytest.skip("no Redis on 127.0.0.1:6379")
    _with_storage(fresh, monkeypatch, "redis://127.0.0.1:6379/0")
    status, body = _ready(fresh)
    assert status == 200, body
    assert body["checks"]["redis"] == {"ok": True, "detail": "ok"}
