"""HRFUND_LOG_FORMAT=json: every record is a JSON line; in a request it names the request and
the user, and each request writes one access line with its status and duration."""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime

import pytest
from flask import Flask

from hrfund import create_app
from hrfund.auth.services import create_api_token
from hrfund.core.logging import log_format
from hrfund.extensions import db as _db
from tests import factories
from tests.conftest import IsolatedClient, make_app


@pytest.fixture(scope="module")
def json_app(tmp_path_factory):
    """An app in JSON mode writing to a stream of ours (a plain handler on the root logger).
    Migrated first by another app: Alembic's env.py sets the root handlers of its own."""
    migrated, _cleanup = make_app("sqlite", tmp_path_factory.mktemp("logs"))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    level = root.level
    before = [(h, h.formatter, list(h.filters)) for h in root.handlers]
    root.addHandler(handler)
    try:
        url = migrated.config["SQLALCHEMY_DATABASE_URI"]
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "LOG_FORMAT": "json"})
        app.test_client_class = IsolatedClient
        app.log_stream = stream
        yield app
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        for other, formatter, filters in before:  # JSON mode took over the plain handlers
            other.setFormatter(formatter)
            other.filters[:] = filters


def _lines(app) -> list[dict]:
    text = app.log_stream.getvalue()
    app.log_stream.seek(0)
    app.log_stream.truncate()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_each_request_writes_one_access_line(json_app):
    _lines(json_app)
    response = json_app.test_client().get("/login", headers={"X-Request-ID": "req-0042"})
    assert response.status_code == 200
    access = [line for line in _lines(json_app) if line["logger"] == "hrfund.access"]
    assert len(access) == 1
    (line,) = access
    assert line["level"] == "INFO"
    assert line["method"] == "GET" and line["path"] == "/login" and line["status"] == 200
    assert line["request_id"] == "req-0042"
    assert "user_id" not in line  # nobody logged in
    assert isinstance(line["duration_ms"], int | float) and line["duration_ms"] >= 0
    assert datetime.fromisoformat(line["time"]).utcoffset().total_seconds() == 0
    assert line["message"] == "GET /login 200"


def test_records_in_a_request_name_the_request_and_the_user(json_app):
    with json_app.app_context():
        hr = factories.user(roles=["hr"])
        _token, plain = create_api_token(hr, hr, "logs")
        _db.session.commit()
        hr_id = hr.id
    _lines(json_app)
    response = json_app.test_client().post(
        "/api/v1/fund/contributions",
        json={"amount_jpy": 1_000_000, "received_on": "2026-11-02"},
        headers={"Authorization": f"Bearer {plain}", "X-Request-ID": "req-audit-1"},
    )
    assert response.status_code == 201
    lines = _lines(json_app)
    audit = [line for line in lines if line["logger"] == "hrfund.core.audit"]
    assert audit, lines
    assert all(line["request_id"] == "req-audit-1" for line in audit)
    assert all(line["user_id"] == hr_id for line in audit)
    assert all(line["method"] == "POST" for line in audit)
    (access,) = [line for line in lines if line["logger"] == "hrfund.access"]
    assert access["status"] == 201 and access["user_id"] == hr_id
    assert access["path"] == "/api/v1/fund/contributions"


def test_a_refused_request_logs_its_final_status(json_app):
    _lines(json_app)
    assert json_app.test_client().get("/api/v1/me").status_code == 401
    (access,) = [line for line in _lines(json_app) if line["logger"] == "hrfund.access"]
    assert access["status"] == 401


def test_records_outside_a_request_are_json_too(json_app):
    _lines(json_app)
    logging.getLogger("hrfund.test").warning("scheduler %s", "started")
    (line,) = _lines(json_app)
    assert line["message"] == "scheduler started" and line["level"] == "WARNING"
    assert "request_id" not in line


def test_text_is_the_default_and_a_typo_is_refused(monkeypatch):
    monkeypatch.delenv("HRFUND_LOG_FORMAT", raising=False)
    assert log_format(Flask(__name__)) == "text"
    monkeypatch.setenv("HRFUND_LOG_FORMAT", "JSON")
    assert log_format(Flask(__name__)) == "json"
    monkeypatch.setenv("HRFUND_LOG_FORMAT", "jsonl")
    with pytest.raises(RuntimeError, match="HRFUND_LOG_FORMAT"):
        log_format(Flask(__name__))
