"""Clear messages on the approval page: past the available amount, it says the approval will be
refused instead of showing a bare negative figure; amounts may be typed the Japanese way."""

from __future__ import annotations

import time_machine

from tests.applications.conftest import INSIDE
from tests.applications.test_api_and_pages import _page


def test_after_this_approval_never_a_bare_negative(app, db, setup):
    application = setup.endorsed()
    db.session.commit()
    with time_machine.travel(INSIDE, tick=True):
        hr = _page(app, setup.hr)
        page = hr.get(f"/applications/{application.id}/approve").get_data(as_text=True)
        assert "After this approval: ¥700,000." in page  # ¥2,000,000 less ¥1,300,000
        refused = hr.post(
            f"/applications/{application.id}/approve",
            data={
                "city": "SEL",
                "start_on": "2026-10-01",
                "end_on": "2027-03-31",
                "amount_jpy": "￥９，０００，０００円",
            },
        )
    assert refused.status_code == 409  # insufficient funds: the page comes back
    text = refused.get_data(as_text=True)
    assert "¥7,000,000 more than the line has available: the approval will be refused." in text
    assert "After this approval: ¥-" not in text
    assert "￥９，０００，０００円" in text  # what was typed stays in the box


def test_a_refused_filter_names_its_field_in_the_readers_language(app, db, api_as):
    """The API answers a filter's field message too: in Japanese for a Japanese reader, never
    an English word such as "needs call_id"."""
    c = api_as("hr", locale="ja")
    headers = c.headers | {"Accept-Language": "ja"}
    answer = c.get("/api/v1/applications?eligible=yes", headers=headers).get_json()
    [field_message] = answer["error"]["fields"]["eligible"]
    assert field_message == "資格で絞り込むには募集を選んでください。募集ごとに要件が異なります。"


def test_a_call_number_beyond_any_id_is_a_clear_refusal(app, db, login_as, api_as):
    """Digits too many for the database's integer: the filter is refused, never a 500."""
    huge = "9" * 23
    page = login_as("hr").get(f"/applications?call_id={huge}")
    assert page.status_code == 200
    assert "Check the filters." in page.get_data(as_text=True)
    c = api_as("hr")
    answer = c.get(f"/api/v1/applications?call_id={huge}", headers=c.headers)
    assert answer.status_code == 400
