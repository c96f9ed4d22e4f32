"""Rules decided once in the services: the live application of a call, the city of an approval."""

from __future__ import annotations

from datetime import date

import pytest

from hrfund.applications import services
from hrfund.core.errors import Conflict
from hrfund.placements.models import Placement
from hrfund.training.records import add_language_score
from tests import factories
from tests.applications.test_api_and_pages import _api


def test_live_application_is_the_one_not_withdrawn(setup, db):
    assert services.live_application(setup.employee, setup.call) is None
    first = setup.draft()
    assert services.live_application(setup.employee, setup.call) == first
    assert services.live_application(setup.colleague, setup.call) is None
    assert services.live_application_states(setup.employee, [setup.call.id, 999_999]) == {
        setup.call.id: "draft"
    }
    assert services.live_application_states(setup.employee, []) == {}
    with pytest.raises(Conflict):
        setup.draft()
    services.withdraw_application(setup.employee, first)
    assert services.live_application(setup.employee, setup.call) is None
    second = setup.draft()
    assert services.live_application(setup.employee, setup.call) == second


def test_the_calls_pages_show_the_live_application(setup, db, app):
    from tests.applications.test_api_and_pages import _page

    application = setup.draft()
    db.session.commit()
    page = _page(app, setup.employee)
    link = f"/applications/{application.id}"
    assert link in page.get(f"/calls/{setup.call.id}").get_data(as_text=True)
    assert 'data-mine="draft"' in page.get("/calls").get_data(as_text=True)  # "Draft saved"
    services.withdraw_application(setup.employee, application)
    db.session.commit()
    assert link not in page.get(f"/calls/{setup.call.id}").get_data(as_text=True)
    assert "You have applied" not in page.get("/calls").get_data(as_text=True)


def test_approval_city_is_one_of_the_calls_cities_in_any_case(setup, db):
    application = setup.endorsed()
    assert services.approval_city(application, "sel") == setup.seoul
    assert services.approval_city(application, " BER ") == setup.berlin
    factories.city("PAR")  # exists, but the call has no slot in Paris
    for code in ("PAR", "", None, "S"):
        assert services.approval_city(application, code) is None


def test_the_api_and_the_page_name_the_city_alike(setup, db, app):
    from tests.applications.test_api_and_pages import _page

    body = {"start_on": "2026-10-01", "end_on": "2027-03-31", "amount_jpy": 500_000}
    by_api = setup.endorsed()
    factories.city("PAR")
    db.session.commit()
    hr = _api(app, db, setup.hr)
    url = f"/api/v1/applications/{by_api.id}/approve"
    refused = hr.post(url, headers=hr.h, json=body | {"city": "PAR"})
    assert refused.status_code == 400 and "city" in refused.json["error"]["fields"]
    approved = hr.post(url, headers=hr.h, json=body | {"city": " sel "})
    assert approved.status_code == 200, approved.json
    db.session.refresh(by_api)
    assert db.session.get(Placement, by_api.placement_id).city == setup.seoul
    second = factories.user(["employee"], department=setup.department, joined_on=date(2015, 4, 1))
    add_language_score(setup.hr, second, test="ielts", score="7.0", taken_on=date(2025, 11, 1))
    by_page = setup.endorsed(second)
    db.session.commit()
    answer = _page(app, setup.hr).post(
        f"/applications/{by_page.id}/approve", data=body | {"city": "BER"}
    )
    assert answer.status_code in (302, 303), answer.get_data(as_text=True)[:300]
    db.session.refresh(by_page)
    placement = db.session.get(Placement, by_page.placement_id)
    assert by_page.status.value == "approved" and placement.city == setup.berlin
    assert placement.start_on == date(2026, 10, 1)
