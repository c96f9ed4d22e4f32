"""Nominations are for HR, auditors and the nominating city's coordinator. The routes check the
role; ``nominations_visible_to`` is the scope every other reader goes through, and gives anyone
else nothing — an employee, or a coordinator account whose city is not set (found by
`make mutation`: no test failed when its last filter was removed)."""

from __future__ import annotations

from hrfund.placements.nominations import nominations_visible_to
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.placements.test_scope_and_pages import _api


def test_the_scope_gives_nobody_else_a_nomination(app, db, world):
    nomination = world.nominate()
    db.session.commit()
    cityless = factories.user(["coordinator"], city_code="SEL")
    cityless.city_id = None
    for reader in (world.employee, world.other_employee, cityless):
        assert db.session.scalars(nominations_visible_to(reader)).all() == [], reader.email
    for reader in (world.hr, world.auditor, world.seoul_coordinator):
        assert db.session.scalars(nominations_visible_to(reader)).all() == [nomination]
    assert db.session.scalars(nominations_visible_to(world.berlin_coordinator)).all() == []


def test_an_employee_gets_no_nomination_from_the_pages_or_the_api(app, db, world):
    nomination = world.nominate()
    db.session.commit()
    c = app.test_client()
    assert (
        c.post(
            "/login", data={"email": world.employee.email, "password": TEST_PASSWORD}
        ).status_code
        == 302
    )
    assert c.get(f"/nominations/{nomination.id}").status_code in (403, 404)
    assert c.get("/nominations").status_code == 403
    api = _api(app, db, world.employee)
    assert api.get("/api/v1/nominations", headers=api.headers).status_code == 403
