"""Event notices: each workflow event tells the next people, once, in their language.

The lower modules send the signals of :mod:`hrfund.core.signals` right after a change; this
module subscribes once (:func:`init_app`, at app setup) and turns each event into deliveries of
the reminders (the same exactly-once records): in the SAME transaction as the event, so that a
refused or rolled-back action tells nobody. An in-app notice is written at once; an e-mail is
claimed by this session and sent only after the commit (:func:`send_committed`, called when the
app context ends and by the dispatcher). A claim whose sender died is taken over by the
dispatcher after REMINDER_CLAIM_TIMEOUT_SECONDS, like any reminder's.

Unique key of a delivery: (rule of the kind, "notice_event", event id, date, recipient, channel)
— one NoticeEvent row per event —, or for a delegation (rule, "delegation", id, start date, …),
which its creation and the dispatcher on its start date may both try: only one wins.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import uuid
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from hrfund.applications.models import Delegation
from hrfund.auth.models import User
from hrfund.core import signals
from hrfund.core.db import utcnow
from hrfund.core.fiscal import tokyo_today
from hrfund.core.mail import recipient_language, render_text
from hrfund.core.windows import after_window
from hrfund.extensions import db
from hrfund.reminders import sending, services
from hrfund.reminders.audiences import the_person
from hrfund.reminders.models import (
    Channel,
    NoticeEvent,
    ReminderRule,
)
from hrfund.reminders.notice_kinds import (
    APPLICATION_ACTIONS,
    KINDS,
    PLACEMENT_ACTIONS,
    Notice,
    application_notice,
    delegation_notice,
    entry_notice,
    lock_notice,
    nomination_notice,
    placement_notice,
    report_notice,
    rule_code,
)
from hrfund.reminders.notice_prefs import email_off
from hrfund.reminders.registry import KIND_LABELS

log = logging.getLogger(__name__)
PENDING, READY, WORKER = "hrfund_notice_pending", "hrfund_notice_ready", "hrfund_notice_worker"


# ---------------------------------------------------------------- rendering


def _link(notice: Notice) -> str | None:
    if notice.link is None:
        return None
    endpoint, values = notice.link
    if endpoint not in current_app.view_functions:
        return None
    return services._link(endpoint, **values)


def render_notice(notice: Notice, user: User, link: str | None) -> tuple[str, str, str]:
    """(title, the one line shown in the app, the e-mail body) in ``user``'s language."""
    _label, title_of, line_of = KINDS[notice.kind]
    with recipient_language(user) as local:
        params = notice.params(local)
        title, line = title_of(params), line_of(params)
        text = render_text(
            "reminders/mail/notice.html",
            title=title,
            line=line,
            comment=notice.comment,
            recipient=user,
            lang=local.locale,
            link=link,
            settings_link=services._link("reminders.notice_settings"),
        )
    _subject, _, body = text.strip("\n").partition("\n")
    body = re.sub(r"\n{3,}", "\n\n", body.strip("\n")) + "\n"
    return title.strip()[:255], line.strip(), body


# ---------------------------------------------------------------- creating


def _worker(session: Session) -> str:
    if WORKER not in session.info:
        session.info[WORKER] = (
            f"notice:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:128]
        )
    return session.info[WORKER]


def tell(notice: Notice, actor: User | None = None) -> int:
    """Write the notice of one event for each recipient (but the actor): in-app now, e-mail
    claimed for after the commit. Returns how many deliveries were written."""
    rule = db.session.scalar(
        sa.select(ReminderRule).where(ReminderRule.code == rule_code(notice.kind))
    )
    if rule is None or not rule.enabled:
        return 0
    actor_id = getattr(actor, "id", None)
    ids = [r for r in dict.fromkeys(notice.recipients) if r is not None and r != actor_id]
    users = (
        list(db.session.scalars(sa.select(User).where(User.id.in_(ids), User.active.is_(True))))
        if ids
        else []
    )
    if not users:
        return 0
    if notice.key is None:
        event = NoticeEvent(
            kind=notice.kind,
            object_type=notice.object_type,
            object_id=notice.object_id,
            actor_id=actor_id,
        )
        db.session.add(event)
        db.session.flush()
        subject_type, subject_id, due_on = "notice_event", event.id, tokyo_today()
    else:
        subject_type, subject_id, due_on = notice.key
    no_mail = email_off([u.id for u in users], notice.kind)
    session = db.session()
    worker, now, link, written = _worker(session), utcnow(), _link(notice), 0
    for user in sorted(users, key=lambda u: u.id):
        title, line, mail_body = render_notice(notice, user, link)
        for channel in rule.channel_list:
            if channel == Channel.EMAIL and user.id in no_mail:
                continue
            in_app = channel == Channel.IN_APP
            delivery_id = services.write_delivery(
                rule.id,
                (subject_type, subject_id, due_on),
                user,
                channel,
                (title, line if in_app else mail_body, link),
                lambda reader: render_notice(notice, reader, link),
                now=now,
                worker=worker,
            )
            if delivery_id is None:
                continue  # told already (a delegation: created and started the same day)
            written += 1
            if not in_app:
                session.info.setdefault(PENDING, []).append(delivery_id)
    db.session.flush()
    log.info(
        "notice %s of %s %s: %d deliveries",
        notice.kind,
        notice.object_type,
        notice.object_id,
        written,
    )
    return written


