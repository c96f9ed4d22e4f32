"""The application watchers leave out in SQL what their audience had already (issue 16): a
manager who joins the department later gets the reminder the other had. See
tests/reminders/test_sent_filter.py."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from hrfund.applications import services as applications
from hrfund.reminders.registry import watcher_for
from hrfund.training.models import LanguageTest
from hrfund.training.records import add_language_score
from tests import factories
from tests.applications.conftest import TOKYO
from tests.reminders.conftest import at, quiet_mail, rule, run

pytestmark = pytest.mark.usefixtures("quiet_mail")
__all__ = ["quiet_mail"]  # the fixture, imported so that it is found here


def _eligible(setup):
    person = factories.user(["employee"], department=setup.department, joined_on=date(2012, 4, 1))
    add_language_score(
        setup.hr, person, test=LanguageTest.IELTS.value, score="7.5", taken_on=date(2025, 9, 1)
    )
    return person


def _due(code: str, now: datetime) -> set[tuple]:
    r = rule(code)
    return {(i[0], i[1], i[2], tuple(i[3])) for i in watcher_for(r.kind)(r, now)}


def test_endorsement_and_decision_pending_leave_out_what_their_audience_had(db, setup):
    with time_machine.travel(datetime(2026, 6, 15, 12, tzinfo=TOKYO), tick=False):
        submitted = setup.draft()
        applications.submit_application(setup.employee, submitted)
        endorsed = setup.endorsed(person=_eligible(setup))
        db.session.commit()
    now = at(date(2026, 6, 22))
    assert {s[1] for s in _due("application_endorsement_pending", now)} == {submitted.id}
    assert {s[1] for s in _due("application_decision_pending", now)} == {endorsed.id}
    run(now)
    assert _due("application_endorsement_pending", now) == set()
    assert _due("application_decision_pending", now) == set()
    second = factories.user(["manager", "employee"], department=setup.department)
    db.session.commit()
    [(_t, subject, since, recipients)] = _due("application_endorsement_pending", now)
    assert (subject, since) == (submitted.id, date(2026, 6, 15))
    assert set(recipients) == {setup.manager.id, second.id}
