"""Dates checked against the placement: arrival, nominations, milestones and completion.

One place per rule; the services call these before they change anything, and pages and the
API show what they say. Each check returns field errors (``{field: [message]}``) so that a
caller can report them together with its other checks.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from hrfund.core.errors import InvalidTransition
from hrfund.core.fiscal import TOKYO, tokyo_today
from hrfund.placements.models import Milestone, Placement

#: Used when the setting is missing (a bare app in a script).
DEFAULT_ARRIVAL_TOLERANCE_DAYS = 7


def arrival_tolerance_days() -> int:
    return int(current_app.config.get("ARRIVAL_TOLERANCE_DAYS", DEFAULT_ARRIVAL_TOLERANCE_DAYS))


def check_arrival(placement: Placement, arrived_on: date | None) -> dict[str, list[str]]:
    """An arrival lies in the placement's period; it may be a few days early (the setting
    ARRIVAL_TOLERANCE_DAYS), never after the end."""
    if arrived_on is None:
        return {}
    tolerance = arrival_tolerance_days()
    earliest = placement.start_on - timedelta(days=tolerance)
    if earliest <= arrived_on <= placement.end_on:
        return {}
    message = _l(
        "The arrival date must lie between %(earliest)s (%(days)d days before the start) and "
        "the end of the placement, %(end)s.",
        earliest=format_date(earliest),
        days=tolerance,
        end=format_date(placement.end_on),
    )
    return {"arrived_on": [str(message)]}


def check_nomination_dates(start_on, end_on, today: date | None = None) -> dict[str, list[str]]:
    """A nomination is for a stay that has not begun: its dates lie in the future."""
    today = today or tokyo_today()
    errors: dict[str, list[str]] = {}
    for name, value in (("start_on", start_on), ("end_on", end_on)):
        if isinstance(value, date) and value <= today:
            errors[name] = [
                str(
                    _l(
                        "The date must lie in the future (after %(today)s).",
                        today=format_date(today),
                    )
                )
            ]
    return errors


def milestone_window(placement: Placement) -> tuple[date, date]:
    """The earliest and latest due dates of a placement's milestones: not before the day the
    placement was created, nor more than a year after it ends."""
    created = placement.created_at
    if created is not None and created.tzinfo is None:  # SQLite hands back naive UTC
        created = created.replace(tzinfo=UTC)
    earliest = created.astimezone(TOKYO).date() if created else tokyo_today()
    end = placement.end_on
    try:
        latest = end.replace(year=end.year + 1)
    except ValueError:  # 29 February
        latest = end.replace(year=end.year + 1, day=28)
    return earliest, latest


def check_milestone_date(milestone: Milestone, due_on: date) -> dict[str, list[str]]:
    earliest, latest = milestone_window(milestone.placement)
    if earliest <= due_on <= latest:
        return {}
    message = _l(
        "A milestone is due between %(earliest)s (when the placement was created) and "
        "%(latest)s (a year after it ends).",
        earliest=format_date(earliest),
        latest=format_date(latest),
    )
    return {"due_on": [str(message)]}


def open_milestones(placement: Placement) -> list[Milestone]:
    return [m for m in placement.milestones if m.done_at is None]


def milestone_names(milestones: list[Milestone]) -> str:
    return ", ".join(f"{m.kind.label} ({format_date(m.due_on)})" for m in milestones)


def completion_record(
    placement: Placement, *, confirm_early: bool, today: date | None = None
) -> dict:
    """What completing ``placement`` today records (ended early, open milestones), or
    InvalidTransition (409) when it ends before its end date without ``confirm_early``; the
    refusal names the open milestones too."""
    today = today or tokyo_today()
    still_open = open_milestones(placement)
    record: dict = {}
    if still_open:
        record["open_milestones"] = [m.kind.value for m in still_open]
    if today < placement.end_on:
        if not confirm_early:
            message = str(
                _l(
                    "The placement ends on %(end)s: to complete it early, confirm that it ended "
                    "early.",
                    end=format_date(placement.end_on),
                )
            )
            fields = {"confirm_early": [message]}
            if still_open:
                still = str(
                    _l("Still open: %(milestones)s.", milestones=milestone_names(still_open))
                )
                message = f"{message} {still}"
                fields["milestones"] = [still]
            raise InvalidTransition(message, fields=fields)
        record |= {"ended_early": True, "ended_on": today, "planned_end_on": placement.end_on}
    return record


def ended_early(history) -> dict | None:
    """The record of an early end among a placement's history entries, if any."""
    for entry in history:
        changes = getattr(entry, "changes", None) or {}
        if changes.get("ended_early"):
            return {name: _as_date(changes.get(name)) for name in ("ended_on", "planned_end_on")}
    return None


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
