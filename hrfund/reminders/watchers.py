"""Watchers over placements, nominations, training and the HR digest.

Each query is bounded by the window of what is due now, on an indexed column, so its cost grows
with what is due and not with the table. See :mod:`hrfund.reminders.registry`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from hrfund.auth.models import Role, User, UserRole, department_managers
from hrfund.core.windows import after_window, before_window, day_bounds, local_today
from hrfund.extensions import db
from hrfund.placements.milestones import REPORT_MILESTONE
from hrfund.placements.models import (
    Direction,
    Milestone,
    Nomination,
    NominationStatus,
    Placement,
    PlacementStatus,
    Report,
)
from hrfund.reminders.models import Audience
from hrfund.reminders.registry import DueItem, register
from hrfund.training.models import LanguageScore, RecordStatus, TrainingRecord

REPORT_KINDS = tuple(REPORT_MILESTONE.values())
REPORT_OF = {milestone: report for report, milestone in REPORT_MILESTONE.items()}
UPCOMING = (PlacementStatus.PROPOSED, PlacementStatus.CONFIRMED)
OPEN = (PlacementStatus.PROPOSED, PlacementStatus.CONFIRMED, PlacementStatus.ACTIVE)
DIGEST_AT = time(8, 30)


def role_user_ids(role: Role) -> tuple[int, ...]:
    """Active users holding ``role``."""
    stmt = (
        sa.select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.active.is_(True))
        .order_by(User.id)
    )
    return tuple(db.session.scalars(stmt))


class Audiences:
    """Resolves a rule's audience for many subjects with one query per kind of lookup."""

    def __init__(self, audience: Audience):
        self.audience = Audience(audience)
        self._hr: tuple[int, ...] | None = None
        self._managers: dict[int, tuple[int, ...]] = {}
        self._coordinators: dict[int, tuple[int, ...]] = {}

    def hr(self) -> tuple[int, ...]:
        if self._hr is None:
            self._hr = role_user_ids(Role.HR)
        return self._hr

    def managers(self, department_id: int | None) -> tuple[int, ...]:
        if department_id is None:
            return ()
        if department_id not in self._managers:
            stmt = (
                sa.select(department_managers.c.user_id)
                .join(User, User.id == department_managers.c.user_id)
                .where(department_managers.c.department_id == department_id, User.active.is_(True))
            )
            self._managers[department_id] = tuple(db.session.scalars(stmt))
        return self._managers[department_id]

    def coordinators(self, city_id: int) -> tuple[int, ...]:
        if city_id not in self._coordinators:
            stmt = (
                sa.select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .where(
                    UserRole.role == Role.COORDINATOR,
                    User.city_id == city_id,
                    User.active.is_(True),
                )
            )
            self._coordinators[city_id] = tuple(db.session.scalars(stmt))
        return self._coordinators[city_id]

    def of(
        self,
        *,
        person: User | None = None,
        city_id: int | None = None,
        department_id: int | None = None,
    ) -> tuple[int, ...]:
        if self.audience == Audience.PERSON:
            return (person.id,) if person is not None and person.active else ()
        if self.audience == Audience.MANAGER:
            return self.managers(person.department_id if person is not None else department_id)
        if self.audience == Audience.HR:
            return self.hr()
        return self.coordinators(city_id) if city_id is not None else ()

    def of_placement(self, placement: Placement) -> tuple[int, ...]:
        department = placement.host_department_id if placement.person is None else None
        return self.of(person=placement.person, city_id=placement.city_id, department_id=department)


def _placement_context(placement: Placement, **extra) -> dict:
    return {
        "placement": placement,
        "city": placement.city,
        "person_name": placement.person_name,
        **extra,
    }


@register("placement_start")
def placement_start(rule, now: datetime) -> Iterator[DueItem]:
    """Placements starting in ``offset`` days (proposed or confirmed)."""
    low, high = before_window(rule, now)
    audiences = Audiences(rule.audience)
    stmt = (
        sa.select(Placement)
        .where(Placement.start_on.between(low, high), Placement.status.in_(UPCOMING))
        .options(so.joinedload(Placement.city), so.joinedload(Placement.person))
        .order_by(Placement.id)
    )
    for placement in db.session.scalars(stmt):
        yield DueItem(
            "placement",
            placement.id,
            placement.start_on,
            audiences.of_placement(placement),
            _placement_context(placement),
        )


def _milestones(low, high, *, reports: bool):
    kind_filter = Milestone.kind.in_(REPORT_KINDS)
    stmt = (
        sa.select(Milestone)
        .join(Placement, Placement.id == Milestone.placement_id)
        .where(
            Milestone.due_on.between(low, high),
            Milestone.done_at.is_(None),
            kind_filter if reports else ~kind_filter,
            Placement.status.in_(OPEN),
        )
        .options(
            so.contains_eager(Milestone.placement).joinedload(Placement.city),
            so.contains_eager(Milestone.placement).joinedload(Placement.person),
        )
        .order_by(Milestone.id)
    )
    return db.session.scalars(stmt).unique()


def _milestone_item(rule, milestone: Milestone, audiences: Audiences) -> DueItem:
    return DueItem(
        "milestone",
        milestone.id,
        milestone.due_on,
        audiences.of_placement(milestone.placement),
        _placement_context(
            milestone.placement,
            milestone=milestone,
            milestone_label=milestone.kind.lazy_label,
        ),
    )


