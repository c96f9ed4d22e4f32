"""No double booking: approving an application that would give the applicant a second live
placement over the same days is refused with 409 naming the other placement, pages and API."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from hrfund.placements import services as placements
from hrfund.placements.models import Placement
from tests.applications.test_api_and_pages import _api, _page

APPROVAL = {"city": "SEL", "start_on": "2026-10-01", "end_on": "2027-03-31", "amount_jpy": 500_000}


def _existing(setup, start_on, end_on) -> Placement:
    return placements.create_outgoing_placement(
        setup.hr,
        person=setup.employee,
        city=setup.berlin,
        start_on=start_on,
        end_on=end_on,
        amount_jpy=100_000,
    )


def test_api_approval_over_a_live_placement_is_refused_naming_it(app, db, setup):
    other = _existing(setup, date(2027, 3, 1), date(2027, 6, 30))  # overlaps in March
    application = setup.endorsed()
    db.session.commit()
    hr = _api(app, db, setup.hr)
    response = hr.post(
        f"/api/v1/applications/{application.id}/approve", headers=hr.h, json=APPROVAL
    )
    assert response.status_code == 409, response.json
    assert f"placement {other.id}" in response.json["error"]["message"]
    assert "2027-03-01" in response.json["error"]["message"]
    db.session.refresh(application)
    assert application.status.value == "endorsed" and application.placement_id is None
    assert db.session.scalar(sa.select(sa.func.count(Placement.id))) == 1


def test_page_approval_over_a_live_placement_is_refused_and_keeps_the_form(app, db, setup):
    other = _existing(setup, date(2026, 9, 1), date(2026, 10, 1))  # the first day overlaps
    application = setup.endorsed()
    db.session.commit()
    response = _page(app, setup.hr).post(
        f"/applications/{application.id}/approve",
        data=APPROVAL | {"amount_jpy": "500000", "comment": "承認"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f"placement {other.id}" in html and "two placements at once" in html
    assert 'value="500000"' in html  # what HR typed stays
    db.session.refresh(application)
    assert application.status.value == "endorsed"


def test_ended_or_adjacent_placements_do_not_block(app, db, setup):
    before = _existing(setup, date(2026, 4, 1), date(2026, 9, 30))  # ends the day before
    cancelled = _existing(setup, date(2026, 11, 1), date(2026, 12, 31))
    placements.cancel_placement(setup.hr, cancelled, comment="中止")
    application = setup.endorsed()
    db.session.commit()
    hr = _api(app, db, setup.hr)
    response = hr.post(
        f"/api/v1/applications/{application.id}/approve", headers=hr.h, json=APPROVAL
    )
    assert response.status_code == 200, response.json
    assert before.status.value == "proposed"
