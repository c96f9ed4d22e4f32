"""The calls list and page tell a draft from an application: "Draft saved" until it is
submitted, "Applied" after; past exchanges list only completed placements."""

from __future__ import annotations

import re
from datetime import date

import time_machine

from hrfund.applications import services
from hrfund.placements import services as placements
from tests import factories
from tests.applications.conftest import INSIDE


def _badge(page: str) -> list[str]:
    return re.findall(r'data-mine="(\w+)"', page)


def _login(app, user):
    c = app.test_client()
    c.post("/login", data={"email": user.email, "password": factories.TEST_PASSWORD})
    return c


def test_draft_saved_until_submitted_then_applied(app, db, setup):
    with time_machine.travel(INSIDE, tick=True):
        c = _login(app, setup.employee)
        assert _badge(c.get("/calls").get_data(as_text=True)) == []
        application = setup.draft()
        db.session.commit()
        page = c.get("/calls").get_data(as_text=True)
        assert _badge(page) == ["draft"] and "Draft saved" in page
        assert "You have applied" not in page and ">Applied<" not in page
        assert _badge(c.get(f"/calls/{setup.call.id}").get_data(as_text=True)) == ["draft"]
        services.submit_application(setup.employee, application, now=INSIDE)
        db.session.commit()
        page = c.get("/calls").get_data(as_text=True)
        assert _badge(page) == ["applied"] and ">Applied<" in page
        assert _badge(c.get(f"/calls/{setup.call.id}").get_data(as_text=True)) == ["applied"]
        services.withdraw_application(setup.employee, application)
        db.session.commit()
        assert _badge(c.get("/calls").get_data(as_text=True)) == []


def test_past_exchanges_list_only_completed_placements(app, db, setup, login_as):
    seoul_coordinator = setup.coordinator
    berlin_coordinator = factories.user(["coordinator"], city_code="BER")

    def place(city, coordinator, start, end):
        placement = placements.create_outgoing_placement(
            setup.hr,
            person=setup.employee,
            city=city,
            start_on=start,
            end_on=end,
            amount_jpy=100_000,
            purpose="都市づくり政策の調査",
        )
        placements.confirm_placement(coordinator, placement, host_office="City Hall")
        placements.start_placement(coordinator, placement)
        return placement

    done = place(setup.seoul, seoul_coordinator, date(2026, 4, 1), date(2026, 5, 31))
    placements.complete_placement(setup.hr, done)
    under_way = place(setup.berlin, berlin_coordinator, date(2026, 6, 1), date(2026, 9, 30))
    application = setup.draft()
    services.submit_application(setup.employee, application, now=INSIDE)
    db.session.commit()
    assert under_way.status.value == "active"

    hr = app.test_client()
    hr.post("/login", data={"email": setup.hr.email, "password": factories.TEST_PASSWORD})
    for path in (f"/training/people/{setup.employee.id}", f"/applications/{application.id}"):
        page = hr.get(path).get_data(as_text=True)
        past = page.split("Past exchanges", 1)[1]
        assert "Seoul" in past, path
        assert "Berlin" not in past, path  # under way: not a past exchange
