"""The API skeleton: auth, error format, pagination, CSRF for cookie sessions, OpenAPI."""

from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import TEST_PASSWORD, make_app


def test_no_token_is_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["error"] == {
        "status": 401,
        "code": "unauthorized",
        "message": "Log in to continue.",
    }


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer hrf_wrong", "Basic abc", "Bearer "])
def test_bad_token_is_401(client, header):
    assert client.get("/api/v1/me", headers={"Authorization": header}).status_code == 401


def test_me(db, api_as):
    c = api_as("coordinator", city_code="BER")
    body = c.get("/api/v1/me", headers=c.headers).json
    assert body["email"] == c.user.email and body["roles"] == ["coordinator"]
    assert body["city"] == "BER" and body["departments"] == []


def test_manager_me_lists_departments(db, api_as):
    c = api_as("manager")
    body = c.get("/api/v1/me", headers=c.headers).json
    assert body["departments"] == [c.user.department.code]


@pytest.mark.parametrize(
    "body,content_type",
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ("code=SEL", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_json_is_400(db, api_as, body, content_type):
    c = api_as("hr")
    response = c.post("/api/v1/cities", data=body, content_type=content_type, headers=c.headers)
    assert response.status_code == 400
    assert response.json["error"]["status"] == 400


def test_unknown_api_path_is_json_404(db, api_as):
    c = api_as("hr")
    response = c.get("/api/v1/nothing-here", headers=c.headers)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_method_not_allowed_is_json(db, api_as):
    c = api_as("hr")
    response = c.delete("/api/v1/me", headers=c.headers)
    assert response.status_code == 405 and response.json["error"]["code"] == "method_not_allowed"


def test_openapi_describes_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        from hrfund.api.openapi import openapi_path

        path = openapi_path(rule.rule[len("/api/v1") :])
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            if method.lower() not in spec["paths"].get(path, {}):
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"API routes without an OpenAPI description: {missing}"


@pytest.fixture(scope="module")
def csrf_app(tmp_path_factory):
    app, cleanup = make_app("sqlite", tmp_path_factory.mktemp("csrf"), WTF_CSRF_ENABLED=True)
    yield app
    if cleanup:
        cleanup()


def test_cookie_session_needs_csrf_on_api_writes_but_bearer_does_not(csrf_app):
    from hrfund.auth.services import create_api_token
    from hrfund.extensions import db

    with csrf_app.app_context():
        user = factories.user(["hr"], email="csrf.hr@metro.tokyo.example")
        _token, plain = create_api_token(user, user, "t")
        db.session.commit()
    browser = csrf_app.test_client()
    page = browser.get("/login").data.decode()
    csrf_token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = browser.post(
        "/login",
        data={
            "email": "csrf.hr@metro.tokyo.example",
            "password": TEST_PASSWORD,
            "csrf_token": csrf_token,
        },
    )
    assert response.status_code == 302
    city = {
        "code": "BER",
        "name_en": "Berlin",
        "name_ja": "ベルリン",
        "country": "DE",
        "timezone": "Europe/Berlin",
        "currency": "EUR",
        "relationship": "sister",
    }
    assert browser.post("/api/v1/cities", json=city).status_code == 400
    assert browser.get("/api/v1/me").status_code == 200
    api = csrf_app.test_client()
    assert (
        api.post(
            "/api/v1/cities", json=city, headers={"Authorization": f"Bearer {plain}"}
        ).status_code
        == 201
    )
    # and a page form without its token is refused with a clear message
    response = browser.post("/profile/tokens", data={"name": "x"})
    assert response.status_code == 400 and b"expired" in response.data
