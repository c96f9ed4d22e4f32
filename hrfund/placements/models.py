"""Placements of people at partner cities (both directions) and what hangs off them."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from hrfund.auth.models import User
from hrfund.core.db import TimestampMixin, str_enum, utcnow
from hrfund.core.files import StoredFile
from hrfund.core.labels import LabelledEnum, register_states
from hrfund.extensions import Model
from hrfund.org.models import Department, PartnerCity


class Direction(LabelledEnum):
    OUTGOING = "outgoing", _l("Outgoing")  # a TMG employee hosted by a partner city
    INCOMING = "incoming", _l("Incoming")  # a partner city's official hosted by a TMG department


class PlacementStatus(LabelledEnum):
    PROPOSED = "proposed", _l("proposed")
    CONFIRMED = "confirmed", _l("confirmed")
    ACTIVE = "active", _l("active")
    COMPLETED = "completed", _l("completed")
    DECLINED = "declined", _l("declined")
    CANCELLED = "cancelled", _l("cancelled")


OPEN_STATUSES = (PlacementStatus.PROPOSED, PlacementStatus.CONFIRMED, PlacementStatus.ACTIVE)


class NominationStatus(LabelledEnum):
    PENDING = "pending", _l("pending")
    ACCEPTED = "accepted", _l("accepted")
    REJECTED = "rejected", _l("rejected")


register_states(PlacementStatus, NominationStatus)


class MilestoneKind(LabelledEnum):
    PRE_DEPARTURE_TRAINING = "pre_departure_training", _l("Pre-departure training")
    VISA = "visa", _l("Visa")
    DEPARTURE = "departure", _l("Departure")
    ARRIVAL = "arrival", _l("Arrival")
    MID_TERM_REPORT = "mid_term_report", _l("Mid-term report")
    FINAL_REPORT = "final_report", _l("Final report")
    RETURN = "return", _l("Return")


class ReportKind(enum.StrEnum):
    MID_TERM = "mid_term"
    FINAL = "final"


class Placement(TimestampMixin, Model):
    """One person at one partner city for a period, in one direction."""

    __tablename__ = "placements"
    __table_args__ = (
        sa.CheckConstraint("end_on >= start_on", name="dates_in_order"),
        sa.CheckConstraint(
            "direction <> 'outgoing' OR person_id IS NOT NULL", name="outgoing_has_employee"
        ),
        sa.CheckConstraint(
            "direction <> 'incoming' OR (guest_name IS NOT NULL AND "
            "host_department_id IS NOT NULL)",
            name="incoming_has_guest_and_host",
        ),
        sa.CheckConstraint(
            "status NOT IN ('confirmed', 'active', 'completed') OR confirmed_at IS NOT NULL",
            name="confirmed_has_time",
        ),
        sa.Index("ix_placements_city_status", "city_id", "status"),
        sa.Index("ix_placements_start_on", "start_on"),
        # the HR dashboard: exchanges per year, status, city and direction from the index alone
        sa.Index("ix_placements_year_counted", "fiscal_year", "status", "city_id", "direction"),
        # the HR dashboard: the city of each placement of the year's ledger, index-only
        sa.Index("ix_placements_id_city", "id", "city_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, "direction"))
    status: Mapped[PlacementStatus] = mapped_column(
        str_enum(PlacementStatus, "placement_status"), default=PlacementStatus.PROPOSED
    )
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("partner_cities.id"))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    guest_name: Mapped[str | None] = mapped_column(sa.String(200))
    guest_email: Mapped[str | None] = mapped_column(sa.String(254))
    guest_position: Mapped[str | None] = mapped_column(sa.String(200))
    host_office: Mapped[str | None] = mapped_column(sa.String(200))
    host_supervisor: Mapped[str | None] = mapped_column(sa.String(200))
    host_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    start_on: Mapped[date]
    end_on: Mapped[date]
    fiscal_year: Mapped[int]
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    application_id: Mapped[int | None] = mapped_column(index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    arrived_on: Mapped[date | None]

    city: Mapped[PartnerCity] = so.relationship()
    person: Mapped[User | None] = so.relationship(foreign_keys=[person_id])
    host_department: Mapped[Department | None] = so.relationship()
    milestones: Mapped[list[Milestone]] = so.relationship(
        back_populates="placement", order_by="Milestone.due_on", cascade="all, delete-orphan"
    )

    @property
    def person_name(self) -> str:
        if self.person is not None:
            return self.person.display_name("en")
        return self.guest_name or ""

    @property
    def person_email(self) -> str | None:
        return self.person.email if self.person is not None else self.guest_email

    @property
    def months(self) -> float:
        return round(((self.end_on - self.start_on).days + 1) / 30.4375, 1)

    def __repr__(self) -> str:
        return f"<Placement {self.id} {self.direction} {self.status}>"


class Nomination(TimestampMixin, Model):
    """A partner city's official proposed by its coordinator to be hosted in Tokyo."""

    __tablename__ = "nominations"
    __table_args__ = (sa.CheckConstraint("end_on >= start_on", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("partner_cities.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    position: Mapped[str] = mapped_column(sa.String(200))
    start_on: Mapped[date]
    end_on: Mapped[date]
    status: Mapped[NominationStatus] = mapped_column(
        str_enum(NominationStatus, "nomination_status"), default=NominationStatus.PENDING
    )
    nominated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placements.id"))
    decided_at: Mapped[datetime | None]
    # What a host needs to know (see ``nomination_details.py``)
    purpose: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    cooperation_area: Mapped[str | None] = mapped_column(sa.String(32))
    preferred_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    language_ability: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    cv_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_files.id"))

    city: Mapped[PartnerCity] = so.relationship()
    nominated_by: Mapped[User] = so.relationship()
    placement: Mapped[Placement | None] = so.relationship()
    preferred_department: Mapped[Department | None] = so.relationship()
    cv_file: Mapped[StoredFile | None] = so.relationship()

    def __repr__(self) -> str:
        return f"<Nomination {self.id} {self.name} {self.status}>"


class Milestone(Model):
    """A dated step of a placement; overdue when past due and not done."""

    __tablename__ = "milestones"
    __table_args__ = (
        sa.UniqueConstraint("placement_id", "kind"),
        sa.Index("ix_milestones_due_open", "due_on", "done_at"),
        # the HR dashboard's overdue milestones: the open ones only (a tenth), index-only
        sa.Index(
            "ix_milestones_open_placement",
            "placement_id",
            "due_on",
            sqlite_where=sa.text("done_at IS NULL"),
            postgresql_where=sa.text("done_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id", ondelete="CASCADE"))
    kind: Mapped[MilestoneKind] = mapped_column(str_enum(MilestoneKind, "milestone_kind"))
    due_on: Mapped[date]
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    placement: Mapped[Placement] = so.relationship(back_populates="milestones")

    def overdue(self, today: date) -> bool:
        return self.done_at is None and self.due_on < today

    def __repr__(self) -> str:
        return f"<Milestone {self.placement_id} {self.kind} {self.due_on}>"


class Report(Model):
    """A mid-term or final report of a placement: summary and file, acknowledged by HR."""

    __tablename__ = "placement_reports"
    __table_args__ = (sa.UniqueConstraint("placement_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id", ondelete="CASCADE"))
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind, "report_kind"))
    summary: Mapped[str] = mapped_column(sa.Text)
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_files.id"))
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]

    placement: Mapped[Placement] = so.relationship()
    file: Mapped[StoredFile | None] = so.relationship()

    def __repr__(self) -> str:
        return f"<Report {self.placement_id} {self.kind}>"


class ExchangeAgreement(TimestampMixin, Model):
    """An agreement with a partner city for a period, with yearly quotas both ways."""

    __tablename__ = "exchange_agreements"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        sa.CheckConstraint(
            "outgoing_people >= 0 AND incoming_people >= 0 AND "
            "outgoing_person_months >= 0 AND incoming_person_months >= 0",
            name="quotas_nonnegative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("partner_cities.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    outgoing_people: Mapped[int] = mapped_column(default=0)
    outgoing_person_months: Mapped[int] = mapped_column(default=0)
    incoming_people: Mapped[int] = mapped_column(default=0)
    incoming_person_months: Mapped[int] = mapped_column(default=0)

    city: Mapped[PartnerCity] = so.relationship()

    def __repr__(self) -> str:
        return f"<ExchangeAgreement {self.city_id} {self.starts_on}..{self.ends_on}>"


class ActionLinkUse(Model):
    """A signed e-mail link that was used: its unique id makes every link single-use."""

    __tablename__ = "action_link_uses"

    jti: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(default=utcnow)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"))
    action: Mapped[str] = mapped_column(sa.String(32))
