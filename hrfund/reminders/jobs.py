"""Jobs: dispatch what is due (claim, commit, send, commit) — used by the CLI and the scheduler.

Jobs own their transactions: a claim is committed before anything is sent, and renewed before
the sends that could outlast it; each send's outcome is committed at once, so that a crash loses
at most the one message in flight (:mod:`hrfund.reminders.sending`).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from hrfund.core.db import utcnow
from hrfund.extensions import db
from hrfund.reminders import notices, sending, services
from hrfund.reminders.models import ReminderRule
from hrfund.reminders.registry import as_due_item, dates_due, watcher_for

log = logging.getLogger(__name__)


@dataclass
class DispatchResult:
    """What one dispatch did. ``already_sent``: the reminders of the dates due now that were
    delivered before (counted by rule and date; a subject no longer due among them), and those
    another process claimed a moment ago."""

    sent: int = 0
    already_sent: int = 0
    failed: int = 0
    skipped_kinds: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"sent {self.sent}, already sent {self.already_sent}, failed {self.failed}"


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def dispatch_reminders(
    now: datetime | None = None, *, kinds: set[str] | None = None, worker: str | None = None
) -> DispatchResult:
    """Send every reminder due at ``now`` exactly once, and retry what failed before."""
    now = now or utcnow()
    worker = worker or worker_name()
    result = DispatchResult()
    to_send: list[int] = []
    rules = db.session.scalars(
        sa.select(ReminderRule).where(ReminderRule.enabled.is_(True)).order_by(ReminderRule.id)
    ).all()
    for rule in rules:
        if kinds is not None and rule.kind not in kinds:
            continue
        watcher = watcher_for(rule.kind)
        if watcher is None:
            log.info("no watcher registered for reminder kind %s (rule %s)", rule.kind, rule.code)
            result.skipped_kinds.append(rule.kind)
            continue
        dates = dates_due(rule, now)
        if dates is not None:  # what the watcher leaves out as sent (its SQL skips them)
            result.already_sent += services.sent_before(rule, dates)
        items = [as_due_item(item) for item in watcher(rule, now)]
        if not items:
            continue
        claimed, notified, existing, raced = services.claim_due(rule, items, worker)
        db.session.commit()  # the claim, and in-app notifications, before any e-mail goes out
        to_send += claimed
        result.sent += notified
        result.already_sent += raced + (existing if dates is None else 0)
    to_send += services.reclaim_due(worker)
    db.session.commit()
    _testing_pause_after_claim(to_send)
    outcome = sending.send_claimed(to_send, worker)  # each claim renewed, each outcome committed
    result.sent += outcome.sent
    result.failed += outcome.failed
    result.sent += notices.send_committed()  # e-mails of notices written by a watcher
    log.info("reminders dispatched at %s by %s: %s", now.isoformat(), worker, result)
    return result


def _testing_pause_after_claim(claimed: list[int]) -> None:
    """A hook for tests only: in the testing environment, HRFUND_TEST_PAUSE_AFTER_CLAIM_SECONDS
    holds the dispatcher between its committed claims and its first send, so that a test can
    kill it there (tests/reminders/test_under_failure.py). Without the variable, or outside
    testing, it does nothing; no settings class reads it."""
    if not claimed or not current_app.testing:
        return
    seconds = os.environ.get("HRFUND_TEST_PAUSE_AFTER_CLAIM_SECONDS")
    if seconds:
        time.sleep(float(seconds))


def send_hr_digest(now: datetime | None = None) -> DispatchResult:
    """The daily digest for HR (a reminder rule of its own, so it too goes out once a day)."""
    return dispatch_reminders(now, kinds={"hr_digest"})
