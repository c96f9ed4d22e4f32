"""Security headers, production settings, error pages without internals."""

from __future__ import annotations

import pytest

from hrfund import create_app


@pytest.fixture(autouse=True)
def _instance_folder(monkeypatch, tmp_path):
    # production's default instance folder is /var/lib/hrfund: keep these apps in tmp_path
    monkeypatch.setenv("HRFUND_INSTANCE_PATH", str(tmp_path / "instance"))


def test_security_headers_on_pages_and_api(client):
    for path in ("/login", "/api/v1/openapi.json", "/static/css/app.css"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        for directive in (
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "script-src 'self'",
        ):
            assert directive in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]
        assert headers["X-Request-ID"]
        assert "Strict-Transport-Security" not in headers


def test_pages_have_no_inline_scripts(client):
    html = client.get("/login").data.decode()
    assert "<script>" not in html and "onclick=" not in html
    for chunk in html.split("<script")[1:]:
        assert 'src="' in chunk.split(">")[0]
    assert "cdn" not in html.lower()


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})


def test_production_cookies_and_hsts(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert not app.debug
    response = app.test_client().get("/login")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_errors_show_no_stack_trace_outside_development(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom", headers={"Accept-Language": "en"})
    body = response.data.decode()
    assert response.status_code == 500
    assert "secret internals" not in body and "Traceback" not in body
    assert "Reference:" in body


def test_404_and_403_pages(db, login_as, client):
    assert client.get("/no/such/page").status_code == 404
    employee = login_as("employee")
    response = employee.get("/admin/users")
    assert response.status_code == 403
    assert b"You do not have permission" in response.data
