"""The OpenAPI document is generated from the routes' schemas, and the same schemas validate
input: API.md's error format in the reader's language, enums in any case, integers as digits."""

from __future__ import annotations

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator

from hrfund.api.openapi import API_PREFIX, openapi_path
from tests import factories

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json


def test_the_document_passes_openapi_spec_validator(document):
    errors = [e.message for e in OpenAPIV30SpecValidator(document).iter_errors()]
    assert errors == []


def _api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield method.lower(), openapi_path(rule.rule[len(API_PREFIX) :]), rule


def test_every_api_route_is_documented_with_a_response_schema(app, document):
    missing, without_schema = [], []
    for method, path, rule in _api_routes(app):
        operation = document["paths"].get(path, {}).get(method)
        if operation is None:
            missing.append(f"{method} {rule.rule}")
            continue
        success = [r for code, r in operation["responses"].items() if code.startswith("2")]
        if not success or not all(r.get("content", {}).get("application/json") for r in success):
            without_schema.append(f"{method} {rule.rule}")
    assert not missing, missing
    assert not without_schema, without_schema
    assert len(document["paths"]) >= 40


def test_every_error_response_is_the_error_component(document):
    responses = document["components"]["responses"]
    schemas = document["components"]["schemas"]
    assert set(schemas["Error"]["properties"]) == {"error"}
    assert set(schemas["ErrorBody"]["properties"]) == {"status", "code", "message", "fields"}
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            errors = {c: r for c, r in operation["responses"].items() if not c.startswith("2")}
            if path != "/openapi.json":
                assert {"default", "401"} <= set(errors), f"{method} {path}"
            if "{" in path:
                assert "404" in errors, f"{method} {path}"
            if method != "get":
                assert {"403", "409"} <= set(errors), f"{method} {path}"
            for code, response in errors.items():
                name = response["$ref"].rsplit("/", 1)[-1]
                schema = responses[name]["content"]["application/json"]["schema"]
                assert schema == {"$ref": ERROR_REF}, f"{method} {path} {code}"
                checked += 1
    assert checked > 40


def test_request_bodies_and_queries_come_from_schemas(document):
    body = document["paths"]["/calls"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"] == "#/components/schemas/CallIn"
    call_in = document["components"]["schemas"]["CallIn"]
    assert {"fiscal_year", "opens_on", "closes_on"} <= set(call_in["required"])
    assert {"title", "title_ja", "title_en"} <= set(call_in["properties"])  # a title in either
    assert call_in["properties"]["fiscal_year"]["type"] == "integer"
    score_in = document["components"]["schemas"]["ScoreIn"]
    assert "ielts" in score_in["properties"]["test"]["enum"]
    entries = {p["name"]: p for p in document["paths"]["/fund/entries"]["get"]["parameters"]}
    assert entries["per_page"]["schema"]["maximum"] == 200
    assert entries["placement_id"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 2**31 - 1,
    }


def test_refused_fields_answer_in_the_readers_language(api_as):
    for locale, top, field in (
        ("en", "Some fields are not valid.", "Enter a date as YYYY-MM-DD."),
        ("ja", "入力に誤りのある項目があります。", "日付は YYYY-MM-DD の形式で入力してください。"),
    ):
        hr = api_as("hr", locale=locale)
        response = hr.post(
            "/api/v1/fund/contributions",
            json={"amount_jpy": "ten", "received_on": "May", "memo": 5},
            headers=hr.headers,
        )
        assert response.status_code == 400
        error = response.json["error"]
        assert error["status"] == 400 and error["code"] == "validation_failed"
        assert error["message"] == top
        assert set(error["fields"]) == {"amount_jpy", "received_on", "memo"}
        assert error["fields"]["received_on"] == [field]
        missing = hr.post("/api/v1/fund/contributions", json={}, headers=hr.headers).json
        assert set(missing["error"]["fields"]) == {"amount_jpy", "received_on"}
        if locale == "ja":
            assert all(not m.isascii() for ms in missing["error"]["fields"].values() for m in ms)


def test_nested_fields_are_named_by_their_path(api_as):
    factories.city("SEL")
    hr = api_as("hr")
    response = hr.post(
        "/api/v1/calls",
        json={
            "title": "FY2026",
            "fiscal_year": 2026,
            "opens_on": "2026-04-01",
            "closes_on": "2026-05-01",
            "slots": [{"city": "SEL", "positions": "two"}],
            "rules": {"language": {"test": "klingon", "min_score": "6"}},
        },
        headers=hr.headers,
    )
    assert response.status_code == 400
    assert set(response.json["error"]["fields"]) == {"slots[0].positions", "rules.language.test"}


def test_enum_values_are_taken_in_any_case(api_as):
    employee = api_as("employee")
    response = employee.post(
        "/api/v1/language-scores",
        json={"test": "IELTS", "score": "6.5", "taken_on": "2026-04-01"},
        headers=employee.headers,
    )
    assert response.status_code == 201, response.json
    assert response.json["test"] == "ielts"
    listed = employee.get("/api/v1/fund/summary", headers=employee.headers)
    assert listed.status_code == 403  # the schema does not come before the role
    hr = api_as("hr")
    assert hr.get("/api/v1/fund/entries?kind=Contribution", headers=hr.headers).status_code == 200


def test_integer_fields_take_digits_alike(api_as):
    factories.city("SEL")
    hr = api_as("hr")
    body = {
        "title": "Digits",
        "opens_on": "2026-04-01",
        "closes_on": "2026-05-01",
        "slots": [{"city": "SEL", "positions": 1, "months": 6, "estimated_cost_jpy": 1000}],
    }
    as_number = hr.post("/api/v1/calls", json=body | {"fiscal_year": 2026}, headers=hr.headers)
    as_text = hr.post("/api/v1/calls", json=body | {"fiscal_year": "2026"}, headers=hr.headers)
    assert (as_number.status_code, as_text.status_code) == (201, 201), as_text.json
    assert as_text.json["fiscal_year"] == 2026
    employee = api_as("employee")
    for call_id in (999_999, "999999"):
        response = employee.post(
            "/api/v1/applications", json={"call_id": call_id}, headers=employee.headers
        )
        assert response.status_code == 404, response.json
    for bad in ("1.5", 1.5, True, "一"):
        response = employee.post(
            "/api/v1/applications", json={"call_id": bad}, headers=employee.headers
        )
        assert response.status_code == 400, (bad, response.json)
        assert "call_id" in response.json["error"]["fields"]
