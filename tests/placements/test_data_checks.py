"""Data that makes sense: nothing cut silently, dates checked against the placement, completing
early only on confirmation, with the open milestones named."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale

from hrfund.core.errors import ValidationFailed
from hrfund.core.fiscal import tokyo_today
from hrfund.placements import milestones as ms
from hrfund.placements import nominations, services
from hrfund.placements.models import MilestoneKind, Nomination, PlacementStatus
from hrfund.training import records
from tests import factories
from tests.placements.conftest import END, START
from tests.placements.test_scope_and_pages import _api, _client


def test_an_agreement_title_over_the_limit_is_refused_not_cut(world, db):
    long_title = "ソウル・東京職員交流覚書" * 20  # 240 characters
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        nominations.create_agreement(
            world.hr,
            city=world.seoul,
            title=long_title,
            starts_on=date(2025, 4, 1),
            ends_on=date(2028, 3, 31),
        )
    assert refused.value.fields["title"] == ["Use at most 200 characters (this has 240)."]


def test_the_agreement_page_shows_the_limit_and_keeps_the_text(app, world, db):
    c = _client(app, world.hr)
    page = c.get("/cities/SEL/agreements/new")
    assert page.status_code == 200 and b'maxlength="200"' in page.data
    assert b"js/char-counter.js" in page.data and b"{n} characters left" in page.data
    long_title = "覚書" * 101
    refused = c.post(
        "/cities/SEL/agreements/new",
        data={"title": long_title, "starts_on": "2025-04-01", "ends_on": "2028-03-31"},
    )
    assert refused.status_code == 422 and long_title.encode() in refused.data


def test_a_language_test_name_over_the_limit_is_refused_not_cut(world, db):
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        records.add_language_score(
            world.hr,
            world.employee,
            test="other",
            test_name="x" * 101,
            score=50,
            taken_on=date(2026, 4, 1),
            level="B2" * 11,
        )
    assert "at most 100" in refused.value.fields["test_name"][0]
    assert "at most 20" in refused.value.fields["level"][0]  # both at once


# ---------------------------------------------------------------- dates against the placement


def test_an_arrival_lies_in_the_period_with_a_few_days_of_tolerance(app, world, db):
    assert app.config["ARRIVAL_TOLERANCE_DAYS"] == 7
    for arrived_on in (START - timedelta(days=8), END + timedelta(days=1)):
        placement = world.place(person=factories.user(["employee"]))
        services.confirm_placement(world.seoul_coordinator, placement, host_office="City Hall")
        with force_locale("en"), pytest.raises(ValidationFailed) as refused:
            services.start_placement(world.seoul_coordinator, placement, arrived_on=arrived_on)
        assert "7 days before the start" in refused.value.fields["arrived_on"][0]
        assert placement.status == PlacementStatus.CONFIRMED
    services.start_placement(
        world.seoul_coordinator, placement, arrived_on=START - timedelta(days=7)
    )
    assert placement.status == PlacementStatus.ACTIVE


def test_an_arrival_outside_the_period_is_400_in_the_api(app, world, db):
    placement = world.place()
    services.confirm_placement(world.seoul_coordinator, placement, host_office="City Hall")
    api = _api(app, db, world.seoul_coordinator)
    response = api.post(
        f"/api/v1/placements/{placement.id}/start",
        headers=api.headers,
        json={"arrived_on": "2026-01-01"},
    )
    assert response.status_code == 400 and "arrived_on" in response.json["error"]["fields"]


def test_a_nomination_is_for_dates_in_the_future(app, world, db):
    today = tokyo_today()
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        nominations.nominate(
            world.seoul_coordinator,
            name="Lee Jiwoo",
            email="lee@seoul.example",
            position="Planner",
            start_on=today,
            end_on=today + timedelta(days=90),
        )
    assert "must lie in the future" in refused.value.fields["start_on"][0]
    assert "end_on" not in refused.value.fields
    nomination = nominations.nominate(
        world.seoul_coordinator,
        name="Lee Jiwoo",
        email="lee@seoul.example",
        position="Planner",
        start_on=today + timedelta(days=1),
        end_on=today + timedelta(days=90),
    )
    assert nomination.id


def test_a_milestone_moves_between_the_creation_and_a_year_after_the_end(app, world, db):
    with time_machine.travel(date(2026, 7, 1)):
        placement = world.place()
    visa = next(m for m in placement.milestones if m.kind == MilestoneKind.VISA)
    for wrong in (date(2026, 6, 30), date(2028, 2, 29)):  # a day before, a year and a day after
        with force_locale("en"), pytest.raises(ValidationFailed) as refused:
            ms.adjust_milestone(world.hr, visa, wrong)
        assert "a year after it ends" in refused.value.fields["due_on"][0]
    ms.adjust_milestone(world.hr, visa, date(2026, 7, 1))
    ms.adjust_milestone(world.hr, visa, date(2028, 2, 28))
    assert visa.due_on == date(2028, 2, 28)
    hr = _client(app, world.hr)
    db.session.commit()
    response = hr.post(
        f"/placements/{placement.id}/milestones/{visa.id}", data={"due_on": "2020-01-01"}
    )
    assert response.status_code == 303
    db.session.refresh(visa)
    assert visa.due_on == date(2028, 2, 28)


def _active(world):
    placement = world.place()
    services.confirm_placement(world.seoul_coordinator, placement, host_office="City Hall")
    services.start_placement(world.seoul_coordinator, placement)
    return placement


def test_completing_early_asks_for_a_confirmation_and_names_the_open_milestones(app, world, db):
    placement = _active(world)
    db.session.commit()
    api = _api(app, db, world.hr)
    with time_machine.travel(date(2027, 1, 15)):
        refused = api.post(
            f"/api/v1/placements/{placement.id}/complete",
            headers=api.headers,
            json={},
            environ_overrides={"HTTP_ACCEPT_LANGUAGE": "en"},
        )
        assert refused.status_code == 409, refused.json
        error = refused.json["error"]
        assert "confirm_early" in error["fields"] and "ended early" in error["message"]
        assert "Final report" in error["message"] and "Return" in error["message"]
        assert "milestones" in error["fields"]
        done = api.post(
            f"/api/v1/placements/{placement.id}/complete",
            headers=api.headers,
            json={"confirm_early": True},
        )
    assert done.status_code == 200, done.json
    assert done.json["status"] == "completed"
    assert done.json["ended_early"] == {"ended_on": "2027-01-15", "planned_end_on": "2027-02-28"}
    event = services.MACHINE.history(placement)[-1]
    assert event.changes["ended_early"] is True
    assert "final_report" in event.changes["open_milestones"]
    page = _client(app, world.hr).get(f"/placements/{placement.id}").get_data(as_text=True)
    assert 'id="ended-early"' in page and "before its end date" in page


def test_the_completion_page_asks_for_the_checkbox(app, world, db):
    placement = _active(world)
    db.session.commit()
    with time_machine.travel(date(2027, 1, 15), tick=True):
        hr = _client(app, world.hr)  # signed in that day: a session does not last weeks
        form = hr.get(f"/placements/{placement.id}").get_data(as_text=True)
        assert 'name="confirm_early"' in form and 'id="complete-open-milestones"' in form
        refused = hr.post(f"/placements/{placement.id}/complete", data={})
        assert refused.status_code == 422
        assert "confirm that it ended early" in refused.get_data(as_text=True)
        done = hr.post(f"/placements/{placement.id}/complete", data={"confirm_early": "y"})
    assert done.status_code == 302
    db.session.refresh(placement)
    assert placement.status == PlacementStatus.COMPLETED


def test_completing_on_time_needs_no_confirmation_and_records_open_milestones(app, world, db):
    placement = _active(world)
    with time_machine.travel(date(2027, 3, 1)):
        services.complete_placement(world.hr, placement)
    event = services.MACHINE.history(placement)[-1]
    assert "ended_early" not in event.changes and "return" in event.changes["open_milestones"]


# ---------------------------------------------------------------- every error at once


def test_the_nomination_page_shows_every_error_of_the_first_submit(app, world, db):
    c = _client(app, world.seoul_coordinator)
    response = c.post(
        "/nominations/new",
        data={
            "name": "",  # the form's check
            "email": "lee@seoul.example",
            "position": "Planner",
            "start_on": "2026-01-10",  # the service's: not in the future
            "end_on": "2026-01-01",  # the service's: before the start
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This field is required." in page
    assert "The end must not be before the start." in page
    assert "must lie in the future" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Nomination)) == 0


def test_the_placement_page_shows_every_error_of_the_first_submit(app, world, db):
    c = _client(app, world.hr)
    response = c.post(
        "/placements/new",
        data={
            "person": world.employee.email,
            "city": "SEL",
            "start_on": "2027-03-01",
            "end_on": "2027-01-01",  # the service's check
            "amount_jpy": "abc",  # the form's check
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The end must not be before the start." in page
    assert "Enter a whole number of yen" in page
    valid = c.post(
        "/placements/new",
        data={
            "person": world.employee.email,
            "city": "SEL",
            "start_on": "2027-01-01",
            "end_on": "2027-03-01",
            "amount_jpy": "500,000円",
        },
    )
    assert valid.status_code == 302
