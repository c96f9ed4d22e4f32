"""Reminder rules HR tunes, the delivery log, and the figures of HR's daily digest."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.auth.models import Role, User
from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import NotAllowed, NotFound, ValidationFailed
from hrfund.core.windows import local_today
from hrfund.extensions import db
from hrfund.placements.models import Milestone, Placement, PlacementStatus
from hrfund.reminders.models import (
    CHANNEL_SETS,
    Audience,
    Channel,
    Delivery,
    DeliveryStatus,
    ReminderRule,
)

log = logging.getLogger(__name__)

#: For the pages' selects (value → label), from the labels the enums carry.
DELIVERY_STATUS_LABELS = {s: s.lazy_label for s in DeliveryStatus}
CHANNEL_LABELS = {c: c.lazy_label for c in Channel}
AUDIENCE_LABELS = {a.value: a.lazy_label for a in Audience}


# ---------------------------------------------------------------- rules


def update_rule(
    actor: User, rule: ReminderRule, *, offset_days: int, enabled: bool, channels: str
) -> ReminderRule:
    """HR changes a rule's offset, channels or switches it on or off. What was sent under the
    old offset stays sent: a delivery's key holds the subject's date, not the offset."""
    if not actor.has_role(Role.HR):
        raise NotAllowed(str(_l("Only HR changes reminder rules.")))
    errors = {}
    if not isinstance(offset_days, int) or not 0 <= offset_days <= 366:
        errors["offset_days"] = [str(_l("Enter a number of days from 0 to 366."))]
    if channels not in CHANNEL_SETS:
        errors["channels"] = [str(_l("Choose e-mail, in-app or both."))]
    if errors:
        raise ValidationFailed(str(_l("The rule was not changed.")), fields=errors)
    changes = {
        name: [getattr(rule, name), value]
        for name, value in (
            ("offset_days", offset_days),
            ("enabled", enabled),
            ("channels", channels),
        )
        if getattr(rule, name) != value
    }
    if changes:
        rule.offset_days, rule.enabled, rule.channels = offset_days, enabled, channels
        rule.updated_at, rule.updated_by_id = utcnow(), actor.id
        record_event(actor, "reminder_rule.update", rule, changes=changes)
        log.info("%s changed reminder rule %s: %s", actor.email, rule.code, changes)
    db.session.flush()
    return rule


def get_rule_or_404(rule_id: int) -> ReminderRule:
    rule = db.session.get(ReminderRule, rule_id)
    if rule is None:
        raise NotFound(str(_l("No such reminder rule.")))
    return rule


def deliveries_query(
    *, status: str = "", rule_id: int | None = None, channel: str = "", q: str = ""
) -> sa.Select:
    """The delivery log for HR, newest first, with filters."""
    stmt = sa.select(Delivery).order_by(Delivery.id.desc())
    if status:
        stmt = stmt.where(Delivery.status == DeliveryStatus(status))
    if rule_id:
        stmt = stmt.where(Delivery.rule_id == rule_id)
    if channel:
        stmt = stmt.where(Delivery.channel == Channel(channel))
    if q:
        stmt = stmt.join(User, User.id == Delivery.recipient_id).where(
            sa.func.lower(User.email).contains(q.lower(), autoescape=True)
        )
    return stmt


# ---------------------------------------------------------------- digest


def digest_figures(now: datetime) -> dict:
    """What HR's morning digest reports."""
    day_ago = now - timedelta(days=1)
    count = lambda stmt: db.session.scalar(stmt) or 0  # noqa: E731
    return {
        "failed": count(
            sa.select(sa.func.count())
            .select_from(Delivery)
            .where(Delivery.status == DeliveryStatus.FAILED)
        ),
        "sent_last_day": count(
            sa.select(sa.func.count())
            .select_from(Delivery)
            .where(Delivery.status == DeliveryStatus.SENT, Delivery.created_at >= day_ago)
        ),
        "proposed": count(
            sa.select(sa.func.count())
            .select_from(Placement)
            .where(Placement.status == PlacementStatus.PROPOSED)
        ),
        "overdue": count(
            sa.select(sa.func.count())
            .select_from(Milestone)
            .join(Placement, Placement.id == Milestone.placement_id)
            .where(
                Milestone.due_on < local_today(now),  # Tokyo's date: 08:30 there is 23:30 UTC
                Milestone.done_at.is_(None),
                Placement.status == PlacementStatus.ACTIVE,
            )
        ),
    }
