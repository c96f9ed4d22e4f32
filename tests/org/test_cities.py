"""Partner cities and departments: rules, pages and API."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hrfund.core.audit import AuditEvent
from hrfund.core.errors import ValidationFailed
from hrfund.org import services
from hrfund.org.models import Department, PartnerCity
from tests import factories

SEOUL = {
    "code": "SEL",
    "name_en": "Seoul",
    "name_ja": "ソウル",
    "country": "KR",
    "timezone": "Asia/Seoul",
    "currency": "KRW",
    "relationship": "sister",
    "since": "1988-09-03",
}


def test_api_creates_a_city_and_audits_it(db, api_as):
    c = api_as("hr")
    response = c.post("/api/v1/cities", json=SEOUL, headers=c.headers)
    assert response.status_code == 201, response.json
    assert response.json == {**SEOUL, "cooperation_areas": [], "active": True}
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "city.create"))
    assert event.actor_id == c.user.id and event.object_type == "partner_cities"
    assert event.request_id


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("country", "XX", "ISO 3166"),
        ("timezone", "Asia/Atlantis", "IANA"),
        ("currency", "ABC", "ISO 4217"),
        ("relationship", "rival", "relationships"),
        ("code", "s1", "capital letters"),
        ("since", "03/09/1988", "YYYY-MM-DD"),
    ],
)
def test_api_rejects_bad_fields_and_writes_nothing(db, api_as, field, value, message):
    c = api_as("admin")
    response = c.post("/api/v1/cities", json={**SEOUL, field: value}, headers=c.headers)
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"] and message in " ".join(error["fields"][field])
    assert db.session.scalar(sa.select(sa.func.count(PartnerCity.id))) == 0


def test_api_duplicate_code_is_a_field_error(db, api_as):
    c = api_as("hr")
    assert c.post("/api/v1/cities", json=SEOUL, headers=c.headers).status_code == 201
    response = c.post("/api/v1/cities", json=SEOUL, headers=c.headers)
    assert response.status_code == 400 and "code" in response.json["error"]["fields"]


def test_api_city_list_is_paginated(db, api_as):
    for code in ("SEL", "BER", "BKK"):
        factories.city(code)
    db.session.commit()
    c = api_as("coordinator")
    body = c.get("/api/v1/cities?per_page=2", headers=c.headers).json
    assert body["total"] == 3 and body["per_page"] == 2 and len(body["items"]) == 2
    assert [i["code"] for i in body["items"]] == ["BER", "BKK"]
    body = c.get("/api/v1/cities?per_page=2&page=2", headers=c.headers).json
    assert [i["code"] for i in body["items"]] == ["SEL"]
    assert c.get("/api/v1/cities?per_page=500", headers=c.headers).status_code == 400


def test_city_page_form_keeps_input_on_error(db, login_as):
    c = login_as("hr")
    response = c.post("/cities/new", data={**SEOUL, "timezone": "Seoul", "name_ja": "ソウル特別市"})
    assert response.status_code == 422
    assert "ソウル特別市".encode() in response.data
    assert b"IANA" in response.data
    assert db.session.scalar(sa.select(sa.func.count(PartnerCity.id))) == 0


def test_city_edit_records_changes(db, login_as):
    c = login_as("hr")
    factories.city("BER")
    db.session.commit()
    response = c.post(
        "/cities/BER/edit",
        data={
            "code": "BER",
            "name_en": "Berlin",
            "name_ja": "ベルリン",
            "country": "DE",
            "timezone": "Europe/Berlin",
            "currency": "EUR",
            "relationship": "sister",
            "since": "1994-05-14",
            "cooperation_areas": ["environment", "arts_culture"],
            "active": "y",
        },
    )
    assert response.status_code == 302
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "city.update")
    ).one()
    assert "cooperation_areas" in event.changes and "since" in event.changes


def test_concrete_relations_count_toward_the_target(db, login_as):
    factories.city("SEL")  # sister
    factories.city("BKK")  # memorandum
    factories.city("XYZ")  # other
    services.update_city(None, factories.city("BER"), active=False)
    db.session.commit()
    assert services.concrete_relation_count() == 2
    page = login_as("employee").get("/cities")
    assert b"2 of the target of 30" in page.data


def test_departments_nest_and_refuse_cycles(db):
    bureau = factories.department("GA", level="bureau")
    child = factories.department("GA-PER", parent=bureau)
    with pytest.raises(ValidationFailed) as refused:
        services.update_department(None, bureau, parent=child)
    assert "parent" in refused.value.fields


def test_department_api(db, api_as):
    admin = api_as("admin")
    response = admin.post(
        "/api/v1/departments",
        headers=admin.headers,
        json={
            "code": "GOV",
            "name_en": "Office of the Governor for Policy Planning",
            "name_ja": "政策企画局",
            "level": "bureau",
        },
    )
    assert response.status_code == 201
    response = admin.post(
        "/api/v1/departments",
        headers=admin.headers,
        json={
            "code": "GOV-INT",
            "name_en": "International Affairs",
            "name_ja": "外務部",
            "parent": "GOV",
        },
    )
    assert response.status_code == 201 and response.json["parent"] == "GOV"
    response = admin.post(
        "/api/v1/departments",
        headers=admin.headers,
        json={"code": "X1", "name_en": "x", "name_ja": "x", "parent": "NOPE"},
    )
    assert response.status_code == 400 and "parent" in response.json["error"]["fields"]
    listing = admin.get("/api/v1/departments", headers=admin.headers).json
    assert [d["code"] for d in listing["items"]] == ["GOV", "GOV-INT"]
    hr = api_as("hr")
    assert (
        hr.post(
            "/api/v1/departments",
            headers=hr.headers,
            json={"code": "Z9", "name_en": "z", "name_ja": "z"},
        ).status_code
        == 403
    )
    assert (
        db.session.scalar(sa.select(sa.func.count(Department.id)).where(Department.code == "Z9"))
        == 0
    )


def test_department_page_create_and_edit(db, login_as):
    c = login_as("admin")
    response = c.post(
        "/departments/new",
        data={
            "code": "env-clm",
            "name_ja": "気候変動対策部",
            "name_en": "Climate Change",
            "level": "department",
        },
    )
    assert response.status_code == 302
    dept = db.session.scalar(sa.select(Department).where(Department.code == "ENV-CLM"))
    assert dept is not None
    response = c.post(
        "/departments/ENV-CLM/edit",
        data={
            "code": "ENV-CLM",
            "name_ja": "気候変動対策部",
            "name_en": "Climate Change Policy",
            "level": "department",
        },
    )
    assert response.status_code == 302
    assert b"Climate Change Policy" in c.get("/departments").data
