"""An employee cancels their enrolment from two tabs while HR cancels it too: the seat is given
back once, and the history says it once (the cancel claims its row)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hrfund.auth.models import User
from hrfund.core.audit import AuditEvent
from hrfund.core.errors import InvalidTransition
from hrfund.core.fiscal import tokyo_today
from hrfund.extensions import db
from hrfund.training import services
from hrfund.training.models import TrainingRecord, TrainingSession
from tests import factories
from tests.conftest import PG_URL

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="races need real PostgreSQL connections"),
    pytest.mark.xdist_group("races"),
]
ROUNDS = 5


def _cancel(app, barrier, record_id: int, actor_id: int) -> str:
    with app.app_context():
        try:
            record = db.session.get(TrainingRecord, record_id)
            actor = db.session.get(User, actor_id)
            barrier.wait()
            try:
                services.cancel_enrolment(actor, record)
                db.session.commit()
                return "ok"
            except InvalidTransition:
                db.session.rollback()
                return "409"
        finally:
            db.session.remove()


def test_two_cancels_at_once_give_the_seat_back_once(race_app):
    with race_app.app_context():
        hr = factories.user(["hr", "employee"])
        program = services.create_program(
            hr, title_en="Race English", title_ja="英語", category="language", hours=Decimal(5)
        )
        soon = tokyo_today() + timedelta(days=30)
        session = services.create_session(hr, program, starts_on=soon, ends_on=soon, capacity=9)
        db.session.commit()
        session_id, hr_id = session.id, hr.id
        db.session.remove()
    for _ in range(ROUNDS):
        with race_app.app_context():
            keeper, leaver = factories.user(), factories.user()
            session = db.session.get(TrainingSession, session_id)
            services.enrol(keeper, session)
            record = services.enrol(leaver, session)
            db.session.commit()
            record_id, leaver_id = record.id, leaver.id
            before = db.session.get(TrainingSession, session_id).enrolled_count
            db.session.remove()
        barrier = threading.Barrier(2, timeout=30)
        with ThreadPoolExecutor(2) as pool:
            futures = [
                pool.submit(_cancel, race_app, barrier, record_id, actor_id)
                for actor_id in (leaver_id, hr_id)
            ]
            results = sorted(f.result() for f in futures)
        assert results == ["409", "ok"], results
        with race_app.app_context():
            assert db.session.get(TrainingSession, session_id).enrolled_count == before - 1
            events = db.session.scalar(
                sa.select(sa.func.count()).where(
                    AuditEvent.action == "training_record.status",
                    AuditEvent.object_id == str(record_id),
                )
            )
            assert events == 1
            db.session.remove()
