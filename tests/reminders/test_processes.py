"""Real processes: the scheduler stops cleanly on SIGTERM; two schedulers at once, one killed
with SIGKILL in the middle of a batch and restarted, deliver every reminder exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from hrfund.extensions import db as _db
from hrfund.placements.models import Direction, Placement
from tests import factories
from tests.conftest import PG_URL, make_app
from tests.reminders.conftest import Inbox, free_port

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
PEOPLE = 30
#: longer than the batch takes (PEOPLE × 0.1 s): a live sender's claims are not taken over
CLAIM_TIMEOUT = 5


def _env(url: str, **extra) -> dict:
    env = dict(os.environ)
    env.update({"DATABASE_URL": url, "HRFUND_ENV": "testing", "PYTHONUNBUFFERED": "1"})
    env.update({k: str(v) for k, v in extra.items()})
    env.pop("MAIL_SERVER", None) if "MAIL_SERVER" not in extra else None
    return env


def _scheduler(env: dict, log_path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [FLASK, "--app", "wsgi", "scheduler", "run"],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_scheduler_stops_cleanly_on_sigterm(tmp_path):
    app, _cleanup = make_app("sqlite", tmp_path)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    log_path = tmp_path / "scheduler.log"
    process = _scheduler(_env(url), log_path)
    try:
        _wait_for(lambda: b"scheduler started" in log_path.read_bytes(), 30, "the start")
        _wait_for(lambda: b"reminders dispatched" in log_path.read_bytes(), 30, "a dispatch")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert b"scheduler stopped" in log_path.read_bytes()
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.skipif(
    not PG_URL,
    reason="several processes need PostgreSQL "
    "(HRFUND_TEST_DATABASE_URL); SQLite is one host's file",
)
def test_parallel_schedulers_and_a_crash_deliver_exactly_once(tmp_path):
    app, cleanup = make_app("postgresql", tmp_path)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    start_on = datetime.now(ZoneInfo("Asia/Tokyo")).date() + timedelta(days=30)
    with app.app_context():
        city = factories.city("SEL")
        people = [factories.user(["employee"]) for _ in range(PEOPLE)]
        for person in people:
            _db.session.add(
                Placement(
                    direction=Direction.OUTGOING,
                    city_id=city.id,
                    person_id=person.id,
                    start_on=start_on,
                    end_on=start_on + timedelta(days=180),
                    fiscal_year=2026,
                )
            )
        _db.session.commit()
        expected = {p.email for p in people}
        _db.session.remove()
        _db.engine.dispose()

    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = _env(
        url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        REMINDER_SEND_PAUSE_SECONDS=0.1,
        REMINDER_CLAIM_TIMEOUT_SECONDS=CLAIM_TIMEOUT,
        MAIL_TIMEOUT=CLAIM_TIMEOUT / 10,  # the longest the app accepts (config.check_timeouts)
        REMINDER_RETRY_BASE_SECONDS=1,
    )
    engine = sa.create_engine(url)
    processes: list[subprocess.Popen] = []
    try:
        processes = [_scheduler(env, tmp_path / f"s{i}.log") for i in range(2)]
        _wait_for(lambda: len(inbox.messages) >= 5, 60, "the first mails")
        with engine.connect() as conn:
            owners = set(
                conn.execute(
                    sa.text("SELECT claimed_by FROM reminder_deliveries WHERE status = 'claimed'")
                ).scalars()
            )
        assert len(owners) == 1, owners
        pid = int(owners.pop().rpartition(":")[2])
        victim = next(p for p in processes if p.pid == pid)
        time.sleep(0.05)  # between two messages (each waits 0.1 s before it is sent)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        got_before_restart = len(inbox.messages)
        assert got_before_restart < PEOPLE, "the batch finished before the kill"

        time.sleep(CLAIM_TIMEOUT + 0.5)  # the dead process's claims time out
        processes.append(_scheduler(env, tmp_path / "s-restart.log"))
        _wait_for(lambda: len(inbox.messages) >= PEOPLE, 60, "every mail")
        time.sleep(1.0)  # anything extra would arrive now
        for process in processes:
            if process is not victim:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            if process is not victim:
                assert process.wait(timeout=20) == 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        controller.stop()

    received = Counter(rcpt for rcpts, _m in inbox.messages for rcpt in rcpts)
    assert set(received) == expected
    assert all(n == 1 for n in received.values()), received.most_common(3)
    with engine.connect() as conn:
        states = Counter(
            conn.execute(
                sa.text("SELECT status FROM reminder_deliveries WHERE channel = 'email'")
            ).scalars()
        )
        notes = conn.execute(sa.text("SELECT count(*) FROM notifications")).scalar()
    assert states == {"sent": PEOPLE}
    assert notes == PEOPLE
    engine.dispose()
    if cleanup:
        cleanup()
