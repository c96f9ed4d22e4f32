"""The testing hook between claim and send (HRFUND_TEST_PAUSE_AFTER_CLAIM_SECONDS): it holds a
dispatcher that has claimed something, in the testing environment only; anywhere else, and
without claims, it does nothing."""

from __future__ import annotations

import time
from datetime import timedelta

from hrfund.core.fiscal import tokyo_today
from hrfund.extensions import db as _db
from hrfund.placements.models import Direction, Placement
from hrfund.reminders.jobs import dispatch_reminders
from tests import factories

VAR = "HRFUND_TEST_PAUSE_AFTER_CLAIM_SECONDS"


def _due_placement() -> None:
    person = factories.user(["employee"])
    start_on = tokyo_today() + timedelta(days=30)
    _db.session.add(
        Placement(
            direction=Direction.OUTGOING,
            city_id=factories.city("SEL").id,
            person_id=person.id,
            start_on=start_on,
            end_on=start_on + timedelta(days=90),
            fiscal_year=start_on.year,
        )
    )
    _db.session.commit()


def _timed_dispatch() -> tuple[float, int]:
    began = time.monotonic()
    result = dispatch_reminders(worker="hook")
    return time.monotonic() - began, result.sent


def test_the_pause_holds_a_dispatcher_with_claims_in_testing(app, db, quiet_mail, monkeypatch):
    _due_placement()
    monkeypatch.setenv(VAR, "0.6")
    took, sent = _timed_dispatch()
    assert sent == 2 and took >= 0.6  # e-mail and in-app
    monkeypatch.setenv(VAR, "30")
    took, sent = _timed_dispatch()  # nothing claimed: no pause (30 s if it paused)
    assert sent == 0 and took < 10


def test_the_pause_is_inert_outside_testing(app, db, quiet_mail, monkeypatch):
    _due_placement()
    monkeypatch.setenv(VAR, "30")
    monkeypatch.setitem(app.config, "TESTING", False)
    took, sent = _timed_dispatch()
    assert sent == 2 and took < 10