@register("milestone_due")
def milestone_due(rule, now: datetime) -> Iterator[DueItem]:
    """Open milestones (reports aside) due in ``offset`` days."""
    audiences = Audiences(rule.audience)
    for milestone in _milestones(*before_window(rule, now), reports=False):
        yield _milestone_item(rule, milestone, audiences)


@register("milestone_overdue")
def milestone_overdue(rule, now: datetime) -> Iterator[DueItem]:
    """Milestones still open ``offset`` days after their due date (reports included)."""
    audiences = Audiences(rule.audience)
    low, high = after_window(rule, now)
    yield from (_milestone_item(rule, m, audiences) for m in _milestones(low, high, reports=False))
    for milestone in _unreported(_milestones(low, high, reports=True)):
        yield _milestone_item(rule, milestone, audiences)


def _unreported(milestones) -> list[Milestone]:
    """The report milestones whose report has not come in: one query for the whole batch."""
    milestones = list(milestones)
    placement_ids = {m.placement_id for m in milestones}
    reported = (
        set(
            db.session.execute(
                sa.select(Report.placement_id, Report.kind).where(
                    Report.placement_id.in_(placement_ids)
                )
            ).tuples()
        )
        if placement_ids
        else set()
    )
    return [m for m in milestones if (m.placement_id, REPORT_OF[m.kind]) not in reported]


@register("report_due")
def report_due(rule, now: datetime) -> Iterator[DueItem]:
    """Mid-term and final reports due in ``offset`` days and not yet submitted."""
    audiences = Audiences(rule.audience)
    for milestone in _unreported(_milestones(*before_window(rule, now), reports=True)):
        yield _milestone_item(rule, milestone, audiences)


def _waiting_since_window(created_at, rule, now: datetime):
    """Made on a Tokyo day ``offset`` days ago (or within the catch-up days before): what a
    rule "still waiting ``offset`` days after it was made" looks for."""
    start, end = day_bounds(*after_window(rule, now))
    return sa.and_(created_at >= start, created_at < end)


@register("host_confirmation_pending")
def host_confirmation_pending(rule, now: datetime) -> Iterator[DueItem]:
    """Outgoing placements the host city has not confirmed ``offset`` days after proposal."""
    audiences = Audiences(rule.audience)
    stmt = (
        sa.select(Placement)
        .where(
            Placement.status == PlacementStatus.PROPOSED,
            _waiting_since_window(Placement.created_at, rule, now),
            Placement.direction == Direction.OUTGOING,
        )
        .options(so.joinedload(Placement.city), so.joinedload(Placement.person))
        .order_by(Placement.id)
    )
    for placement in db.session.scalars(stmt):
        since = local_today(placement.created_at)
        yield DueItem(
            "placement",
            placement.id,
            since,
            audiences.of_placement(placement),
            _placement_context(placement, since=since),
        )


@register("nomination_pending")
def nomination_pending(rule, now: datetime) -> Iterator[DueItem]:
    """Nominations by partner cities still undecided ``offset`` days after they were made."""
    audiences = Audiences(rule.audience)
    stmt = (
        sa.select(Nomination)
        .where(
            Nomination.status == NominationStatus.PENDING,
            _waiting_since_window(Nomination.created_at, rule, now),
        )
        .options(so.joinedload(Nomination.city))
        .order_by(Nomination.id)
    )
    for nomination in db.session.scalars(stmt):
        since = local_today(nomination.created_at)
        yield DueItem(
            "nomination",
            nomination.id,
            since,
            audiences.of(city_id=nomination.city_id),
            {"nomination": nomination, "city": nomination.city, "since": since},
        )


@register("certificate_expiring")
def certificate_expiring(rule, now: datetime) -> Iterator[DueItem]:
    """Completed trainings whose certificate expires in ``offset`` days."""
    low, high = before_window(rule, now)
    audiences = Audiences(rule.audience)
    stmt = (
        sa.select(TrainingRecord)
        .where(
            TrainingRecord.expires_on.between(low, high),
            TrainingRecord.status == RecordStatus.COMPLETED,
        )
        .options(so.joinedload(TrainingRecord.user), so.joinedload(TrainingRecord.program))
        .order_by(TrainingRecord.id)
    )
    for record in db.session.scalars(stmt):
        if record.expires_on is None:  # not selected; for the type checker
            continue
        yield DueItem(
            "training_record",
            record.id,
            record.expires_on,
            audiences.of(person=record.user),
            {"record": record, "program": record.program},
        )


@register("language_score_expiring")
def language_score_expiring(rule, now: datetime) -> Iterator[DueItem]:
    """Language scores that expire in ``offset`` days."""
    low, high = before_window(rule, now)
    audiences = Audiences(rule.audience)
    stmt = (
        sa.select(LanguageScore)
        .where(LanguageScore.expires_on.between(low, high))
        .options(so.joinedload(LanguageScore.user))
        .order_by(LanguageScore.id)
    )
    for score in db.session.scalars(stmt):
        if score.expires_on is None:  # not selected; for the type checker
            continue
        yield DueItem(
            "language_score",
            score.id,
            score.expires_on,
            audiences.of(person=score.user),
            {"score": score},
        )


@register("hr_digest")
def hr_digest(rule, now: datetime) -> Iterator[DueItem]:
    """Once a day from 08:30 Tokyo time: a summary for HR (failures first)."""
    from hrfund.reminders.rules import digest_figures

    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    if now.astimezone(tz).time() < DIGEST_AT:
        return
    today = local_today(now)
    recipients = Audiences(rule.audience).of()
    if recipients:
        yield DueItem(
            "digest", 0, today - timedelta(days=rule.offset_days), recipients, digest_figures(now)
        )
