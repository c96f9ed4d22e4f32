"""Milestones of a placement (due dates from its dates) and its reports."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.auth.models import Role
from hrfund.core import signals
from hrfund.core.actor import Actor
from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from hrfund.core.files import store_upload
from hrfund.core.permissions import allowed
from hrfund.core.statemachine import claim_row
from hrfund.extensions import db
from hrfund.placements import date_rules
from hrfund.placements.models import (
    Direction,
    Milestone,
    MilestoneKind,
    Placement,
    PlacementStatus,
    Report,
    ReportKind,
)

K = MilestoneKind
REPORT_MILESTONE = {ReportKind.MID_TERM: K.MID_TERM_REPORT, ReportKind.FINAL: K.FINAL_REPORT}


def due_dates(direction: Direction, start_on: date, end_on: date) -> dict[MilestoneKind, date]:
    """When each step is due, from the placement's dates."""
    middle = start_on + (end_on - start_on) // 2
    dates = {
        K.VISA: start_on - timedelta(days=45),
        K.ARRIVAL: start_on,
        K.MID_TERM_REPORT: middle,
        K.FINAL_REPORT: end_on + timedelta(days=30),
        K.RETURN: end_on,
    }
    if direction == Direction.OUTGOING:
        dates[K.PRE_DEPARTURE_TRAINING] = start_on - timedelta(days=30)
        dates[K.DEPARTURE] = start_on - timedelta(days=1)
    return dates


def create_milestones(placement: Placement) -> list[Milestone]:
    milestones = [
        Milestone(kind=kind, due_on=due)
        for kind, due in sorted(
            due_dates(placement.direction, placement.start_on, placement.end_on).items(),
            key=lambda kv: kv[1],
        )
    ]
    placement.milestones = milestones
    db.session.flush()
    return milestones


def adjust_milestone(actor, milestone: Milestone, due_on: date) -> Milestone:
    """HR moves a due date."""
    if not actor.has_role(Role.HR):
        raise NotAllowed(str(_l("Only HR adjusts milestones.")))
    if not isinstance(due_on, date):
        message = str(_l("Enter a date as YYYY-MM-DD."))
        raise ValidationFailed(message, fields={"due_on": [message]})
    errors = date_rules.check_milestone_date(milestone, due_on)
    if errors:
        raise ValidationFailed(errors["due_on"][0], fields=errors)
    if milestone.due_on != due_on:
        record_event(
            actor,
            "milestone.adjust",
            milestone.placement,
            object_type="placements",
            changes={"milestone": milestone.kind.value, "due_on": [milestone.due_on, due_on]},
        )
        milestone.due_on = due_on
    return milestone


def mark_done(actor, placement: Placement, kind: MilestoneKind) -> Milestone | None:
    milestone = next((m for m in placement.milestones if m.kind == kind), None)
    if milestone is not None and milestone.done_at is None:
        milestone.done_at = utcnow()
        milestone.done_by_id = getattr(actor, "id", None)
        record_event(
            actor,
            "milestone.done",
            placement,
            object_type="placements",
            changes={"milestone": kind.value},
        )
    return milestone


#: A placement's steps are ticked off once the host has confirmed it, not while it is only
#: proposed, nor after it was declined or cancelled.
TICKABLE = (PlacementStatus.CONFIRMED, PlacementStatus.ACTIVE, PlacementStatus.COMPLETED)


def may_complete(actor, milestone: Milestone) -> bool:
    """Whether ``actor`` may tick ``milestone`` off now (the detail page asks this too)."""
    placement = milestone.placement
    return (
        milestone.done_at is None
        and placement.status in TICKABLE
        and (actor.has_role(Role.HR) or placement.person_id == actor.id)
    )


def complete_milestone(actor, milestone: Milestone) -> Milestone:
    """HR, or the placed employee for their own steps, ticks a milestone off."""
    placement = milestone.placement
    if not (actor.has_role(Role.HR) or placement.person_id == actor.id):
        raise NotAllowed(str(_l("You may not change this milestone.")))
    if placement.status not in TICKABLE:
        raise InvalidTransition(
            str(_l("Steps are ticked off once the host has confirmed the placement."))
        )
    if milestone.done_at is not None:
        raise Conflict(str(_l("This milestone is already done.")))
    mark_done(actor, placement, milestone.kind)
    return milestone


