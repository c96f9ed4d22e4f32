"""The pages ask ``can_cancel`` and ``can_review`` before they show an action: each answers as
its service decides (the same ``check_*``), and the development page shows the buttons by it."""

from __future__ import annotations

import pytest

from hrfund.core.errors import DomainError
from hrfund.core.fiscal import tokyo_today
from hrfund.training import records, services
from hrfund.training.records import can_review
from hrfund.training.services import can_cancel
from tests import factories


@pytest.fixture
def hr(db):
    return factories.user(["hr", "employee"])


def _succeeds(action) -> bool:
    try:
        action()
    except DomainError:
        return False
    return True


def test_can_cancel_says_what_the_service_does(db, hr, make_program):
    program = make_program()
    today = tokyo_today()
    session = services.create_session(hr, program, starts_on=today, ends_on=today, capacity=5)
    owner, other = factories.user(), factories.user()
    record = services.enrol(owner, session)
    assert can_cancel(owner, record) and can_cancel(hr, record)
    assert not can_cancel(other, record)
    assert _succeeds(lambda: services.cancel_enrolment(other, record)) is False
    assert _succeeds(lambda: services.cancel_enrolment(owner, record))
    assert not can_cancel(owner, record) and not can_cancel(hr, record)  # cancelled already


def test_can_review_says_what_the_service_does_and_the_page_shows_it(db, login_as):
    client = login_as("hr")
    hr = client.user
    employee = factories.user()
    score = records.add_language_score(
        employee, employee, test="ielts", score="7.0", taken_on=tokyo_today()
    )
    db.session.commit()
    assert can_review(hr, score) and not can_review(employee, score)
    page = client.get(f"/training/people/{employee.id}").get_data(as_text=True)
    assert f"/training/scores/{score.id}/verify" in page
    assert _succeeds(lambda: records.verify_score(employee, score)) is False
    assert _succeeds(lambda: records.verify_score(hr, score))
    db.session.commit()
    assert not can_review(hr, score)
    page = client.get(f"/training/people/{employee.id}").get_data(as_text=True)
    assert f"/training/scores/{score.id}/verify" not in page
