"""Behind HRFUND_PROXY_HOPS trusted proxies the client is the forwarded one: for the app, the
limiter and the session records; with 0, forwarded headers are anyone's to forge and ignored."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import jsonify, request

from hrfund.auth.models import UserSession
from hrfund.config import ProductionConfig, get_config
from hrfund.extensions import db as _db
from hrfund.extensions import limiter
from tests import factories
from tests.conftest import TEST_PASSWORD, make_app

PROXY = "10.20.30.40"  # the socket address: the proxy in front of the app


def _probe_app(tmp_path_factory, hops: int):
    app, cleanup = make_app(
        "sqlite", tmp_path_factory.mktemp(f"hops{hops}"), RATELIMIT_ENABLED=True, PROXY_HOPS=hops
    )

    @app.route("/_probe")
    @limiter.limit("2 per minute")
    def probe():
        return jsonify(addr=request.remote_addr, scheme=request.scheme, host=request.host)

    return app, cleanup


@pytest.fixture(scope="module")
def behind_one_proxy(tmp_path_factory):
    app, cleanup = _probe_app(tmp_path_factory, 1)
    yield app
    if cleanup:
        cleanup()


@pytest.fixture(scope="module")
def direct(tmp_path_factory):
    app, cleanup = _probe_app(tmp_path_factory, 0)
    yield app
    if cleanup:
        cleanup()


def _get(app, forwarded_for: str, **headers):
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = PROXY
    return c.get("/_probe", headers={"X-Forwarded-For": forwarded_for, **headers})


def test_the_forwarded_client_is_the_client(behind_one_proxy):
    limiter.reset()
    response = _get(
        behind_one_proxy,
        "198.51.100.1, 203.0.113.7",  # the first value is the client's to forge: not trusted
        **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hrfund.metro.tokyo.example"},
    )
    assert response.get_json() == {
        "addr": "203.0.113.7",
        "scheme": "https",
        "host": "hrfund.metro.tokyo.example",
    }


def test_the_limiter_counts_each_forwarded_client(behind_one_proxy):
    limiter.reset()
    assert [_get(behind_one_proxy, "203.0.113.7").status_code for _ in range(3)] == [200, 200, 429]
    # someone else in the same office, through the same proxy, is not held back
    assert _get(behind_one_proxy, "203.0.113.8").status_code == 200


def test_without_trusted_proxies_forwarded_headers_are_ignored(direct):
    limiter.reset()
    response = _get(direct, "203.0.113.7", **{"X-Forwarded-Proto": "https"})
    assert response.get_json()["addr"] == PROXY
    assert response.get_json()["scheme"] == "http"
    # a forged header does not buy a fresh quota
    assert _get(direct, "203.0.113.8").status_code == 200
    assert _get(direct, "203.0.113.9").status_code == 429


def test_the_login_session_records_the_forwarded_address(behind_one_proxy):
    with behind_one_proxy.app_context():
        user = factories.user(roles=["employee"])
        _db.session.commit()
        email, user_id = user.email, user.id
    c = behind_one_proxy.test_client()
    c.environ_base["REMOTE_ADDR"] = PROXY
    response = c.post(
        "/login",
        data={"email": email, "password": TEST_PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.50"},
    )
    assert response.status_code == 302
    with behind_one_proxy.app_context():
        ips = _db.session.scalars(sa.select(UserSession.ip).where(UserSession.user_id == user_id))
        assert list(ips) == ["203.0.113.50"]


def test_proxy_hops_from_the_environment(monkeypatch):
    monkeypatch.setenv("HRFUND_PROXY_HOPS", "2")
    assert get_config("production").from_environment()["PROXY_HOPS"] == 2
    for bad in ("-1", "one"):
        monkeypatch.setenv("HRFUND_PROXY_HOPS", bad)
        with pytest.raises(RuntimeError, match="HRFUND_PROXY_HOPS"):
            get_config("production").from_environment()


def test_production_instance_folder_is_outside_the_virtualenv(monkeypatch, tmp_path):
    monkeypatch.delenv("HRFUND_INSTANCE_PATH", raising=False)
    assert ProductionConfig.instance_path() == "/var/lib/hrfund"
    assert get_config("development").instance_path() is None  # a checkout: instance/
    monkeypatch.setenv("HRFUND_INSTANCE_PATH", str(tmp_path / "state"))
    assert ProductionConfig.instance_path() == str(tmp_path / "state")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    from hrfund import create_app

    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    assert app.instance_path == str(tmp_path / "state")
    assert (tmp_path / "state").is_dir()
