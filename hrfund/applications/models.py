"""Calls with their slots and rules; applications with preferences, budget and attachments."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from hrfund.auth.models import User
from hrfund.core.db import TimestampMixin, str_enum
from hrfund.core.files import StoredFile
from hrfund.core.labels import LabelledEnum, register_states
from hrfund.extensions import Model
from hrfund.org.models import PartnerCity


class CallStatus(LabelledEnum):
    DRAFT = "draft", _l("draft")
    OPEN = "open", _l("open")
    CLOSED = "closed", _l("closed")
    DECIDED = "decided", _l("decided")


class ApplicationStatus(LabelledEnum):
    DRAFT = "draft", _l("draft")
    SUBMITTED = "submitted", _l("submitted")
    ENDORSED = "endorsed", _l("endorsed")
    RETURNED = "returned", _l("returned")
    DECLINED_BY_MANAGER = "declined_by_manager", _l("declined by the manager")
    APPROVED = "approved", _l("approved")
    REJECTED = "rejected", _l("rejected")
    WITHDRAWN = "withdrawn", _l("withdrawn")


register_states(CallStatus, ApplicationStatus)


#: States before a decision: the applicant may still withdraw.
UNDECIDED = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.ENDORSED,
    ApplicationStatus.RETURNED,
)


def total_of(travel_jpy: int | None, stipend_jpy: int | None, housing_jpy: int | None) -> int:
    """``Application.total_jpy`` from the columns alone, for lists that read them as rows."""
    return (travel_jpy or 0) + (stipend_jpy or 0) + (housing_jpy or 0)


def call_title(locale: str, title: str, title_ja: str | None, title_en: str | None) -> str:
    """``Call.name`` from the columns alone, for lists that read them as plain rows."""
    first, second = (title_ja, title_en) if locale == "ja" else (title_en, title_ja)
    return first or second or title


class Call(TimestampMixin, Model):
    """A call for applications of one fiscal year, with its window, slots and rules."""

    __tablename__ = "calls"
    __table_args__ = (sa.CheckConstraint("closes_on >= opens_on", name="window_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the title as first given (the API's ``title``); pages show ``name(locale)``
    title: Mapped[str] = mapped_column(sa.String(200))
    title_ja: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    fiscal_year: Mapped[int]
    opens_on: Mapped[date]
    closes_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[CallStatus] = mapped_column(
        str_enum(CallStatus, "call_status"), default=CallStatus.DRAFT
    )
    rules: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    slots: Mapped[list[CallSlot]] = so.relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CallSlot.id", lazy="selectin"
    )

    def name(self, locale: str) -> str:
        """The title in ``locale``, else in the other language, else the one first given."""
        return call_title(locale, self.title, self.title_ja, self.title_en)

    def __repr__(self) -> str:
        return f"<Call {self.id} {self.title!r} {self.status}>"


class CallSlot(Model):
    """Positions a call offers at one partner city."""

    __tablename__ = "call_slots"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "city_id"),
        sa.CheckConstraint(
            "positions > 0 AND months > 0 AND estimated_cost_jpy >= 0", name="positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"))
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("partner_cities.id"))
    positions: Mapped[int]
    months: Mapped[int]
    estimated_cost_jpy: Mapped[int] = mapped_column(sa.BigInteger)

    call: Mapped[Call] = so.relationship(back_populates="slots")
    city: Mapped[PartnerCity] = so.relationship(lazy="joined")


class Application(TimestampMixin, Model):
    """An employee's application to a call; one live application per employee and call."""

    __tablename__ = "applications"
    __table_args__ = (
        # "Live" = not withdrawn: the database itself refuses a second one.
        sa.Index(
            "uq_applications_live",
            "call_id",
            "applicant_id",
            unique=True,
            sqlite_where=sa.text("status <> 'withdrawn'"),
            postgresql_where=sa.text("status <> 'withdrawn'"),
        ),
        sa.Index("ix_applications_status_updated", "status", "updated_at"),
        # HR's list, newest first: read backwards, it serves the sort, and with the status and
        # the applicant in it the page's keys come from the index alone, however deep the page
        sa.Index("ix_applications_updated_id", "updated_at", "id", "status", "applicant_id"),
        sa.CheckConstraint(
            "end_on IS NULL OR start_on IS NULL OR end_on >= start_on", name="dates_in_order"
        ),
        sa.CheckConstraint(
            "travel_jpy >= 0 AND stipend_jpy >= 0 AND housing_jpy >= 0", name="budget_nonnegative"
        ),
        sa.CheckConstraint(
            "status NOT IN ('approved', 'rejected') OR decided_at IS NOT NULL",
            name="decision_has_time",
        ),
        sa.CheckConstraint(
            "status = 'draft' OR submitted_at IS NOT NULL OR status = 'withdrawn'",
            name="submitted_has_time",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, "application_status"), default=ApplicationStatus.DRAFT
    )
    statement: Mapped[str] = mapped_column(sa.Text, default="")
    start_on: Mapped[date | None]
    end_on: Mapped[date | None]
    travel_jpy: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    stipend_jpy: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    housing_jpy: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placements.id"))

    call: Mapped[Call] = so.relationship()
    applicant: Mapped[User] = so.relationship()
    preferences: Mapped[list[Preference]] = so.relationship(
        cascade="all, delete-orphan", order_by="Preference.rank", lazy="selectin"
    )
    attachments: Mapped[list[Attachment]] = so.relationship(
        cascade="all, delete-orphan", order_by="Attachment.id"
    )

    @property
    def total_jpy(self) -> int:
        return total_of(self.travel_jpy, self.stipend_jpy, self.housing_jpy)

    @property
    def preference_codes(self) -> list[str]:
        return [p.city.code for p in self.preferences]

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.status}>"


class Preference(Model):
    """One ranked city preference of an application."""

    __tablename__ = "application_preferences"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "rank"),
        sa.UniqueConstraint("application_id", "city_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE")
    )
    rank: Mapped[int]
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("partner_cities.id"), index=True)

    city: Mapped[PartnerCity] = so.relationship(lazy="joined")


#: The kinds of file an application carries, with their labels (form choices, pages, API).
ATTACHMENT_KINDS = {"cv": _l("CV"), "certificate": _l("Certificate"), "other": _l("Other")}


class Attachment(Model):
    """A CV or certificate attached to an application."""

    __tablename__ = "application_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))  # cv, certificate, other
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id"))

    file: Mapped[StoredFile] = so.relationship(lazy="joined")

    @property
    def kind_label(self) -> str:
        label = ATTACHMENT_KINDS.get(self.kind)
        return str(label) if label is not None else self.kind


class Delegation(TimestampMixin, Model):
    """A manager or HR officer away names a deputy who acts on their queue for a period."""

    __tablename__ = "delegations"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        sa.CheckConstraint("principal_id <> deputy_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # set when ended early (by the principal or HR): the deputy's powers end at once
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    principal: Mapped[User] = so.relationship(foreign_keys=[principal_id], lazy="joined")
    deputy: Mapped[User] = so.relationship(foreign_keys=[deputy_id], lazy="joined")

    def __repr__(self) -> str:
        return f"<Delegation {self.id} {self.principal_id}→{self.deputy_id}>"
