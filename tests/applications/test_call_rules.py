"""Call rules that mean something: a language rule has a test and a score inside the test's
range, a call opens only with a slot, its fiscal year is not over; the call page shows every
error of a submit at once."""

from __future__ import annotations

import time_machine

from tests.applications.conftest import INSIDE
from tests.applications.test_api_and_pages import _api, _page

SLOT = {"city": "BER", "positions": 1, "months": 12, "estimated_cost_jpy": "￥３，０００，０００"}


def _call(**values):
    return {
        "title": "FY2027 Berlin",
        "fiscal_year": 2027,
        "opens_on": "2027-05-01",
        "closes_on": "2027-05-31",
        "slots": [SLOT],
    } | values


def test_a_language_rule_needs_a_test_and_a_score_in_its_range(app, db, setup):
    hr = _api(app, db, setup.hr)
    for rules, field, words in (
        ({"language": {"test": "ielts"}}, "rules.language.min_score", "Enter the minimum score"),
        ({"language": {"min_score": 6}}, "rules.language.test", "Choose the language test"),
        ({"language": {"test": "ielts", "min_score": 10}}, "rules.language.min_score", "0 and 9"),
        ({"language": {"test": "TOEIC", "min_score": 5}}, "rules.language.min_score", "10 and 990"),
    ):
        response = hr.post("/api/v1/calls", headers=hr.h, json=_call(rules=rules))
        assert response.status_code == 400, (rules, response.json)
        assert words in response.json["error"]["fields"][field][0], response.json
    ok = hr.post(
        "/api/v1/calls",
        headers=hr.h,
        json=_call(rules={"language": {"test": "toeic", "min_score": "７３０"}}),
    )
    assert ok.status_code == 201, ok.json
    assert ok.json["rules"]["language"] == {"test": "toeic", "min_score": "730"}
    assert ok.json["slots"][0]["estimated_cost_jpy"] == 3_000_000


def test_the_fiscal_year_of_a_call_is_not_over(app, db, setup):
    hr = _api(app, db, setup.hr)
    with time_machine.travel(INSIDE, tick=False):  # June 2026: FY2026
        response = hr.post("/api/v1/calls", headers=hr.h, json=_call(fiscal_year=2025))
        assert response.status_code == 400
        assert "FY2025 is over" in response.json["error"]["fields"]["fiscal_year"][0]
        assert (
            hr.post("/api/v1/calls", headers=hr.h, json=_call(fiscal_year=2026)).status_code == 201
        )


def test_a_call_opens_only_with_a_slot(app, db, setup):
    hr = _api(app, db, setup.hr)
    created = hr.post("/api/v1/calls", headers=hr.h, json=_call(slots=[]))
    assert created.status_code == 201
    opened = hr.post(f"/api/v1/calls/{created.json['id']}/open", headers=hr.h)
    assert opened.status_code == 400
    assert "at least one slot" in opened.json["error"]["message"]


def test_the_call_page_shows_every_error_of_the_first_submit(app, db, setup):
    with time_machine.travel(INSIDE, tick=False):
        hr = _page(app, setup.hr)
        response = hr.post(
            "/calls/new",
            data={
                "title_ja": "中期派遣",
                "fiscal_year": "",  # the form's own check
                "opens_on": "2027-05-31",
                "closes_on": "2027-05-01",  # the service's check: the order of the dates
                "slots-0-city": "BER",
                "slots-0-positions": "1",
                "slots-0-months": "12",
                "slots-0-estimated_cost_jpy": "-5000",
                "language_test": "ielts",
                "language_min_score": "12",  # the service's check: out of the IELTS range
            },
        )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This field is required." in page
    assert "The call cannot close before it opens." in page
    assert "The minimum IELTS score lies between 0 and 9." in page
    assert "must be zero or positive" in page
