"""Retention of personal data (APPI): how long each kind of record keeps its person, and the
anonymisation of what is past its period.

Anonymising keeps the figures and drops the person. An application that was not approved keeps
its call, state, dates, amounts and city preferences; it loses its statement, its attachments
(rows and bytes) and its applicant, who is replaced by an anonymous placeholder of its own (see
hrfund/auth/anonymous.py). A rejected nomination keeps its city, dates and state and loses the
nominee's name, address and position. An unverified language score keeps its test, score, level
and dates and loses its certificate and its person. In-app notifications past their period are
deleted; the deliveries behind them keep their exactly-once key but lose their text.

The audit log and the ledger are append-only in the database, for the runtime role too: nothing
here changes them. Audit events past their period are counted on the retention page; the owner
role removes them with ``flask retention purge-audit`` (see audit_purge.py).

The functions here change one batch and flush; the job (retention_jobs.py) commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import lazy_gettext as _l

from hrfund.applications.models import Application, ApplicationStatus
from hrfund.auth.anonymous import (
    ANONYMOUS_DOMAIN,
    new_placeholder,
    not_placeholder,
)
from hrfund.auth.models import User
from hrfund.core.audit import AuditEvent, record_event
from hrfund.core.files import StoredFile, path_of
from hrfund.extensions import db
from hrfund.placements.models import Nomination, NominationStatus
from hrfund.reminders.models import Delivery, NoticeEvent, Notification
from hrfund.training.models import LanguageScore

log = logging.getLogger(__name__)

NOT_APPROVED = (
    ApplicationStatus.DECLINED_BY_MANAGER,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
)
ANONYMOUS_NOMINEE = "匿名 / Anonymised"
ANONYMOUS_EMAIL = f"anonymised@{ANONYMOUS_DOMAIN}"
DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class RetentionKind:
    """One kind of record with a retention period, counted from ``since``."""

    key: str
    setting: str
    default_days: int
    label: object
    since: object
    after: object


KINDS = (
    RetentionKind(
        "applications",
        "RETENTION_DAYS_APPLICATIONS",
        3 * 365,
        _l("Applications not approved (declined, rejected, withdrawn)"),
        _l("their last change"),
        _l("Statement, attachments and the applicant go; call, state, dates and amounts stay."),
    ),
    RetentionKind(
        "nominations",
        "RETENTION_DAYS_NOMINATIONS",
        3 * 365,
        _l("Rejected nominations"),
        _l("the decision"),
        _l("Name, e-mail address and position go; city, dates and state stay."),
    ),
    RetentionKind(
        "unverified_scores",
        "RETENTION_DAYS_UNVERIFIED_SCORES",
        2 * 365,
        _l("Language scores never verified"),
        _l("their entry"),
        _l("The certificate and the person go; test, score and dates stay."),
    ),
    RetentionKind(
        "notifications",
        "RETENTION_DAYS_NOTIFICATIONS",
        365,
        _l("Notifications (in-app and the text of e-mails sent)"),
        _l("their creation"),
        _l("In-app notifications are deleted; a delivery keeps only its once-only key."),
    ),
    RetentionKind(
        "audit_events",
        "RETENTION_DAYS_AUDIT_EVENTS",
        10 * 365,
        _l("Audit events"),
        _l("the event"),
        _l(
            "Append-only for the application: the owner role removes them with "
            "'flask retention purge-audit'."
        ),
    ),
)
KIND_BY_KEY = {k.key: k for k in KINDS}


def retention_days(key: str) -> int:
    """The configured period of one kind, in days."""
    kind = KIND_BY_KEY[key]
    return int(current_app.config.get(kind.setting, kind.default_days))


def cutoff(key: str, now: datetime) -> datetime:
    """Records of this kind dated before this instant are past their period."""
    return now - timedelta(days=retention_days(key))


# ---------------------------------------------------------------- what is due


def _applications_due(before: datetime):
    return (
        sa.select(Application.id)
        .join(User, User.id == Application.applicant_id)
        .where(
            Application.status.in_(NOT_APPROVED),
            Application.updated_at < before,
            not_placeholder(User.email),
        )
    )


def _nominations_due(before: datetime):
    return sa.select(Nomination.id).where(
        Nomination.status == NominationStatus.REJECTED,
        sa.func.coalesce(Nomination.decided_at, Nomination.updated_at) < before,
        Nomination.email != ANONYMOUS_EMAIL,
    )


def _scores_due(before: datetime):
    return (
        sa.select(LanguageScore.id)
        .join(User, User.id == LanguageScore.user_id)
        .where(
            LanguageScore.verified.is_(False),
            LanguageScore.created_at < before,
            not_placeholder(User.email),
        )
    )


def _notifications_due(before: datetime):
    return sa.select(Notification.id).where(Notification.created_at < before)


def _deliveries_due(before: datetime):
    return sa.select(Delivery.id).where(
        Delivery.created_at < before, sa.or_(Delivery.title != "", Delivery.body != "")
    )


def _audit_due(before: datetime):
    return sa.select(AuditEvent.id).where(AuditEvent.at < before)


DUE = {
    "applications": (_applications_due,),
    "nominations": (_nominations_due,),
    "unverified_scores": (_scores_due,),
    "notifications": (_notifications_due, _deliveries_due),
    "audit_events": (_audit_due,),
}


def due_counts(now: datetime) -> dict[str, int]:
    """How many records of each kind are past their period at ``now``."""
    counts = {}
    for key, queries in DUE.items():
        before = cutoff(key, now)
        counts[key] = sum(
            db.session.scalar(sa.select(sa.func.count()).select_from(q(before).subquery()))
            for q in queries
        )
    return counts


def _claim(stmt, model, batch_size: int, still_due=None, options=()) -> list:
    """Up to ``batch_size`` due rows, locked (PostgreSQL: rows another run holds are skipped).

    A row another run changed and committed while this statement waited comes back in its new
    version, which ``still_due`` checks again, so that nothing is anonymised twice."""
    ids = stmt.order_by(model.id).limit(batch_size)
    rows = db.session.scalars(
        sa.select(model)
        .where(model.id.in_(ids.scalar_subquery()))
        .order_by(model.id)
        .with_for_update(skip_locked=True, of=model)
        .options(*options)
        .execution_options(populate_existing=True)
    )
    return [r for r in rows if still_due is None or still_due(r)]


def _still_people(rows: list, person_id) -> list:
    """The rows whose person (``person_id(row)``) is still a real person, not a placeholder
    another run put there meanwhile: one query for the whole batch, not one per row."""
    ids = {person_id(r) for r in rows}
    if not ids:
        return []
    people = set(
        db.session.scalars(sa.select(User.id).where(User.id.in_(ids), not_placeholder(User.email)))
    )
    return [r for r in rows if person_id(r) in people]


# ---------------------------------------------------------------- anonymising, one batch each


def anonymise_applications(now: datetime, batch_size: int, files: list) -> int:
    """One batch of applications not approved and past their period; returns how many."""
    rows = _claim(
        _applications_due(cutoff("applications", now)),
        Application,
        batch_size,
        options=(so.selectinload(Application.attachments),),
    )
    rows = _still_people(rows, lambda a: a.applicant_id)
    for application in rows:
        for attachment in list(application.attachments):
            _drop_file(attachment.file, files)
            db.session.delete(attachment)
        application.applicant_id = new_placeholder().id
        application.statement = ""
    db.session.flush()
    _forget_notices(NoticeEvent.object_type == "application", [a.id for a in rows])
    return len(rows)


def _forget_notices(object_filter, object_ids: list[int]) -> None:
    """Cut what still links the person to the anonymised objects outside the audit log: who
    caused each of their notice events, and the deliveries (keyed by recipient) about them. An
    event is told once and never again, and an ended application is due for no reminder, so
    deleting these deliveries cannot make anything be sent twice."""
    if not object_ids:
        return
    events = sa.select(NoticeEvent.id).where(object_filter, NoticeEvent.object_id.in_(object_ids))
    db.session.execute(
        sa.update(NoticeEvent)
        .where(NoticeEvent.id.in_(events))
        .values(actor_id=None)
        .execution_options(synchronize_session=False)
    )
    about = sa.or_(
        sa.and_(Delivery.subject_type == "notice_event", Delivery.subject_id.in_(events)),
        sa.and_(Delivery.subject_type == "application", Delivery.subject_id.in_(object_ids)),
    )
    deliveries = sa.select(Delivery.id).where(about)
    db.session.execute(
        sa.update(Notification)
        .where(Notification.delivery_id.in_(deliveries))
        .values(delivery_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.delete(Delivery).where(about).execution_options(synchronize_session=False)
    )


def anonymise_nominations(now: datetime, batch_size: int, files: list) -> int:
    """One batch of rejected nominations past their period."""
    rows = _claim(
        _nominations_due(cutoff("nominations", now)),
        Nomination,
        batch_size,
        lambda n: n.email != ANONYMOUS_EMAIL,
    )
    for nomination in rows:
        nomination.name = ANONYMOUS_NOMINEE
        nomination.email = ANONYMOUS_EMAIL
        nomination.position = ""
    db.session.flush()
    return len(rows)


def anonymise_unverified_scores(now: datetime, batch_size: int, files: list) -> int:
    """One batch of language scores never verified and past their period."""
    rows = _claim(
        _scores_due(cutoff("unverified_scores", now)),
        LanguageScore,
        batch_size,
        options=(so.selectinload(LanguageScore.certificate),),
    )
    rows = _still_people(rows, lambda s: s.user_id)
    for score in rows:
        certificate, placeholder = score.certificate, new_placeholder()
        score.certificate_id, score.user_id = None, placeholder.id  # one UPDATE
        if certificate is not None:
            db.session.flush()
            _drop_file(certificate, files)
    db.session.flush()
    return len(rows)


def expire_notifications(now: datetime, batch_size: int, files: list) -> int:
    """One batch of notifications past their period deleted, and deliveries emptied of text."""
    before = cutoff("notifications", now)
    notifications = _claim(_notifications_due(before), Notification, batch_size)
    for notification in notifications:
        db.session.delete(notification)
    deliveries = _claim(
        _deliveries_due(before), Delivery, batch_size, lambda d: d.title != "" or d.body != ""
    )
    for delivery in deliveries:
        delivery.title, delivery.body = "", ""
        delivery.link, delivery.last_error = None, None
    db.session.flush()
    return len(notifications) + len(deliveries)


STEPS = {
    "applications": anonymise_applications,
    "nominations": anonymise_nominations,
    "unverified_scores": anonymise_unverified_scores,
    "notifications": expire_notifications,
}


def _drop_file(stored: StoredFile | None, files: list) -> None:
    """Delete a stored file's row now and remember its bytes for after the commit."""
    if stored is None:
        return
    try:
        files.append(path_of(stored))
    except Exception:  # a key that is no plain name has no bytes of ours to remove
        log.warning("stored file %s has an unusable key; only its row is removed", stored.id)
    db.session.delete(stored)


def record_run(counts: dict[str, int], now: datetime, due_audit: int) -> AuditEvent:
    """The one audit event of a run: what it anonymised, and the cut-off of each kind."""
    return record_event(
        None,
        "retention.run",
        object_type="retention",
        changes={
            "anonymised": counts,
            "audit_events_past_period": due_audit,
            "cutoffs": {k.key: cutoff(k.key, now).isoformat() for k in KINDS},
            "now": now.isoformat(),
        },
    )
