"""Which kinds of notice each user gets by e-mail (in the app they always arrive)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.auth.models import User
from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import ValidationFailed
from hrfund.extensions import db
from hrfund.reminders.models import NoticePreference
from hrfund.reminders.notice_kinds import kinds_for

log = logging.getLogger(__name__)


def email_off(user_ids: Iterable[int], kind: str) -> set[int]:
    """Of ``user_ids``, those who switched e-mails of ``kind`` off."""
    user_ids = list(user_ids)
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(NoticePreference.user_id).where(
                NoticePreference.kind == kind,
                NoticePreference.email.is_(False),
                NoticePreference.user_id.in_(user_ids),
            )
        )
    )


def email_preferences(user: User) -> dict[str, bool]:
    """kind → by e-mail, for every kind ``user`` can receive (on unless switched off)."""
    stored = dict(
        db.session.execute(
            sa.select(NoticePreference.kind, NoticePreference.email).where(
                NoticePreference.user_id == user.id
            )
        ).all()
    )
    return {kind: stored.get(kind, True) for kind in kinds_for(user)}


def set_email_preferences(user: User, by_email: Iterable[str]) -> dict[str, bool]:
    """``user`` wants exactly the kinds ``by_email`` by e-mail (of those they can receive)."""
    by_email = set(by_email)
    current = email_preferences(user)
    unknown = by_email - set(current)
    if unknown:
        message = str(_l("Unknown kind of notice: %(kinds)s.", kinds=", ".join(sorted(unknown))))
        raise ValidationFailed(message, fields={"email": [message]})
    changes = {}
    rows = {
        p.kind: p
        for p in db.session.scalars(
            sa.select(NoticePreference).where(NoticePreference.user_id == user.id)
        )
    }
    for kind, was in current.items():
        wanted = kind in by_email
        if wanted == was and kind in rows:
            continue
        row = rows.get(kind) or NoticePreference(user_id=user.id, kind=kind)
        row.email, row.updated_at = wanted, utcnow()
        db.session.add(row)
        if wanted != was:
            changes[kind] = [was, wanted]
    if changes:
        record_event(user, "notice_preferences.update", user, object_type="users", changes=changes)
        log.info("%s changed notice e-mails: %s", user.email, changes)
    db.session.flush()
    return email_preferences(user)