# ---------------------------------------------------------------- sending after the commit


def _after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:
        session.info.setdefault(READY, []).extend(pending)


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


def send_committed() -> int:
    """Send the e-mails of notices this session committed (each commits its outcome)."""
    if not db.session.registry.has():
        return 0
    session = db.session()
    ready = session.info.pop(READY, None)
    if not ready:
        return 0
    try:
        return sending.send_claimed(ready, session.info.get(WORKER, "")).sent
    except Exception:  # noqa: BLE001 - the dispatcher takes the claims over later
        log.exception("notice e-mails %s not sent after the commit", ready)
        db.session.rollback()
        return 0


def _send_at_teardown(_exc=None) -> None:
    try:
        send_committed()
    except Exception:  # noqa: BLE001 - never break the end of a request
        log.exception("sending notice e-mails after the commit failed")


# ---------------------------------------------------------------- subscriptions


def on_transition(obj, *, machine, action, actor, comment=None, **_):
    if machine == "applications" and action in APPLICATION_ACTIONS:
        tell(application_notice(obj, APPLICATION_ACTIONS[action], comment), actor)
    elif machine == "placements" and action in PLACEMENT_ACTIONS:
        tell(placement_notice(obj, PLACEMENT_ACTIONS[action], comment), actor)


def on_placement_created(placement, *, actor=None, **_):
    if placement.status.value == "proposed":  # the host confirms: coordinator, or HR (incoming)
        tell(placement_notice(placement, "placement_waiting"), actor)
    elif placement.direction.value == "incoming" and placement.status.value == "confirmed":
        # accepting a nomination creates the guest's placement already confirmed by HR: the
        # other HR officers are told it is confirmed (the one who accepted is not)
        tell(placement_notice(placement, "placement_confirmed"), actor)


def on_nomination_made(nomination, *, actor=None, **_):
    tell(nomination_notice(nomination, "nomination_made"), actor)


def on_nomination_decided(nomination, *, actor=None, comment=None, **_):
    kind = "nomination_accepted" if nomination.status.value == "accepted" else "nomination_rejected"
    tell(nomination_notice(nomination, kind, comment), actor)


def on_report_submitted(report, *, actor=None, **_):
    tell(report_notice(report, "report_submitted"), actor)


def on_report_acknowledged(report, *, actor=None, **_):
    tell(report_notice(report, "report_acknowledged"), actor)


def on_delegation_created(delegation, *, actor=None, **_):
    if delegation.starts_on <= tokyo_today():
        tell(delegation_notice(delegation), actor)  # one starting later: the dispatcher, then


def on_entry_rejected(entry, *, actor=None, reason="", **_):
    tell(entry_notice(entry, reason), actor)


def on_account_locked(user, *, until, **_):
    tell(lock_notice(user, until))


RECEIVERS = (
    (signals.transitioned, on_transition),
    (signals.placement_created, on_placement_created),
    (signals.nomination_made, on_nomination_made),
    (signals.nomination_decided, on_nomination_decided),
    (signals.report_submitted, on_report_submitted),
    (signals.report_acknowledged, on_report_acknowledged),
    (signals.delegation_created, on_delegation_created),
    (signals.entry_rejected, on_entry_rejected),
    (signals.account_locked, on_account_locked),
)


def init_app(app) -> None:
    """Subscribe to the workflow signals and send committed notices when a context ends."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver)  # the same function twice is one subscription
    if not sa_event.contains(Session, "after_commit", _after_commit):
        sa_event.listen(Session, "after_commit", _after_commit)
        sa_event.listen(Session, "after_rollback", _after_rollback)
    app.teardown_appcontext(_send_at_teardown)
    KIND_LABELS.update({kind: label for kind, (label, _t, _l) in KINDS.items()})


def due_delegations(rule: ReminderRule, now: datetime) -> list:
    """Watcher of ``delegation_started``: tell the deputies of delegations starting today (or
    in the catch-up days) — those created earlier for a later start, and not told yet. Writes
    the notices itself (they are not reminders with a template) and yields nothing to the
    dispatcher."""
    low, high = after_window(rule, now)
    stmt = (
        sa.select(Delegation)
        .where(
            Delegation.starts_on >= low,
            Delegation.starts_on <= high,
            Delegation.ends_on >= high,
            rule.undelivered(
                "delegation", Delegation.id, Delegation.starts_on, the_person(Delegation.deputy_id)
            ),
        )
        .order_by(Delegation.id)
    )
    for delegation in db.session.scalars(stmt):
        tell(delegation_notice(delegation))
    return []


def _silent(_rule, _now) -> list:
    return []  # an event kind: told when it happens, nothing is ever due by date


REMINDER_WATCHERS = {kind: _silent for kind in KINDS} | {"delegation_started": due_delegations}
