"""Watchers over placements, nominations, training and the HR digest.

Each query is bounded by the window of what is due now, on an indexed column, and leaves out in
SQL what was sent already (:meth:`~hrfund.reminders.models.ReminderRule.undelivered`), so that
its cost grows with what is newly due and not with the table, nor with the catch-up window's
reminders sent before. See :mod:`hrfund.reminders.registry`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from hrfund.core.windows import after_window, before_window, day_bounds, local_date, local_today
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
from hrfund.reminders.audiences import Audiences
from hrfund.reminders.registry import DueItem, register
from hrfund.training.models import LanguageScore, RecordStatus, TrainingRecord

REPORT_KINDS = tuple(REPORT_MILESTONE.values())
REPORT_OF = {milestone: report for report, milestone in REPORT_MILESTONE.items()}
UPCOMING = (PlacementStatus.PROPOSED, PlacementStatus.CONFIRMED)
OPEN = (PlacementStatus.PROPOSED, PlacementStatus.CONFIRMED, PlacementStatus.ACTIVE)
DIGEST_AT = time(8, 30)


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
        .where(
            Placement.start_on.between(low, high),
            Placement.status.in_(UPCOMING),
            rule.undelivered(
                "placement", Placement.id, Placement.start_on, audiences.sql_of_placement()
            ),
        )
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


def _milestones(rule, audiences: Audiences, low, high, *, reports: bool):
    kind_filter = Milestone.kind.in_(REPORT_KINDS)
    stmt = (
        sa.select(Milestone)
        .join(Placement, Placement.id == Milestone.placement_id)
        .where(
            Milestone.due_on.between(low, high),
            Milestone.done_at.is_(None),
            kind_filter if reports else ~kind_filter,
            Placement.status.in_(OPEN),
            rule.undelivered(
                "milestone", Milestone.id, Milestone.due_on, audiences.sql_of_placement()
            ),
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
    for milestone in _milestones(rule, audiences, *before_window(rule, now), reports=False):
        yield _milestone_item(rule, milestone, audiences)


@register("milestone_overdue")
def milestone_overdue(rule, now: datetime) -> Iterator[DueItem]:
    """Milestones still open ``offset`` days after their due date (reports included)."""
    audiences = Audiences(rule.audience)
    low, high = after_window(rule, now)
    for milestone in _milestones(rule, audiences, low, high, reports=False):
        yield _milestone_item(rule, milestone, audiences)
    for milestone in _unreported(_milestones(rule, audiences, low, high, reports=True)):
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
    window = before_window(rule, now)
    for milestone in _unreported(_milestones(rule, audiences, *window, reports=True)):
        yield _milestone_item(rule, milestone, audiences)


def _waiting_since_window(created_at, rule, now: datetime, subject, recipients):
    """Made on a Tokyo day ``offset`` days ago (or within the catch-up days before): what a
    rule "still waiting ``offset`` days after it was made" looks for; not reminded of yet
    (``subject``: its type and id column; the reminder's date is the day it was made)."""
    low, high = after_window(rule, now)
    start, end = day_bounds(low, high)
    since = local_date(created_at, low, high)
    return sa.and_(
        created_at >= start,
        created_at < end,
        rule.undelivered(*subject, since, recipients),
    )


@register("host_confirmation_pending")
def host_confirmation_pending(rule, now: datetime) -> Iterator[DueItem]:
    """Outgoing placements the host city has not confirmed ``offset`` days after proposal."""
    audiences = Audiences(rule.audience)
    stmt = (
        sa.select(Placement)
        .where(
            Placement.status == PlacementStatus.PROPOSED,
            _waiting_since_window(
                Placement.created_at,
                rule,
                now,
                ("placement", Placement.id),
                audiences.sql_of_placement(),
            ),
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
            _waiting_since_window(
                Nomination.created_at,
                rule,
                now,
                ("nomination", Nomination.id),
                audiences.sql(city_id=Nomination.city_id),
            ),
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
            rule.undelivered(
                "training_record",
                TrainingRecord.id,
                TrainingRecord.expires_on,
                audiences.sql(person_id=TrainingRecord.user_id),
            ),
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
        .where(
            LanguageScore.expires_on.between(low, high),
            rule.undelivered(
                "language_score",
                LanguageScore.id,
                LanguageScore.expires_on,
                audiences.sql(person_id=LanguageScore.user_id),
            ),
        )
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
    due_on = local_today(now) - timedelta(days=rule.offset_days)
    audiences = Audiences(rule.audience)
    day = sa.literal(due_on, sa.Date)
    pending = rule.undelivered("digest", sa.literal(0), day, audiences.sql())
    if not db.session.scalar(sa.select(pending)):
        return  # sent today already: its figures are not counted again
    recipients = audiences.of()
    if recipients:
        yield DueItem("digest", 0, due_on, recipients, digest_figures(now))
