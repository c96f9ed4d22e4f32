"""Malformed input gets a clear 4xx and changes nothing, never a 500 (issue 17, part 3 and 5).

One or more hand-made cases for each measured cause: ids above 2³¹ (paths, query strings, JSON
bodies), page numbers of 2⁶³, NUL and other control characters (forms, JSON, query strings),
deeply nested JSON, years out of range; and the request id, bidi upload names, CSV headers,
XLSX uploads through the web, and the OpenAPI paths.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hrfund.core.errors import ValidationFailed
from hrfund.core.files import store_upload
from hrfund.extensions import db as _db
from hrfund.org.models import Department
from hrfund.training.models import TrainingRecord
from tests import factories

BIG = [2**31, 2**63, 2**70]


def _departments() -> int:
    return _db.session.scalar(sa.select(sa.func.count(Department.id)))


# ---------------------------------------------------------------- ids out of range


@pytest.mark.parametrize("big", BIG)
def test_ids_above_the_column_range_in_a_path_are_404(login_as, api_as, big):
    page = login_as("hr")
    assert page.get(f"/placements/{big}").status_code == 404
    assert page.get(f"/training/programs/{big}/edit").status_code == 404
    api = api_as("hr")
    response = api.get(f"/api/v1/placements/{big}", headers=api.headers)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    response = api.post(f"/api/v1/placements/{big}/cancel", json={}, headers=api.headers)
    assert response.status_code == 404


def test_ids_out_of_range_in_a_json_body_are_not_found(api_as):
    employee = api_as("employee")
    for big in BIG:
        response = employee.post(
            "/api/v1/applications", json={"call_id": big}, headers=employee.headers
        )
        assert response.status_code == 404, response.json
        assert "call_id" in response.json["error"]["fields"]


def test_ids_out_of_range_in_a_query_string_are_no_500(login_as, api_as):
    hr = login_as("hr")
    for big in BIG:
        assert hr.get(f"/reminders/deliveries?rule_id={big}").status_code in (200, 404)
        assert hr.get(f"/fund/ledger?placement_id={big}").status_code in (200, 400, 404)
    api = api_as("hr")
    for big in BIG:
        response = api.get(f"/api/v1/training/records?user={big}", headers=api.headers)
        assert response.status_code in (400, 404), response.json


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize("page", ["9223372036854775808", "1000001", "99" * 20])
def test_huge_page_numbers_are_a_clear_400_in_the_api(api_as, page):
    api = api_as("hr")
    response = api.get(f"/api/v1/cities?page={page}", headers=api.headers)
    assert response.status_code == 400
    assert "page" in response.json["error"]["fields"]


def test_huge_page_numbers_show_the_last_page_on_a_page(login_as):
    admin = login_as("admin")
    response = admin.get("/admin/users?page=9223372036854775808&per_page=100000")
    assert response.status_code == 200
    assert admin.user.email.encode() in response.data  # the last (only) page, not an empty one


# ---------------------------------------------------------------- control characters


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "esc\x1b[31m"])
def test_control_characters_in_a_json_body_are_a_field_error(api_as, text):
    admin = api_as("admin")
    before = _departments()
    response = admin.post(
        "/api/v1/departments",
        json={"code": "NUL1", "name_en": text, "name_ja": "部"},
        headers=admin.headers,
    )
    assert response.status_code == 400
    assert "name_en" in response.json["error"]["fields"]
    assert _departments() == before


def test_tabs_and_newlines_are_text(api_as):
    admin = api_as("admin")
    response = admin.post(
        "/api/v1/departments",
        json={"code": "TAB1", "name_en": "Line one\r\n\tline two", "name_ja": "部"},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.json


def test_control_characters_in_a_form_are_a_field_error_and_store_nothing(login_as):
    admin = login_as("admin")
    before = _departments()
    response = admin.post(
        "/departments/new",
        data={"code": "NUL2", "name_en": "a\x00b", "name_ja": "部", "level": "bureau"},
    )
    assert response.status_code in (200, 400, 422)
    assert b"control characters" in response.data
    assert _departments() == before


def test_control_characters_in_a_query_string_are_refused(login_as, api_as):
    api = api_as("hr")
    response = api.get("/api/v1/cities?q=a%00b", headers=api.headers)
    assert response.status_code == 400
    assert "q" in response.json["error"]["fields"]
    assert login_as("hr").get("/talent?q=a%00b").status_code == 400


def test_huge_numbers_in_a_form_are_a_field_error(login_as):
    hr = login_as("hr")
    response = hr.post(
        "/training/programs/new",
        data={
            "title_en": "T",
            "title_ja": "T",
            "category": "language",
            "hours": "1" + "0" * 30,
        },
    )
    assert response.status_code in (200, 400, 422)
    assert b"Enter a smaller number" in response.data


# ---------------------------------------------------------------- JSON nesting


@pytest.mark.parametrize("depth", [33, 100_000])
def test_deeply_nested_json_is_a_400_in_the_api_error_format(api_as, depth):
    employee = api_as("employee")
    body = "[" * depth + "]" * depth
    response = employee.post(
        "/api/v1/applications",
        data=body,
        content_type="application/json",
        headers=employee.headers,
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "validation_failed"
    assert "nests too deeply" in response.json["error"]["message"]


def test_json_nesting_within_the_limit_and_brackets_in_strings_are_fine(api_as):
    admin = api_as("admin")
    response = admin.post(
        "/api/v1/departments",
        json={"code": "BRK1", "name_en": "[" * 200, "name_ja": "部", "x": [[[[1]]]]},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.json


# ---------------------------------------------------------------- years


@pytest.mark.parametrize("year", ["99999", "0", "1999", "2200", "2026.5", "-1", "²⁰²⁶", "1e4"])
def test_years_out_of_range_are_a_clear_400(login_as, api_as, year):
    hr = login_as("hr")
    assert hr.get(f"/placements/timeline?fiscal_year={year}").status_code == 400
    api = api_as("hr")
    assert (
        api.get(f"/api/v1/fund/summary?fiscal_year={year}", headers=api.headers).status_code == 400
    )


def test_a_year_in_range_shows_the_timeline(login_as):
    hr = login_as("hr")
    assert hr.get("/placements/timeline?fiscal_year=2030").status_code == 200
    assert hr.get("/placements/timeline?fiscal_year=２０３０").status_code == 200


# ---------------------------------------------------------------- part 5


@pytest.mark.parametrize("sent", ["abc\n", "-", "a" * 65, "x y z 123", "<script>alert</script>"])
def test_a_malformed_request_id_is_replaced(client, sent):
    response = client.get("/login", environ_overrides={"HTTP_X_REQUEST_ID": sent})
    assert response.headers["X-Request-ID"] != sent
    assert len(response.headers["X-Request-ID"]) == 32


@pytest.mark.parametrize(
    "sent",
    [
        "3f2b8c1e-9a4d-4e7b-8c2a-5d6e7f809a1b",
        "3f2b8c1e9a4d4e7b8c2a5d6e7f809a1b",
        "req-2026.12.01_0001",
    ],
)
def test_a_well_formed_request_id_is_kept(client, sent):
    assert client.get("/login", headers={"X-Request-ID": sent}).headers["X-Request-ID"] == sent


@pytest.mark.parametrize("name", ["cv\u202efdp.pdf", "a\u2066b.pdf", "x\u200f.pdf"])
def test_upload_names_with_bidirectional_controls_are_refused(db, name):
    with pytest.raises(ValidationFailed) as refused:
        store_upload(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), name, kinds=["pdf"])
    assert "file" in refused.value.fields


def test_csv_exports_are_not_cached_and_name_their_charset_once(login_as):
    response = login_as("hr").get("/fund/ledger.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response.headers["Cache-Control"]
    xlsx = login_as("hr").get("/fund/ledger.xlsx")
    assert xlsx.status_code == 200 and "no-store" in xlsx.headers["Cache-Control"]


def test_an_xlsx_upload_through_the_web_imports(login_as):
    from openpyxl import Workbook

    from hrfund.training import services as training

    training.create_program(
        None,
        title_en="Web XLSX",
        title_ja="ウェブ",
        category="language",
        hours=Decimal(2),
        code="XL-1",
    )
    factories.user(employee_number="XL001")
    _db.session.commit()
    workbook = Workbook()
    workbook.active.append(["employee_number", "program", "completed_on"])
    workbook.active.append(["XL001", "XL-1", "2025-06-01"])
    body = io.BytesIO()
    workbook.save(body)
    body.seek(0)
    hr = login_as("hr")
    response = hr.post(
        "/training/imports/new",
        data={"file": (body, "records.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.data[:2000]
    batch_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    step = hr.post(f"/training/imports/{batch_id}/step", headers={"Accept": "application/json"})
    assert step.json["status"] == "valid", step.json
    hr.post(f"/training/imports/{batch_id}/import")
    assert _db.session.scalar(sa.select(sa.func.count(TrainingRecord.id))) == 1


def test_openapi_paths_use_openapi_syntax(client):
    document = client.get("/api/v1/openapi.json").json
    assert not [p for p in document["paths"] if "<" in p or ">" in p]
    action = document["paths"]["/calls/{call_id}/{action}"]["post"]["parameters"]
    assert {
        "name": "action",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": ["open", "close", "decide"]},
    } in action
