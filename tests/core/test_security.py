"""Security headers, production settings, error pages without internals."""

from __future__ import annotations

import itertools

import pytest

from hrfund import create_app


@pytest.fixture(autouse=True)
def _instance_folder(monkeypatch, tmp_path):
    # production's default instance folder is /var/lib/hrfund: keep these apps in tmp_path
    monkeypatch.setenv("HRFUND_INSTANCE_PATH", str(tmp_path / "instance"))


HEADER_CHECKS = 8  # the four CSP directives, no unsafe-inline, nosniff, a referrer policy, an id


def test_security_headers_on_pages_and_api(client, login_as):
    """Every kind of response carries the headers: pages, the API, static files, errors, and
    pages behind the login; prints the figures (docs/assurance.md)."""
    hr = login_as("hr")
    responses = [(path, client.get(path)) for path in ("/login", "/api/v1/openapi.json")]
    responses += [(path, client.get(path)) for path in ("/static/css/app.css", "/no/such/page")]
    responses += [("/api/v1/me (anonymous)", client.get("/api/v1/me"))]
    responses += [(path, hr.get(path)) for path in ("/", "/admin/users", "/placements")]
    missing = []
    for path, response in responses:
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        checks = [
            *(
                directive in csp
                for directive in (
                    "object-src 'none'",
                    "base-uri 'none'",
                    "frame-ancestors 'none'",
                    "script-src 'self'",
                )
            ),
            "unsafe-inline" not in csp,
            headers.get("X-Content-Type-Options") == "nosniff",
            bool(headers.get("Referrer-Policy")),
            bool(headers.get("X-Request-ID")),
        ]
        assert len(checks) == HEADER_CHECKS
        missing += [
            f"{path} ({response.status_code}): check {n}" for n, ok in enumerate(checks) if not ok
        ]
        assert "Strict-Transport-Security" not in headers  # only in production (below)
    print(
        f"\nsecurity headers: {len(responses)} responses × {HEADER_CHECKS} checks = "
        f"{len(responses) * HEADER_CHECKS}, {len(missing)} missing"
    )
    assert not missing, missing


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


def _production_app(monkeypatch, tmp_path):
    """The production configuration on a migrated SQLite file, with one employee."""
    from flask_migrate import upgrade

    from hrfund.extensions import db
    from tests import factories

    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    with app.app_context():
        upgrade(revision="heads")
        user = factories.user(["hr", "employee"], email="cookie.hr@metro.tokyo.example")
        db.session.commit()
        email = user.email
        db.session.remove()
    return app, email


def _token(page: bytes) -> str:
    return page.decode().split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_production_cookies_hsts_and_csrf_on_every_form(monkeypatch, tmp_path):
    """Production, over HTTPS: each cookie a log-in sets is Secure, HttpOnly and SameSite; every
    form route (every POST outside the API) and every API write with the session cookie is
    refused (400) without the CSRF token, with nothing recorded; prints the figures."""
    import sqlalchemy as sa
    from flask import url_for

    from hrfund.core.audit import AuditEvent
    from hrfund.extensions import db
    from tests.factories import TEST_PASSWORD

    app, email = _production_app(monkeypatch, tmp_path)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert not app.debug
    browser = app.test_client()
    # over HTTPS Flask-WTF also wants the Referer: give it, so that only the token is missing
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/login"}}
    page = browser.get("/login", **https)
    assert "max-age=" in page.headers["Strict-Transport-Security"]
    login = browser.post(
        "/login",
        data={"email": email, "password": TEST_PASSWORD, "csrf_token": _token(page.data)},
        **https,
    )
    assert login.status_code == 302, login.data[:300]
    cookies = page.headers.getlist("Set-Cookie") + login.headers.getlist("Set-Cookie")
    weak = [
        cookie.split("=")[0]
        for cookie in cookies
        if not {"Secure", "HttpOnly"} <= {part.strip() for part in cookie.split(";")}
        or "SameSite=Lax" not in cookie
        and "SameSite=Strict" not in cookie
    ]
    names = sorted({cookie.split("=")[0] for cookie in cookies})
    print(
        f"\ncookies: {len(cookies)} set by the login page and a log-in ({', '.join(names)}), "
        f"{len(cookies) - len(weak)} Secure + HttpOnly + SameSite, {len(weak)} not"
    )
    assert not weak and "session" in names

    with app.test_request_context():
        urls = {"form": [], "api": []}
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods:
                continue
            choices = {  # each item of an any(...) part, else an id
                name: sorted(getattr(rule._converters.get(name), "items", None) or [1])
                for name in sorted(rule.arguments)
            }
            for values in itertools.product(*choices.values()):
                url = url_for(rule.endpoint, **dict(zip(choices, values, strict=True)))
                urls["api" if url.startswith("/api/") else "form"].append(url)
    with app.app_context():
        events = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
        db.session.remove()
    wrong = []
    for kind, kind_urls in urls.items():
        for url in kind_urls:
            response = (
                browser.post(url, data={"name": "x"}, **https)
                if kind == "form"
                else browser.post(url, json={"name": "x"}, **https)
            )
            if response.status_code != 400:
                wrong.append(f"{url}: {response.status_code}")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events
        db.session.remove()
    assert browser.get("/api/v1/me", **https).status_code == 200  # still logged in
    print(
        f"CSRF: {len(urls['form'])} form routes and {len(urls['api'])} API writes with the "
        f"session cookie and no token, {len(urls['form']) + len(urls['api']) - len(wrong)} "
        f"refused (400), {len(wrong)} not; nothing recorded"
    )
    assert not wrong, wrong


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
