"""In-app notifications of one user: list, unread count, mark read."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.auth.models import User
from hrfund.core.audit import record_event
from hrfund.core.db import rows_changed, utcnow
from hrfund.core.errors import NotFound
from hrfund.extensions import db
from hrfund.reminders.models import Notification


def notifications_of(user: User, *, unread: bool = False) -> sa.Select:
    stmt = sa.select(Notification).where(Notification.user_id == user.id)
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.id.desc())


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def get_notification_or_404(notification_id: int, user: User) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(str(_l("No such notification.")))
    return notification


def mark_read(user: User, notification: Notification) -> Notification:
    """The user has read the notification, audited once (reading it twice changes nothing: the
    conditional UPDATE lets only the first of two racing reads through)."""
    if notification.user_id != user.id:
        raise NotFound(str(_l("No such notification.")))
    claimed = rows_changed(
        db.session.execute(
            sa.update(Notification)
            .where(Notification.id == notification.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    )
    db.session.refresh(notification)
    if claimed:
        record_event(user, "notification.read", notification, from_state="unread", to_state="read")
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; one audit event names how many."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result):
        record_event(
            user,
            "notification.read_all",
            object_type="notifications",
            object_id=user.id,
            to_state="read",
            changes={"count": rows_changed(result)},
        )
    return rows_changed(result)
