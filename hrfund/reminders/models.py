"""Reminder rules, the deliveries made under them, in-app notifications and calendar tokens."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from hrfund.auth.models import User, UserRole
from hrfund.core.db import str_enum, utcnow
from hrfund.core.labels import LabelledEnum
from hrfund.extensions import Model
from hrfund.org.models import PartnerCity
from hrfund.placements.models import Nomination, Placement
from hrfund.training.models import LanguageScore, TrainingRecord


class Audience(LabelledEnum):
    PERSON = "person", _l("The person")
    MANAGER = "manager", _l("Their manager")
    HR = "hr", _l("HR")
    COORDINATOR = "coordinator", _l("The city's coordinator")


class Channel(LabelledEnum):
    EMAIL = "email", _l("E-mail")
    IN_APP = "in_app", _l("In-app")


class DeliveryStatus(LabelledEnum):
    CLAIMED = "claimed", _l("sending")  # a dispatcher owns it and is sending it
    SENT = "sent", _l("sent")
    FAILED = "failed", _l("failed")  # retried at next_attempt_at; none when that is NULL


CHANNEL_SETS = ("email", "in_app", "email,in_app")


class ReminderRule(Model):
    """One reminder: which watcher (kind), how many days from the date, to whom, how."""

    __tablename__ = "reminder_rules"
    __table_args__ = (
        sa.CheckConstraint("offset_days >= 0 AND offset_days <= 366", name="offset_in_range"),
        sa.CheckConstraint(
            "channels IN ('email', 'in_app', 'email,in_app')", name="channels_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(64), index=True)
    offset_days: Mapped[int]
    audience: Mapped[Audience] = mapped_column(str_enum(Audience, "reminder_audience"))
    channels: Mapped[str] = mapped_column(sa.String(32), default="email,in_app")
    enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    @property
    def channel_list(self) -> list[Channel]:
        return [Channel(c) for c in self.channels.split(",") if c]

    def undelivered(
        self,
        subject_type: str,
        subject_id: Any,
        due_on: Any,
        recipients: sa.Select | tuple[int, ...] | None,
    ) -> sa.ColumnElement[bool]:
        """SQL for a watcher's WHERE: one of ``recipients`` still lacks this rule's reminder
        of the subject on one of its channels — the subject's deliveries counted on the unique
        key's index (one range per subject), against the recipients × the channels.

        ``recipients``: a SELECT of the ids of the users to remind, correlated to the watcher's
        row (``User.id == Placement.person_id``; a department's managers), or their ids when
        the same for every row (HR); None or (): nobody.
        With it, a watcher leaves out in SQL what was sent already, so that a dispatch with
        nothing new due reads nothing. Its recipients must be those the dispatcher would remind
        (active users), or more: the dispatcher de-duplicates exactly, by the unique key."""
        if recipients is None or recipients == ():
            return sa.false()
        if isinstance(recipients, tuple):  # known already (HR): an IN list, a number
            among: Any = Delivery.recipient_id.in_(recipients)
            wanted: Any = len(recipients)
        else:
            recipients = recipients.correlate_except(User.__table__)  # its own users
            among = Delivery.recipient_id.in_(recipients)
            wanted = recipients.with_only_columns(sa.func.count()).scalar_subquery()
        delivered = (
            sa.select(sa.func.count())
            .select_from(Delivery)
            .where(
                Delivery.rule_id == self.id,
                Delivery.subject_type == subject_type,
                Delivery.subject_id == subject_id,
                Delivery.due_on == due_on,
                Delivery.channel.in_(self.channel_list),
                among,
            )
            .correlate_except(Delivery)  # the row's columns, from the watcher's query
            .scalar_subquery()
        )
        # each (recipient, channel) has one delivery at most (the unique key): fewer is missing
        return delivered < wanted * len(self.channel_list)

    def __repr__(self) -> str:
        return f"<ReminderRule {self.code} {self.offset_days}d {self.audience}>"


class Delivery(Model):
    """One reminder to one recipient by one channel; its unique key makes a second send
    impossible. Claimed first (inserted), then sent, then marked sent."""

    __tablename__ = "reminder_deliveries"
    __table_args__ = (
        sa.UniqueConstraint(
            "rule_id",
            "subject_type",
            "subject_id",
            "due_on",
            "recipient_id",
            "channel",
            name="uq_reminder_deliveries_key",
        ),
        sa.CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        sa.CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
        sa.CheckConstraint("status <> 'claimed' OR claimed_at IS NOT NULL", name="claim_has_time"),
        sa.Index("ix_reminder_deliveries_status_next", "status", "next_attempt_at"),
        sa.Index("ix_reminder_deliveries_status_claimed", "status", "claimed_at"),
        sa.Index("ix_reminder_deliveries_created_at", "created_at"),
        # what a rule delivered for the dates due now (the dispatch's "already sent")
        sa.Index("ix_reminder_deliveries_rule_due", "rule_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(sa.ForeignKey("reminder_rules.id"))
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[int]
    due_on: Mapped[date]
    recipient_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "reminder_channel"))
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.CLAIMED
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(128))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    title: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    rule: Mapped[ReminderRule] = so.relationship()
    recipient: Mapped[User] = so.relationship()

    def __repr__(self) -> str:
        return (
            f"<Delivery {self.id} rule={self.rule_id} {self.subject_type}:{self.subject_id} "
            f"{self.channel} {self.status}>"
        )


class Notification(Model):
    """An in-app notification; unread until read_at is set."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_read", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    delivery_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reminder_deliveries.id", ondelete="SET NULL"), unique=True
    )
    title: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    #: {locale: [title, body]}: the notification in every language, read in the reader's
    texts: Mapped[dict | None] = mapped_column(sa.JSON)

    def text(self, locale: str) -> tuple[str, str]:
        """(title, body) in ``locale``; the text it was written in where it has no other."""
        found = (self.texts or {}).get(locale)
        return (found[0], found[1]) if found else (self.title, self.body)

    def __repr__(self) -> str:
        return f"<Notification {self.id} user={self.user_id} read={self.read_at is not None}>"


