"""Deliveries: render, claim, send, retry — each reminder exactly once.

Exactly once: a delivery row is *claimed* by inserting it — its unique key (rule, subject, due
date, recipient, channel) makes a second claim fail, whatever process or host tries — and only
then is the e-mail sent and the row marked sent. In-app notifications are written in the same
transaction as their claim. A claim whose sender died is taken over after
REMINDER_CLAIM_TIMEOUT_SECONDS; an SMTP failure is retried with exponential backoff and shown to
HR. The transactions are the caller's (see :mod:`hrfund.reminders.jobs`); these functions flush.
The sending is :mod:`hrfund.reminders.sending`'s.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from jinja2 import TemplateNotFound
from sqlalchemy.dialects.postgresql import ARRAY

from hrfund.auth.models import Role, User
from hrfund.core.audit import record_event
from hrfund.core.db import insert_ignoring_conflicts, rows_changed, utcnow
from hrfund.core.errors import NotAllowed, ValidationFailed
from hrfund.core.mail import recipient_language, render_text
from hrfund.core.permissions import allowed
from hrfund.extensions import db
from hrfund.reminders.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Notification,
    ReminderRule,
)
from hrfund.reminders.notification_texts import in_every_language
from hrfund.reminders.registry import KIND_LABELS, DueItem

log = logging.getLogger(__name__)
KEY_COLUMNS = ("rule_id", "subject_type", "subject_id", "due_on", "recipient_id", "channel")
CHUNK = 500

# ---------------------------------------------------------------- rendering


def _link(endpoint: str, **values: Any) -> str:
    base = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    adapter = current_app.url_map.bind("localhost", url_scheme="http")
    return base + str(adapter.build(endpoint, values))


def subject_link(item: DueItem) -> str | None:
    """Where the reminder takes its reader."""
    context = item.context or {}
    if "placement" in context:
        return _link("placements.detail", placement_id=context["placement"].id)
    links = {
        "nomination": ("placements.nomination", {"nomination_id": item.subject_id}),
        "training_record": ("training.my_history", {}),
        "language_score": ("training.my_history", {}),
        "digest": ("reminders.deliveries", {}),
        "call": ("applications.call", {"call_id": item.subject_id}),
        "application": ("applications.application", {"application_id": item.subject_id}),
    }
    if item.subject_type in links:
        endpoint, values = links[item.subject_type]
        if endpoint in current_app.view_functions:
            return _link(endpoint, **values)
    return context.get("link")


def render_message(rule: ReminderRule, item: DueItem, user: User) -> tuple[str, str, str | None]:
    """(title, body, link) of one reminder, in ``user``'s language and time zone.

    The template ``reminders/mail/<kind>.html`` gives the subject on its first line, then a
    blank line and the body; ``_layout`` adds the greeting and the footer."""
    link = subject_link(item)
    with recipient_language(user) as local:
        context = {
            "rule": rule,
            "item": item,
            "due_on": item.due_on,
            "recipient": user,
            "local": local,
            "lang": local.locale,
            "link": link,
            "kind_label": KIND_LABELS.get(rule.kind, rule.kind),
            **(item.context or {}),
        }
        try:
            text = render_text(f"reminders/mail/{rule.kind}.html", **context)
        except TemplateNotFound:
            text = render_text("reminders/mail/_generic.html", **context)
    title, _, body = text.strip("\n").partition("\n")
    body = re.sub(r"\n{3,}", "\n\n", body.strip("\n"))
    return title.strip()[:255], body + "\n", link


# ---------------------------------------------------------------- claiming


Key = tuple[str, int, date, int, Channel]  # subject type and id, date, recipient, channel


def _delivery_row(
    rule_id: int, key: Key, message: tuple[str, str, str | None], now: datetime, worker: str
) -> dict[str, Any]:
    in_app = key[4] == Channel.IN_APP
    title, body, link = message
    return {
        "rule_id": rule_id,
        "subject_type": key[0],
        "subject_id": key[1],
        "due_on": key[2],
        "recipient_id": key[3],
        "channel": key[4].value,
        "status": (DeliveryStatus.SENT if in_app else DeliveryStatus.CLAIMED).value,
        "attempts": 1 if in_app else 0,
        "claimed_at": now,
        "claimed_by": worker,
        "sent_at": now if in_app else None,
        "title": title,
        "body": body,
        "link": link,
        "created_at": now,
    }


def _insert_ignoring_duplicates(rows: list[dict[str, Any]]) -> dict[Key, int]:
    """INSERT the deliveries whose key does not exist (nor is being inserted by another
    process), CHUNK rows a statement: the ids of those this call claimed, by key."""
    dialect = db.session.get_bind().dialect.name
    claimed: dict[Key, int] = {}
    for start in range(0, len(rows), CHUNK):
        stmt = (
            insert_ignoring_conflicts(dialect, Delivery, list(KEY_COLUMNS))
            .values(rows[start : start + CHUNK])
            .returning(Delivery.id, *(getattr(Delivery, c) for c in KEY_COLUMNS[1:]))
        )
        for delivery_id, *key in db.session.execute(stmt):
            claimed[(key[0], key[1], key[2], key[3], Channel(key[4]))] = delivery_id
    return claimed


def write_deliveries(
    rule_id: int,
    deliveries: Sequence[tuple[Key, User, tuple[str, str, str | None], Callable[[Any], Any]]],
    *,
    now: datetime,
    worker: str,
) -> dict[Key, int]:
    """Write deliveries (key, recipient, (title, body, link), render), claimed by ``worker``:
    an in-app one is sent at once, as its notification (in every language, by
    ``render(reader)``); an e-mail waits for the sender. The ids of those written, by key;
    a key written already (before, or by another process a moment ago) is left out."""
    rows = [
        _delivery_row(rule_id, key, message, now, worker) for key, _u, message, _r in deliveries
    ]
    claimed = _insert_ignoring_duplicates(rows)
    for key, user, (title, body, link), render in deliveries:
        if key[4] == Channel.IN_APP and key in claimed:
            db.session.add(
                Notification(
                    user_id=user.id,
                    delivery_id=claimed[key],
                    title=title,
                    body=body,
                    link=link,
                    created_at=now,
                    texts=in_every_language(render, user),
                )
            )
    return claimed


def write_delivery(
    rule_id: int,
    key: tuple[str, int, date],
    user: User,
    channel: Channel,
    message: tuple[str, str, str | None],
    render: Callable[[Any], tuple[Any, ...]],
    *,
    now: datetime,
    worker: str,
) -> int | None:
    """:func:`write_deliveries` of one: its id, or None when its key was written already."""
    full_key: Key = (key[0], key[1], key[2], user.id, channel)
    claimed = write_deliveries(rule_id, [(full_key, user, message, render)], now=now, worker=worker)
    return claimed.get(full_key)


def _existing_keys(rule: ReminderRule, items: list[DueItem]) -> set[tuple[Any, ...]]:
    """The keys of ``rule``'s deliveries of these subjects: one statement on PostgreSQL
    (``= ANY`` of an array), chunks of ``IN`` elsewhere."""
    found: set[tuple[Any, ...]] = set()
    ids = sorted({item.subject_id for item in items})
    columns = [getattr(Delivery, c) for c in KEY_COLUMNS[1:]]
    if db.session.get_bind().dialect.name == "postgresql":
        chunks = [Delivery.subject_id == sa.any_(sa.literal(ids, ARRAY(sa.Integer)))] if ids else []
    else:
        chunks = [Delivery.subject_id.in_(ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK)]
    for condition in chunks:
        stmt = sa.select(*columns).where(Delivery.rule_id == rule.id, condition)
        found.update((t, i, d, r, Channel(c)) for t, i, d, r, c in db.session.execute(stmt))
    return found


def sent_before(rule: ReminderRule, dates: tuple[date, date]) -> int:
    """How many deliveries ``rule`` made before for the dates due now (``dates``, its window):
    the reminders its watcher now leaves out as sent. One count on
    ``ix_reminder_deliveries_rule_due``."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Delivery)
            .where(Delivery.rule_id == rule.id, Delivery.due_on.between(*dates))
        )
        or 0
    )


