"""Sending claimed e-mails: each while its claim is this dispatcher's and fresh, each outcome
committed at once.

A claim is taken over by another dispatcher once it is REMINDER_CLAIM_TIMEOUT_SECONDS old (its
sender is presumed dead, :func:`hrfund.reminders.services.reclaim_due`). A long batch would
outlive its claims while its sender is still alive and sending: the other dispatcher would send
the same e-mail again. So the claims of a batch are renewed — a conditional UPDATE of those
still ``claimed`` by this worker, committed — before its first send, and again before any send
that could end after the renewed claims expire (the longest an SMTP send can take is MAIL_TIMEOUT
× SMTP_WAITS_PER_SEND, which the settings keep within the claim timeout); a delivery whose claim
is not ours any more is not sent. Each send's outcome is committed before the next, so that a
crash loses at most the one message in flight (it is then sent again once its claim times out).

Per e-mail: its SMTP exchange and one UPDATE; per batch of up to ``BATCH``, two statements.
This module commits: it is the sending half of a job (:mod:`hrfund.reminders.jobs`).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from hrfund.auth.models import User
from hrfund.core.db import utcnow
from hrfund.core.mail import send_mail
from hrfund.extensions import db
from hrfund.reminders.models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)
BATCH = 100


@dataclass
class Sent:
    """What sending did: e-mails sent, failed (retried later, or given up), not ours any more."""

    sent: int = 0
    failed: int = 0
    lost: int = 0


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: base × 2^(attempts-1), at most a day."""
    base = current_app.config["REMINDER_RETRY_BASE_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 86_400))


def _mail_domain() -> str:
    return current_app.config["MAIL_FROM"].rpartition("@")[2] or "hrfund"


def renew_claims(delivery_ids: list[int], worker: str) -> list[int]:
    """Renew ``worker``'s claims of these deliveries (now): the ids still claimed by it. The
    caller commits at once; from then on no other dispatcher takes them over for a claim
    timeout. A claim taken over already, or sent, failed or deleted, is left alone."""
    if not delivery_ids:
        return []
    result = db.session.execute(
        sa.update(Delivery)
        .where(
            Delivery.id.in_(delivery_ids),
            Delivery.status == DeliveryStatus.CLAIMED,
            Delivery.claimed_by == worker,
        )
        .values(claimed_at=utcnow())
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.scalars())


def _messages(delivery_ids: list[int]) -> list[sa.Row[Any]]:
    if not delivery_ids:
        return []
    return list(
        db.session.execute(
            sa.select(Delivery.id, Delivery.attempts, Delivery.title, Delivery.body, User.email)
            .join(User, User.id == Delivery.recipient_id)
            .where(Delivery.id.in_(delivery_ids))
            .order_by(Delivery.id)
        )
    )


def _record(message: sa.Row[Any], worker: str, error: Exception | None) -> None:
    """The outcome of one send, on the delivery this worker still holds."""
    attempts = message.attempts + 1
    if error is None:
        values: dict[str, Any] = {
            "status": DeliveryStatus.SENT,
            "sent_at": utcnow(),
            "last_error": None,
        }
    else:
        retry = attempts < current_app.config["REMINDER_MAX_ATTEMPTS"]
        values = {
            "status": DeliveryStatus.FAILED,
            "last_error": str(error)[:2000],
            "claimed_by": None,
            "next_attempt_at": utcnow() + backoff(attempts) if retry else None,
        }
        log.warning(
            "reminder %s to %s failed (attempt %s): %s", message.id, message.email, attempts, error
        )
    db.session.execute(
        sa.update(Delivery)
        .where(
            Delivery.id == message.id,
            Delivery.status == DeliveryStatus.CLAIMED,
            Delivery.claimed_by == worker,
        )
        .values(attempts=attempts, **values)
        .execution_options(synchronize_session=False)
    )


def _send(message: sa.Row[Any], domain: str) -> Exception | None:
    try:
        send_mail(
            message.email,
            message.title,
            message.body,
            message_id=f"<reminder-{message.id}@{domain}>",
        )
    except Exception as failure:  # noqa: BLE001 - any failure of a send is retried
        return failure
    return None


def send_claimed(delivery_ids: Iterable[int], worker: str) -> Sent:
    """Send the claimed e-mails ``delivery_ids`` of ``worker``, batch by batch; commits."""
    cfg = current_app.config
    timeout = float(cfg["REMINDER_CLAIM_TIMEOUT_SECONDS"])
    pause = float(cfg.get("REMINDER_SEND_PAUSE_SECONDS") or 0)
    longest = float(cfg["MAIL_TIMEOUT"]) * cfg["SMTP_WAITS_PER_SEND"] + pause
    domain, outcome = _mail_domain(), Sent()
    ids = list(dict.fromkeys(delivery_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        renewed_at, fresh = time.monotonic(), True
        ours = renew_claims(batch, worker)
        db.session.commit()
        outcome.lost += len(batch) - len(ours)
        queue = deque(_messages(ours))
        db.session.commit()
        while queue:
            if not fresh and time.monotonic() + longest > renewed_at + timeout:
                # the next send could end after the claims expire: renew what is left
                renewed_at, fresh = time.monotonic(), True
                still = set(renew_claims([m.id for m in queue], worker))
                db.session.commit()
                outcome.lost += len(queue) - len(still)
                queue = deque(m for m in queue if m.id in still)
                continue
            message = queue.popleft()
            if pause:
                time.sleep(pause)  # spares the SMTP relay's rate limit
            error = _send(message, domain)
            _record(message, worker, error)
            db.session.commit()
            fresh = False
            if error is None:
                outcome.sent += 1
            else:
                outcome.failed += 1
    return outcome
