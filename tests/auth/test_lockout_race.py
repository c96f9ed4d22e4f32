"""Failed logins raced through real PostgreSQL connections, in threads and in processes:
every failure is counted once (the old read-add-write in Python ended at 4 of 16)."""

from __future__ import annotations

import multiprocessing
import threading

import pytest
import sqlalchemy as sa

from hrfund.auth import lockout
from hrfund.auth.models import LoginThrottle, User
from hrfund.auth.sessions import LoginRefused, authenticate
from hrfund.core.audit import AuditEvent
from hrfund.core.db import utcnow
from hrfund.extensions import db
from tests import factories
from tests.conftest import make_app

pytestmark = pytest.mark.postgres_only

ATTEMPTS = 16
WRONG = "wrong-password-1"
UNKNOWN = "nobody-races@metro.tokyo.example"


@pytest.fixture(scope="module")
def race_app(app, tmp_path_factory):
    """A private PostgreSQL database for the module, outside the rolled-back test transaction."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("needs real concurrent connections (PostgreSQL)")
    options = {"pool_pre_ping": True, "pool_size": ATTEMPTS + 2}
    race, cleanup = make_app(
        "postgresql", tmp_path_factory.mktemp("race"), SQLALCHEMY_ENGINE_OPTIONS=options
    )
    yield race
    with race.app_context():
        db.engine.dispose()
    cleanup()


@pytest.fixture
def threshold(race_app):
    """Set the lockout threshold of the race app for one test."""
    saved = race_app.config["LOGIN_LOCKOUT_THRESHOLD"]

    def set_to(value: int) -> None:
        race_app.config["LOGIN_LOCKOUT_THRESHOLD"] = value

    yield set_to
    race_app.config["LOGIN_LOCKOUT_THRESHOLD"] = saved


def _new_user(app) -> tuple[int, str]:
    with app.app_context():
        user = factories.user(["admin"])
        db.session.commit()
        result = user.id, user.email
        db.session.remove()
        return result


def _attempt(app, email, barrier) -> str:
    with app.app_context():
        try:
            barrier.wait(timeout=30)
            authenticate(email, WRONG)
        except LoginRefused as refused:
            outcome = refused.message
        else:  # pragma: no cover - a wrong password never logs in
            outcome = "logged in"
        db.session.commit()
        db.session.remove()
        return outcome


def _in_threads(app, email) -> list[str]:
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []

    def run():
        outcomes.append(_attempt(app, email, barrier))

    threads = [threading.Thread(target=run) for _ in range(ATTEMPTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def _in_processes(app, email) -> list[str]:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(ATTEMPTS)
    with app.app_context():
        db.engine.dispose()  # no parent connection crosses the fork

    def run():
        with app.app_context():
            db.engine.dispose(close=False)
        _attempt(app, email, barrier)

    processes = [ctx.Process(target=run) for _ in range(ATTEMPTS)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=60)
    assert [p.exitcode for p in processes] == [0] * ATTEMPTS
    return ["?"] * ATTEMPTS


def _counter(app, user_id, name):
    with app.app_context():
        if user_id is not None:
            row = db.session.get(User, user_id)
        else:
            row = db.session.get(LoginThrottle, lockout.throttle_key(name))
        result = (row.failed_logins, row.locked_until)
        db.session.remove()
        return result


@pytest.mark.parametrize(
    ("kind", "runner"),
    [("account", _in_threads), ("account", _in_processes), ("unknown", _in_threads)],
    ids=["account-threads", "account-processes", "unknown-threads"],
)
def test_sixteen_parallel_wrong_passwords_count_sixteen(race_app, threshold, runner, kind):
    threshold(1000)  # no lock: every attempt reaches the count
    user_id, email = _new_user(race_app)
    name = email if kind == "account" else f"{kind}-{runner.__name__}-{UNKNOWN}"
    outcomes = runner(race_app, name)
    assert len(outcomes) == ATTEMPTS
    assert _counter(race_app, user_id if kind == "account" else None, name) == (ATTEMPTS, None)


def test_parallel_failures_past_the_threshold_leave_the_lock_they_imply(race_app):
    """With the usual threshold: every checked password is counted once, and the lock is the
    one that count calls for (the longest of the racing ones)."""
    user_id, email = _new_user(race_app)
    started = utcnow()
    assert len(_in_threads(race_app, email)) == ATTEMPTS
    failures, locked_until = _counter(race_app, user_id, email)
    with race_app.app_context():
        checked = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "login.failed",
                AuditEvent.comment == "wrong password",
                AuditEvent.object_id == str(user_id),
            )
        )
        delay = lockout.lock_delay(failures)
        db.session.remove()
    assert failures == checked >= race_app.config["LOGIN_LOCKOUT_THRESHOLD"]
    assert started + delay <= locked_until <= utcnow() + delay


def _lock_notices(app, user_id) -> dict[int, int]:
    """Per administrator: the in-app notices of ``user_id``'s lock."""
    from hrfund.reminders.models import Notification

    with app.app_context():
        rows = db.session.execute(
            sa.select(Notification.user_id, sa.func.count())
            .where(Notification.link.like(f"%/admin/users/{user_id}"))
            .group_by(Notification.user_id)
        ).all()
        db.session.remove()
        return dict(rows)


@pytest.mark.parametrize("runner", [_in_threads, _in_processes], ids=["threads", "processes"])
def test_racing_failures_that_lock_tell_each_administrator_once(race_app, runner):
    user_id, email = _new_user(race_app)
    watcher_id, _email = _new_user(race_app)  # another administrator, who is told
    runner(race_app, email)
    assert _counter(race_app, user_id, email)[1] is not None  # locked
    told = _lock_notices(race_app, user_id)
    assert told[watcher_id] == 1, told
    assert set(told.values()) == {1}, told
