"""Clear messages in Japanese too: past the available amount the approval page says that the
approval will be refused, a negative amount says that it must be positive, and no bare negative
figure is ever shown."""

from __future__ import annotations

import time_machine
from flask_babel import force_locale, gettext

from tests.applications.conftest import INSIDE
from tests.applications.test_api_and_pages import _page


def _approval_page(app, db, setup, amount: str):
    application = setup.endorsed()
    setup.hr.locale = "ja"
    db.session.commit()
    with time_machine.travel(INSIDE, tick=True):
        hr = _page(app, setup.hr)
        return hr.post(
            f"/applications/{application.id}/approve",
            data={
                "city": "SEL",
                "start_on": "2026-10-01",
                "end_on": "2027-03-31",
                "amount_jpy": amount,
            },
        )


def _japanese(text: str, **values) -> str:
    with force_locale("ja"):
        translated = gettext(text, **values)
    assert not translated.isascii()
    return translated


def test_past_the_available_amount_the_page_says_in_japanese_it_will_be_refused(app, db, setup):
    refused = _approval_page(app, db, setup, "9000000")
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    refusal = "This is ¥%(short)s more than the line has available: the approval will be refused."
    assert _japanese(refusal, short="7,000,000") in text
    assert "¥-" not in text


def test_a_negative_amount_says_in_japanese_that_it_must_be_positive(app, db, setup):
    refused = _approval_page(app, db, setup, "-5000")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert _japanese("The amount must be positive (more than zero).") in text
    assert "¥-" not in text
