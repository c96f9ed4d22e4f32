"""No double booking: one person never holds two live placements (proposed, confirmed or
active) over the same days — HR's placements, accepted nominations, and on PostgreSQL two
requests at once (threads and processes)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from hrfund.core.errors import Conflict
from hrfund.placements import nominations, services
from hrfund.placements.models import Placement
from tests.conftest import PG_URL, make_app
from tests.placements.conftest import END, START
from tests.placements.test_scope_and_pages import _api, _client
from tests.racing import commit_or_refusal, in_processes, in_threads


def test_a_second_placement_over_the_same_days_is_refused(world, db):
    first = world.place(amount=10_000)
    # outside a request messages are in the default language (ja): read this one in English
    with force_locale("en"), pytest.raises(Conflict) as refused:  # overlaps on one day
        world.place(city=world.berlin, amount=10_000, start=END, end=date(2027, 6, 30))
    assert f"placement {first.id}" in refused.value.message
    world.place(city=world.berlin, amount=10_000, start=date(2027, 3, 1), end=date(2027, 6, 30))
    world.place(person=world.other_employee, amount=10_000)  # someone else, the same days


def test_completed_declined_and_cancelled_placements_free_the_days(world, db):
    declined = world.place()
    services.decline_placement(world.seoul_coordinator, declined, comment="受入不可")
    cancelled = world.place()
    services.cancel_placement(world.hr, cancelled, comment="中止")
    world.place()  # the days are free again


def test_accepting_a_second_nomination_of_the_same_guest_is_refused(app, db, world):
    first = world.nominate()
    nominations.accept_nomination(world.hr, first, host_department=world.host, amount_jpy=1)
    again = world.nominate(email="Lee.Jiwoo@seoul.example", start_on=END)
    db.session.commit()
    hr = _api(app, db, world.hr)
    response = hr.post(
        f"/api/v1/nominations/{again.id}/accept",
        headers=hr.headers,
        json={"host_department": world.host.code, "amount_jpy": 1},
    )
    assert response.status_code == 409, response.json
    assert f"placement {first.placement_id}" in response.json["error"]["message"]
    page = _client(app, world.hr).post(
        f"/nominations/{again.id}/accept",
        data={"host_department": world.host.code, "amount_jpy": "1"},
    )
    assert page.status_code == 409 and f"placement {first.placement_id}" in page.get_data(
        as_text=True
    )
    db.session.refresh(again)
    assert again.status.value == "pending" and again.placement_id is None


# ---------------------------------------------------------------- at the same moment

needs_postgres = pytest.mark.skipif(not PG_URL, reason="needs real PostgreSQL connections")


def _place(person_id: int, city_id: int) -> str:
    from hrfund.auth.models import User
    from hrfund.extensions import db
    from hrfund.org.models import PartnerCity

    return commit_or_refusal(
        lambda: services.create_outgoing_placement(
            db.session.scalar(sa.select(User).where(User.email == "race-hr@metro.tokyo.example")),
            person=db.session.get(User, person_id),
            city=db.session.get(PartnerCity, city_id),
            start_on=START,
            end_on=END,
            amount_jpy=1_000,
        ),
        {Conflict: "conflict"},
    )


@pytest.fixture(scope="module")
def race_app(tmp_path_factory):
    if not PG_URL:
        pytest.skip("needs real PostgreSQL connections")
    from hrfund.extensions import db
    from hrfund.fund import services as fund
    from tests import factories

    app, cleanup = make_app("postgresql", tmp_path_factory.mktemp("booking"))
    with app.app_context():
        hr = factories.user(["hr", "employee"], email="race-hr@metro.tokyo.example")
        cities = [factories.city(code) for code in ("SEL", "BER", "BKK", "TPE")]
        fund.contribute(hr, 1_000_000, date(2026, 4, 1))
        fund.allocate(hr, 2026, "outgoing", 1_000_000)
        db.session.commit()
        app.city_ids = [c.id for c in cities]
    yield app
    with app.app_context():
        db.engine.dispose()
    cleanup()


def _person(app) -> int:
    from hrfund.extensions import db
    from tests import factories

    with app.app_context():
        person = factories.user(["employee"])
        db.session.commit()
        person_id = person.id
        db.session.remove()
        return person_id


def _count(app, person_id: int) -> int:
    from hrfund.extensions import db

    with app.app_context():
        found = db.session.scalar(
            sa.select(sa.func.count(Placement.id)).where(Placement.person_id == person_id)
        )
        db.session.remove()
        return found


@pytest.mark.postgres_only
@needs_postgres
def test_two_placements_at_once_from_threads_one_wins(race_app):
    person_id = _person(race_app)
    results = in_threads(race_app, _place, [(person_id, c) for c in race_app.city_ids])
    assert sorted(results) == ["conflict"] * (len(race_app.city_ids) - 1) + ["ok"], results
    assert _count(race_app, person_id) == 1


@pytest.mark.postgres_only
@needs_postgres
def test_two_placements_at_once_from_processes_one_wins(race_app):
    person_id = _person(race_app)
    results = in_processes(race_app, _place, [(person_id, c) for c in race_app.city_ids[:3]])
    assert sorted(results) == ["conflict", "conflict", "ok"], results
    assert _count(race_app, person_id) == 1
