"""A rejection refused on the verification queue keeps the reason HR typed: in its field while
the entry waits, shown on the page when the entry was decided meanwhile."""

from __future__ import annotations

from datetime import date

import pytest

from hrfund.training import records
from tests import factories


@pytest.fixture
def score(db):
    employee = factories.user(["employee"])
    entry = records.add_language_score(
        employee, employee, test="toeic", score="780", taken_on=date(2026, 5, 10)
    )
    db.session.commit()
    return entry


def test_a_too_long_reason_stays_in_its_field(db, login_as, score):
    hr = login_as("hr")
    reason = "証明書の氏名が一致しません。" + "x" * 2000
    response = hr.post(
        f"/training/scores/{score.id}/reject", data={"reason": reason, "next": "queue"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="reason-score-{score.id}"' in page and f'value="{reason}"' in page


def test_a_reason_for_an_entry_verified_meanwhile_is_shown(db, login_as, score):
    hr = login_as("hr")
    records.verify_score(factories.user(["hr"]), score)
    db.session.commit()
    response = hr.post(
        f"/training/scores/{score.id}/reject",
        data={"reason": "証明書の氏名が一致しません", "next": "queue"},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'id="unsaved-reason"' in page and "証明書の氏名が一致しません" in page


def test_from_the_development_page_and_when_done_it_redirects_as_before(db, login_as, score):
    hr = login_as("hr")
    assert hr.post(f"/training/scores/{score.id}/reject", data={"reason": ""}).status_code == 302
    done = hr.post(f"/training/scores/{score.id}/reject", data={"reason": "ok", "next": "queue"})
    assert done.status_code == 302 and done.location.endswith("/training/verification")