def claim_due(
    rule: ReminderRule, items: Iterable[DueItem], worker: str
) -> tuple[list[int], int, int, int]:
    """Claim every (item, recipient, channel) of ``rule`` not claimed before.

    Returns (e-mail delivery ids claimed by ``worker`` — to send after commit —, in-app
    notifications written, deliveries that existed already, deliveries another process
    claimed a moment ago)."""
    items = list(items)
    existing = _existing_keys(rule, items)
    recipient_ids = {r for item in items for r in item.recipients}
    users = (
        {
            u.id: u
            for u in db.session.scalars(
                sa.select(User).where(User.id.in_(recipient_ids), User.active.is_(True))
            )
        }
        if recipient_ids
        else {}
    )
    deliveries = []
    already = 0
    for item in items:
        for recipient_id in dict.fromkeys(item.recipients):
            user = users.get(recipient_id)
            if user is None:
                continue
            message = None
            for channel in rule.channel_list:
                key = (item.subject_type, item.subject_id, item.due_on, recipient_id, channel)
                if key in existing:
                    already += 1
                    continue
                message = message or render_message(rule, item, user)
                render = functools.partial(render_message, rule, item)
                deliveries.append((key, user, message, render))
    claimed = write_deliveries(rule.id, deliveries, now=utcnow(), worker=worker)
    emails = [i for key, i in claimed.items() if key[4] == Channel.EMAIL]
    db.session.flush()
    return sorted(emails), len(claimed) - len(emails), already, len(deliveries) - len(claimed)