class NoticeEvent(Model):
    """One workflow event that told people (submitted, approved, confirmed, …): its id is what
    makes each notice of it unique, so that the same event is never told twice and the next
    event of the same kind on the same object is told again."""

    __tablename__ = "notice_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<NoticeEvent {self.id} {self.kind} {self.object_type}:{self.object_id}>"


class NoticePreference(Model):
    """Whether one user gets one kind of notice by e-mail (no row: yes). In-app always."""

    __tablename__ = "notice_preferences"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    email: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<NoticePreference user={self.user_id} {self.kind} email={self.email}>"


class CalendarToken(Model):
    """A revocable secret in a calendar feed URL: a user's own dates, or (HR) one city's."""

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner_cities.id"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = so.relationship()
    city: Mapped[PartnerCity | None] = so.relationship()

    def __repr__(self) -> str:
        return f"<CalendarToken {self.id} {self.prefix}… user={self.user_id} city={self.city_id}>"


# Indexes the watchers need on the tables they watch, so that each query's cost grows with what
# is due and not with the table (declared here, beside the queries that use them).
sa.Index(
    "ix_placements_status_created_at",
    Placement.__table__.c.status,
    Placement.__table__.c.created_at,
)
sa.Index(
    "ix_nominations_status_created_at",
    Nomination.__table__.c.status,
    Nomination.__table__.c.created_at,
)
sa.Index("ix_training_records_expires_on", TrainingRecord.__table__.c.expires_on)
sa.Index("ix_language_scores_expires_on", LanguageScore.__table__.c.expires_on)
# the holders of a role (HR, coordinators: audiences of reminders and notices), without reading
# every user's roles
sa.Index("ix_user_roles_role_user", UserRole.__table__.c.role, UserRole.__table__.c.user_id)
