"""A rejection refused on the verification queue or on the employee's development page keeps the
reason HR typed: in its field while the entry waits, shown on the page when the entry was decided
meanwhile."""

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


def test_the_development_page_offers_the_rejection_with_its_reason(db, login_as, score):
    page = login_as("hr").get(f"/training/people/{score.user_id}").get_data(as_text=True)
    assert f'action="/training/scores/{score.id}/reject"' in page
    assert f'id="reason-score-{score.id}"' in page


@pytest.mark.parametrize("reason", ["", "証明書の氏名が一致しません。" + "x" * 2000])
def test_refused_on_the_development_page_the_reason_stays_in_its_field(db, login_as, score, reason):
    hr = login_as("hr")
    response = hr.post(f"/training/scores/{score.id}/reject", data={"reason": reason})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="person"' in page  # the development page, not the queue
    assert f'id="reason-score-{score.id}"' in page and f'value="{reason}"' in page
    assert "alert-danger" in page  # the error is shown


def test_on_the_development_page_a_reason_for_an_entry_verified_meanwhile_is_shown(
    db, login_as, score
):
    hr = login_as("hr")
    records.verify_score(factories.user(["hr"]), score)
    db.session.commit()
    response = hr.post(
        f"/training/scores/{score.id}/reject", data={"reason": "証明書の氏名が一致しません"}
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'id="person"' in page
    assert 'id="unsaved-reason"' in page and "証明書の氏名が一致しません" in page


def test_when_done_each_page_redirects_back_to_itself(db, login_as, score):
    hr = login_as("hr")
    done = hr.post(f"/training/scores/{score.id}/reject", data={"reason": "ok"})
    assert done.status_code == 302
    assert done.location.endswith(f"/training/people/{score.user_id}")
    other = records.add_language_score(
        score.user, score.user, test="ielts", score="7.0", taken_on=date(2026, 5, 11)
    )
    db.session.commit()
    done = hr.post(f"/training/scores/{other.id}/reject", data={"reason": "ok", "next": "queue"})
    assert done.status_code == 302 and done.location.endswith("/training/verification")
