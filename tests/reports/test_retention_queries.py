"""The retention page runs the same number of SQL statements however many records are past
their period, and whatever its last run anonymised."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale

from hrfund.core.audit import record_event
from hrfund.extensions import db as _db
from hrfund.reminders.models import Notification
from hrfund.reports.retention_jobs import run_retention
from tests import factories
from tests.conftest import AuthActions
from tests.reports.privacy_world import backdate, build_world, long_ago


def _more_past_their_period(n: int) -> None:
    for _ in range(n):
        user = factories.user(["employee"])
        _db.session.add(Notification(user_id=user.id, title="t", body="b"))
        record_event(None, "test.event", object_type="thing", object_id=user.id)
    _db.session.flush()
    ids = list(_db.session.scalars(sa.select(Notification.id)))
    backdate(Notification, ids, created_at=long_ago())


def test_the_retention_page_does_not_grow_with_the_data(app, db, query_counter):
    with force_locale("en"):
        build_world()
        hr = factories.user(["hr"])
        db.session.commit()
    client = app.test_client()
    AuthActions(client).login(hr.email)
    counts = []
    for n in (1, 6):
        _more_past_their_period(n)
        db.session.commit()
        with query_counter() as count:
            page = client.get("/privacy/retention")
        assert page.status_code == 200
        counts.append(count())
        run_retention()  # the second page also shows a run that anonymised something
        db.session.commit()
    assert counts[0] == counts[1], counts
