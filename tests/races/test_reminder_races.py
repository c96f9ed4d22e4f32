"""A dispatcher's claims stay its own while it sends (issue 16): a batch that takes longer than
the claim timeout is not taken over mid-batch by another dispatcher, so no e-mail goes out
twice — on real PostgreSQL, two dispatchers in two threads with connections of their own, to a
slow SMTP server on loopback (aiosmtpd).

Dispatcher A claims every reminder of a group of people, then sends them one by one, slowly;
its last claims are older than the claim timeout long before it reaches them. Dispatcher B
runs meanwhile, again and again, as a second scheduler does: it takes over a claim once it is
older than the timeout. Before, B took over the claims A had not reached, and the one A was
sending at that moment went out twice. A renews its claims before a send that could outlast
them: B finds nothing to take over, and each person gets one e-mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from hrfund.extensions import db
from hrfund.placements.models import Direction, Placement
from hrfund.reminders.jobs import dispatch_reminders
from tests import factories, smtp_guard
from tests.conftest import PG_URL, make_app
from tests.reminders.conftest import Inbox, at, free_port

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="races need real PostgreSQL connections"),
    pytest.mark.xdist_group("races"),
]
PEOPLE = 40
CLAIM_TIMEOUT = 3.0  # seconds: A's batch takes longer
SMTP_DELAY = 0.1  # each message's DATA waits this long at the server
START = date(2031, 5, 1)


class SlowInbox(Inbox):
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(SMTP_DELAY)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp():
    inbox, port = SlowInbox(), free_port()
    smtp_guard.allow(port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    with contextlib.suppress(AssertionError):
        controller.stop()


def test_a_batch_longer_than_its_claims_is_not_taken_over_and_sends_each_once(tmp_path, slow_smtp):
    inbox, port = slow_smtp
    app, cleanup = make_app(
        "postgresql",
        tmp_path,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_TIMEOUT=CLAIM_TIMEOUT / 10,  # the longest the settings accept
        REMINDER_CLAIM_TIMEOUT_SECONDS=CLAIM_TIMEOUT,
    )
    try:
        with app.app_context():
            city = factories.city("SEL")
            people = [factories.user(["employee"]) for _ in range(PEOPLE)]
            for person in people:
                db.session.add(
                    Placement(
                        direction=Direction.OUTGOING,
                        city_id=city.id,
                        person_id=person.id,
                        start_on=START,
                        end_on=START + timedelta(days=180),
                        fiscal_year=START.year,
                    )
                )
            db.session.commit()
            emails = {p.email for p in people}
            db.session.remove()
        instant = at(START - timedelta(days=30))
        kinds = {"placement_start"}
        done, outcomes, errors = threading.Event(), {}, []

        def dispatcher_a():
            try:
                with app.app_context():
                    outcomes["a"] = dispatch_reminders(instant, kinds=kinds, worker="a")
            except Exception as error:  # noqa: BLE001 - shown by the assertion
                errors.append(repr(error))
            finally:
                done.set()

        def a_holds_its_claims() -> bool:
            held = db.session.scalar(
                sa.text(
                    "SELECT count(*) FROM reminder_deliveries"
                    " WHERE channel = 'email' AND claimed_by = 'a'"
                )
            )
            db.session.rollback()  # a fresh snapshot for the next look
            return held == PEOPLE

        def dispatcher_b():
            runs = []
            try:
                with app.app_context():
                    # the designed case: A has claimed the whole batch before B first runs
                    # (B claiming first once tested the mirror case instead)
                    deadline = time.monotonic() + 30
                    while not done.is_set() and time.monotonic() < deadline:
                        if a_holds_its_claims():
                            break
                        time.sleep(0.02)
                    while not done.is_set():
                        result = dispatch_reminders(instant, kinds=kinds, worker="b")
                        db.session.remove()
                        runs.append(result.sent)
                        time.sleep(0.1)
            except Exception as error:  # noqa: BLE001 - shown by the assertion
                errors.append(repr(error))
            outcomes["b"] = runs

        threads = [threading.Thread(target=dispatcher_a), threading.Thread(target=dispatcher_b)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        took = time.monotonic() - started
        time.sleep(0.5)  # anything sent twice has arrived by now
        assert errors == []
        # the race happened: A's batch outlasted the claims it made at its start
        assert took > CLAIM_TIMEOUT * 1.2, took
        received = Counter(r for rcpts, _m in inbox.messages for r in rcpts if r in emails)
        assert set(received) == emails
        assert received.most_common(1)[0][1] == 1, received.most_common(3)
        with app.app_context():
            rows = db.session.execute(
                sa.text(
                    "SELECT status, claimed_by, count(*) FROM reminder_deliveries"
                    " WHERE channel = 'email' GROUP BY 1, 2"
                )
            ).all()
            db.session.remove()
            db.engine.dispose()
        # A claimed the batch first and kept it: it sent every e-mail, once; B took over none
        assert [tuple(r) for r in rows] == [("sent", "a", PEOPLE)], rows
        assert sum(outcomes["b"]) == 0, outcomes["b"]
        assert outcomes["a"].sent + sum(outcomes["b"]) == 2 * PEOPLE, outcomes
    finally:
        if cleanup:
            cleanup()
