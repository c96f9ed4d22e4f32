"""The audit log is append-only, filterable and paginated."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from hrfund.core.audit import AuditEvent, record_event
from tests import factories


def test_database_refuses_update_and_delete_of_audit_events(db):
    event = record_event(None, "test.event", object_type="thing", object_id=1)
    db.session.commit()
    for statement in (
        sa.update(AuditEvent).where(AuditEvent.id == event.id).values(comment="rewritten history"),
        sa.delete(AuditEvent).where(AuditEvent.id == event.id),
    ):
        nested = db.session.begin_nested()
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(statement)
        nested.rollback()
    db.session.expire_all()
    assert db.session.get(AuditEvent, event.id).comment is None


def test_audit_page_filters_and_paginates(db, login_as):
    auditor = login_as("auditor")
    for i in range(30):
        record_event(None, "city.update", object_type="partner_cities", object_id=i)
    record_event(None, "user.update", object_type="users", object_id=7, comment="宛先変更")
    db.session.commit()
    page = auditor.get("/audit?object_type=users").data.decode()
    assert "宛先変更" in page and "partner_cities" not in page.split("<tbody>")[1]
    first = auditor.get("/audit?object_type=partner_cities").data.decode()
    assert "Page 1 of 2" in first
    empty = auditor.get("/audit?action=nothing.like.this").data.decode()
    assert "No audit events match." in empty


def test_audit_api_filters_by_object(db, api_as):
    c = api_as("hr")
    city = factories.city("SEL")
    db.session.commit()
    body = c.get(
        f"/api/v1/audit?object_type=partner_cities&object_id={city.id}", headers=c.headers
    ).json
    assert body["total"] == 1
    item = body["items"][0]
    assert item["action"] == "city.create" and item["object_id"] == str(city.id)
    assert item["at"].endswith("+00:00")


def test_auditor_changes_nothing(db, api_as, login_as):
    c = api_as("auditor")
    assert c.post("/api/v1/cities", json={}, headers=c.headers).status_code == 403
    page = login_as("auditor")
    assert page.post("/cities/new", data={}).status_code == 403


def test_actor_filter_takes_percent_and_underscore_literally(db):
    from hrfund.core.audit import audit_query

    literal = factories.user(email="ta_naka@metro.tokyo.example")
    other = factories.user(email="taxnaka@metro.tokyo.example")
    for actor in (literal, other):
        record_event(actor, "test.event", object_type="test", object_id=actor.id)
    db.session.flush()

    def actors(text):
        stmt = audit_query(action="test.event", actor=text)
        return {e.actor_id for e in db.session.scalars(stmt)}

    assert actors("ta_naka") == {literal.id}
    assert actors("%") == set()
    assert actors("TAXNAKA") == {other.id}
