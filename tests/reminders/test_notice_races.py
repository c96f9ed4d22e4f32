"""Real concurrency on PostgreSQL: schedulers racing (threads, then processes) to tell the
deputy of a delegation starting today tell them once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from hrfund.applications.delegations import create_delegation
from hrfund.extensions import db as _db
from hrfund.reminders.jobs import dispatch_reminders
from tests import factories
from tests.conftest import PG_URL, make_app
from tests.reminders.conftest import at

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
START = date(2026, 7, 1)
COUNT = """SELECT channel, count(*) FROM reminder_deliveries d JOIN reminder_rules r
           ON r.id = d.rule_id WHERE r.code = 'notice_delegation_started' GROUP BY channel"""

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="real concurrent connections need PostgreSQL"),
]


@pytest.fixture
def pg(tmp_path):
    """A private PostgreSQL database with a delegation starting on START, told nobody yet."""
    app, cleanup = make_app("postgresql", tmp_path)
    with app.app_context(), time_machine.travel(at(START - timedelta(days=20)), tick=True):
        department = factories.department("UD-PLN")
        manager = factories.user(["manager", "employee"], department=department)
        deputy = factories.user(["employee"], department=department)
        create_delegation(manager, deputy=deputy, starts_on=START, ends_on=START + timedelta(7))
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()
    yield app
    with app.app_context():
        _db.engine.dispose()
    cleanup()


def _counts(app) -> dict:
    with app.app_context():
        counts = dict(_db.session.execute(sa.text(COUNT)).all())
        _db.session.remove()
        return counts


def test_threads_dispatching_at_once_tell_the_deputy_once(pg):
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def dispatch(i):
        try:
            with pg.app_context():
                barrier.wait()
                dispatch_reminders(at(START, 9), worker=f"thread-{i}")
                _db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=dispatch, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert _counts(pg) == {"email": 1, "in_app": 1}


def test_processes_dispatching_at_once_tell_the_deputy_once(pg):
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": pg.config["SQLALCHEMY_DATABASE_URI"],
            "HRFUND_ENV": "testing",
        }
    )
    env.pop("MAIL_SERVER", None)
    command = [FLASK, "--app", "wsgi", "reminders", "run", "--now", "2026-07-01T09:00+09:00"]
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0].decode() for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    assert _counts(pg) == {"email": 1, "in_app": 1}
