"""The retention page runs the same number of SQL statements however many records are past
their period, and whatever its last run anonymised; the job reads each batch at once."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale

from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.extensions import db as _db
from hrfund.reminders.models import Notification
from hrfund.reports.retention import anonymise_unverified_scores
from hrfund.reports.retention_jobs import run_retention
from hrfund.training.models import LanguageScore, LanguageTest
from hrfund.training.records import add_language_score
from tests import factories
from tests.conftest import AuthActions
from tests.reports.privacy_world import PDF, backdate, build_world, long_ago


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


def _old_unverified_scores(n: int) -> None:
    ids = []
    for _ in range(n):
        person = factories.user(["employee"])
        score = add_language_score(
            person,
            person,
            test=LanguageTest.TOEIC.value,
            score="500",
            taken_on=date(2022, 1, 1),
            certificate=(io.BytesIO(PDF), "toeic.pdf"),
        )
        ids.append(score.id)
    _db.session.flush()
    backdate(LanguageScore, ids, created_at=long_ago())


def test_the_job_reads_a_batch_at_once_and_writes_each_record(app, db, query_counter):
    """Per record past its period the job only writes: its placeholder (INSERT), the record
    (UPDATE) and its certificate (DELETE); who the person is and the certificate are read for
    the whole batch, not once per record."""
    counts = []
    for n in (1, 5):
        with force_locale("en"):
            _old_unverified_scores(n)
            db.session.commit()
            db.session.expire_all()  # as in the nightly job: nothing of them loaded yet
            with query_counter() as count:
                assert anonymise_unverified_scores(utcnow(), 500, []) == n
            counts.append(count())
    writes_per_record = 3
    assert counts[1] - counts[0] <= writes_per_record * 4, counts
