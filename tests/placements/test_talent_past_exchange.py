"""The talent pool's "has been on an exchange" is a past exchange, as on the development page:
a completed placement; one under way is not one yet."""

from __future__ import annotations

from datetime import date

from hrfund.placements import services
from hrfund.training import records
from hrfund.training.records import development_history


def _found(api_as, flag: str) -> set[str]:
    hr = api_as("hr")
    found = hr.get(f"/api/v1/talent?has_exchange={flag}", headers=hr.headers).json
    return {item.get("email") for item in found["items"]}


def test_a_placement_under_way_is_not_yet_an_exchange_in_the_talent_pool(app, world, db, api_as):
    placement = world.place()
    services.confirm_placement(world.seoul_coordinator, placement, host_office="City Hall")
    services.start_placement(world.seoul_coordinator, placement)
    db.session.commit()
    assert development_history(world.employee)["exchanges"] == []
    assert world.employee.email not in _found(api_as, "1")
    assert world.employee.email in _found(api_as, "0")

    services.complete_placement(world.hr, placement, confirm_early=True)
    db.session.commit()
    assert len(development_history(world.employee)["exchanges"]) == 1
    assert world.employee.email in _found(api_as, "1")
    assert world.employee.email not in _found(api_as, "0")


def test_a_past_exchange_combines_with_a_score(app, world, db, api_as):
    """ "Has been on an exchange" is one of the intersected sets: with a score, both must hold."""
    placement = world.place()
    services.confirm_placement(world.seoul_coordinator, placement, host_office="City Hall")
    services.start_placement(world.seoul_coordinator, placement)
    services.complete_placement(world.hr, placement, confirm_early=True)
    db.session.commit()
    assert world.employee.email not in _found(api_as, "1&language_test=topik")
    records.add_language_score(
        world.hr, world.employee, test="topik", score="4", taken_on=date.today()
    )
    db.session.commit()
    assert world.employee.email in _found(api_as, "1&language_test=topik")
    assert world.employee.email not in _found(api_as, "0&language_test=topik")
