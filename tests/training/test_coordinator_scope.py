"""Partner-city staff keep no TMG training records: a coordinator reads none, not even records
and scores filed under their own account (found by `make mutation`: no test failed when the
coordinator's ``sa.false()`` in the training scope became "their own")."""

from __future__ import annotations

from datetime import date

from hrfund.training.services import records_visible_to, scores_visible_to
from tests import factories
from tests.reminders.conftest import make_record, make_score


def test_a_coordinator_reads_no_training_record_or_score_even_under_their_own_id(app, db):
    coordinator = factories.user(["coordinator"], city_code="SEL")
    employee = factories.user(["employee"])
    for person in (coordinator, employee):
        make_record(person, date(2027, 3, 1))
        make_score(person, date(2027, 3, 1))
    db.session.commit()
    assert db.session.scalars(records_visible_to(coordinator)).all() == []
    assert db.session.scalars(scores_visible_to(coordinator)).all() == []
    assert len(db.session.scalars(records_visible_to(employee)).all()) == 1
    assert len(db.session.scalars(scores_visible_to(employee)).all()) == 1
