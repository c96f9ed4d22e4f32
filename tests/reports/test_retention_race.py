"""Two retention runs at once (two scheduler hosts, or the scheduler and an operator's
``flask retention run``): every record past its period is anonymised exactly once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from hrfund.applications.models import Application
from hrfund.auth.anonymous import ANONYMOUS_DOMAIN
from hrfund.auth.models import User
from hrfund.core.audit import AuditEvent
from hrfund.extensions import db
from hrfund.reports.retention_jobs import run_retention
from tests.conftest import PG_URL, make_app
from tests.reports.privacy_world import build_world


@pytest.fixture(scope="module")
def race_app(tmp_path_factory):
    if not PG_URL:
        pytest.skip("races need real PostgreSQL connections: set HRFUND_TEST_DATABASE_URL")
    app, cleanup = make_app("postgresql", tmp_path_factory.mktemp("retention-race"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    cleanup()


def test_two_runs_at_once_anonymise_each_record_once(race_app):
    with race_app.app_context(), force_locale("en"):
        w = build_world()
        db.session.commit()
        declined_id = w.declined.id
    barrier = threading.Barrier(2, timeout=30)

    def run():
        with race_app.app_context():
            barrier.wait()
            try:
                return run_retention(batch_size=1).counts
            finally:
                db.session.remove()

    with ThreadPoolExecutor(2) as pool:
        results = [f.result() for f in [pool.submit(run), pool.submit(run)]]

    totals = {k: sum(r[k] for r in results) for k in results[0]}
    assert totals["applications"] == 3
    assert totals["nominations"] == 1
    assert totals["unverified_scores"] == 2
    with race_app.app_context():
        placeholders = db.session.scalar(
            sa.select(sa.func.count()).where(User.email.like(f"%@{ANONYMOUS_DOMAIN}"))
        )
        assert placeholders == 3 + 2  # one per anonymised record, none made twice
        assert db.session.get(Application, declined_id).statement == ""
        runs = db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "retention.run")
        )
        assert runs == 2