def reclaim_due(worker: str, limit: int = 500) -> list[int]:
    """Take over e-mails whose retry time has come, and claims whose sender died."""
    cfg = current_app.config
    now = utcnow()
    stale = now - timedelta(seconds=cfg["REMINDER_CLAIM_TIMEOUT_SECONDS"])
    candidates = db.session.execute(
        sa.select(
            Delivery.id,
            Delivery.status,
            Delivery.claimed_by,
            Delivery.claimed_at,
            Delivery.attempts,
        )
        .where(
            sa.or_(
                sa.and_(Delivery.status == DeliveryStatus.FAILED, Delivery.next_attempt_at <= now),
                sa.and_(Delivery.status == DeliveryStatus.CLAIMED, Delivery.claimed_at < stale),
            )
        )
        .order_by(Delivery.id)
        .limit(limit)
    ).all()
    taken = []
    for row in candidates:
        # Compare-and-set: of several processes taking over the same row, one wins.
        result = db.session.execute(
            sa.update(Delivery)
            .where(
                Delivery.id == row.id,
                Delivery.status == row.status,
                Delivery.attempts == row.attempts,
                Delivery.claimed_by.is_(None)
                if row.claimed_by is None
                else Delivery.claimed_by == row.claimed_by,
                Delivery.claimed_at.is_(None)
                if row.claimed_at is None
                else Delivery.claimed_at == row.claimed_at,
            )
            .values(
                status=DeliveryStatus.CLAIMED,
                claimed_by=worker,
                claimed_at=now,
                next_attempt_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        if rows_changed(result) == 1:
            if row.status == DeliveryStatus.CLAIMED:
                log.warning(
                    "delivery %s: sender %s gave no news, %s takes over",
                    row.id,
                    row.claimed_by,
                    worker,
                )
            taken.append(row.id)
    return taken


def check_retry(actor: User, delivery: Delivery) -> None:
    """HR alone retries, and only a failed delivery."""
    if not actor.has_role(Role.HR):
        raise NotAllowed(str(_l("Only HR retries deliveries.")))
    if delivery.status != DeliveryStatus.FAILED:
        raise ValidationFailed(str(_l("Only a failed delivery can be retried.")))


def can_retry(actor: User, delivery: Delivery) -> bool:
    return allowed(check_retry, actor, delivery)


def retry_delivery(actor: User, delivery: Delivery) -> Delivery:
    """HR sends a failed e-mail again at the next dispatch."""
    check_retry(actor, delivery)
    delivery.next_attempt_at = utcnow()
    if delivery.attempts >= current_app.config["REMINDER_MAX_ATTEMPTS"]:
        delivery.attempts = current_app.config["REMINDER_MAX_ATTEMPTS"] - 1
    record_event(actor, "reminder.retry", delivery, object_type="reminder_deliveries")
    db.session.flush()
    return delivery