def overdue_counts(placement_ids: list[int], today: date) -> dict[int, int]:
    """Overdue milestones per placement, in one query."""
    if not placement_ids:
        return {}
    rows = db.session.execute(
        sa.select(Milestone.placement_id, sa.func.count(Milestone.id))
        .where(
            Milestone.placement_id.in_(placement_ids),
            Milestone.done_at.is_(None),
            Milestone.due_on < today,
        )
        .group_by(Milestone.placement_id)
    )
    return dict(rows.all())


# ---------------------------------------------------------------- reports


def _report_refusal(
    actor, placement: Placement, kind: ReportKind | None
) -> NotAllowed | InvalidTransition | None:
    """Why ``actor`` may not submit a report of ``kind`` (any kind when None) now, or None."""
    if placement.direction != Direction.OUTGOING or placement.person_id != actor.id:
        return NotAllowed(str(_l("Only the seconded employee submits reports.")))
    allowed = {PlacementStatus.ACTIVE} | (
        {PlacementStatus.COMPLETED} if kind in (ReportKind.FINAL, None) else set()
    )
    if placement.status not in allowed:
        return InvalidTransition(
            str(
                _l(
                    "Reports are submitted while the placement is active "
                    "(the final report also after it is completed)."
                )
            )
        )
    return None


def can_submit_report(actor, placement: Placement, kind: ReportKind | None = None) -> bool:
    """May ``actor`` submit a report of ``kind`` (any kind when None) on ``placement`` now?"""
    return _report_refusal(actor, placement, kind) is None


def submit_report(
    actor, placement: Placement, kind: ReportKind | str, summary: str, upload=None
) -> Report:
    """The seconded employee submits a mid-term or final report (summary and a file)."""
    kind = ReportKind(kind)
    refusal = _report_refusal(actor, placement, kind)
    if refusal is not None:
        raise refusal
    summary = (summary or "").strip()
    if not summary:
        message = str(_l("Write a summary."))
        raise ValidationFailed(message, fields={"summary": [message]})
    if len(summary) > 20_000:
        message = str(_l("Use at most %(n)d characters.", n=20_000))
        raise ValidationFailed(message, fields={"summary": [message]})
    existing = db.session.scalar(
        sa.select(Report).where(Report.placement_id == placement.id, Report.kind == kind)
    )
    if existing is not None and existing.acknowledged_at is not None:
        raise Conflict(str(_l("This report is acknowledged already.")))
    if existing is not None:  # claimed: an acknowledgement made meanwhile is not overwritten
        claim_row(
            existing,
            Report.acknowledged_at.is_(None),
            {"submitted_at": utcnow()},
            lambda: Conflict(str(_l("This report is acknowledged already."))),
        )
    stored = None
    if upload is not None and getattr(upload, "filename", None):
        stored = store_upload(upload.stream, upload.filename, owner=actor, actor=actor)
    report = existing or Report(placement_id=placement.id, kind=kind, submitted_by_id=actor.id)
    report.summary = summary
    report.submitted_at = utcnow()
    if stored is not None:
        report.file = stored
    db.session.add(report)
    db.session.flush()
    mark_done(actor, placement, REPORT_MILESTONE[kind])
    record_event(
        actor,
        "report.submit",
        placement,
        object_type="placements",
        changes={"report": kind.value, "file": stored.original_name if stored else None},
    )
    signals.report_submitted.send(report, actor=actor)
    return report


def check_acknowledge(actor: Actor, report: Report) -> None:
    """HR acknowledges a report once."""
    if not actor.has_role(Role.HR):
        raise NotAllowed(str(_l("Only HR acknowledges reports.")))
    if report.acknowledged_at is not None:
        raise Conflict(str(_l("This report is acknowledged already.")))


def can_acknowledge(actor: Actor, report: Report) -> bool:
    return allowed(check_acknowledge, actor, report)


def acknowledge_report(actor, report: Report) -> Report:
    check_acknowledge(actor, report)
    claim_row(  # two HR officers at once: one acknowledges, the other gets 409
        report,
        Report.acknowledged_at.is_(None),
        {"acknowledged_at": utcnow(), "acknowledged_by_id": actor.id},
        lambda: Conflict(str(_l("This report is acknowledged already."))),
    )
    record_event(
        actor,
        "report.acknowledge",
        report.placement,
        object_type="placements",
        changes={"report": report.kind.value},
    )
    signals.report_acknowledged.send(report, actor=actor)
    return report
