"""Reminder watchers over calls and applications, offered to the reminders module as data.

See ``hrfund.reminders.registry``: each watcher is ``(rule, now) -> items`` where an item is
``(subject_type, subject_id, due_on, recipient_ids, context)``. Queries are bounded by the
window of what is due now on indexed columns (``calls.closes_on``; ``applications.status,
updated_at`` — an application's ``updated_at`` is when it began waiting in its state, since it
cannot be edited once submitted), and leave out what was sent already: ``rule.undelivered``
(the rule's own SQL for "a recipient lacks this reminder", given the recipients as a SELECT of
user ids), so that their cost grows with what is newly due.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from hrfund.applications.models import Application, ApplicationStatus, Call, CallStatus
from hrfund.auth.models import Role, User, UserRole, department_managers
from hrfund.core.windows import after_window, before_window, day_bounds, local_date
from hrfund.extensions import db


def _hr_ids() -> tuple[int, ...]:
    return tuple(
        db.session.scalars(
            sa.select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.HR, User.active.is_(True))
            .order_by(User.id)
        )
    )


def _active(*conditions) -> sa.Select:
    return sa.select(User.id).where(User.active.is_(True), *conditions)


def _managers_of_applicant() -> sa.Select:
    applicant = so.aliased(User)
    department = (
        sa.select(applicant.department_id)
        .where(applicant.id == Application.applicant_id)
        .correlate_except(applicant)
        .scalar_subquery()
    )
    return _active().join(
        department_managers,
        sa.and_(
            department_managers.c.user_id == User.id,
            department_managers.c.department_id == department,
        ),
    )


def _managers_by_department(department_ids: set[int]) -> dict[int, tuple[int, ...]]:
    found: dict[int, list[int]] = defaultdict(list)
    if department_ids:
        rows = db.session.execute(
            sa.select(department_managers.c.department_id, department_managers.c.user_id)
            .join(User, User.id == department_managers.c.user_id)
            .where(department_managers.c.department_id.in_(department_ids), User.active.is_(True))
        )
        for department_id, user_id in rows:
            found[department_id].append(user_id)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def call_closing(rule, now: datetime) -> Iterator[tuple]:
    """Open calls closing in ``offset`` days: to the employees with a draft (or returned) one
    not reminded yet."""
    low, high = before_window(rule, now)
    rows = db.session.execute(
        sa.select(Application.call_id, Application.applicant_id)
        .join(Call, Call.id == Application.call_id)
        .where(
            Call.closes_on.between(low, high),
            Call.status == CallStatus.OPEN,
            Application.status.in_([ApplicationStatus.DRAFT, ApplicationStatus.RETURNED]),
            rule.undelivered(
                "call", Call.id, Call.closes_on, _active(User.id == Application.applicant_id)
            ),
        )
        .order_by(Application.call_id, Application.applicant_id)
    ).all()
    applicants: dict[int, list[int]] = defaultdict(list)
    for call_id, applicant_id in rows:
        applicants[call_id].append(applicant_id)
    if not applicants:
        return
    calls = db.session.scalars(
        sa.select(Call).where(Call.id.in_(applicants)).order_by(Call.id)
    ).all()
    for call in calls:
        yield ("call", call.id, call.closes_on, tuple(applicants[call.id]), {"call": call})


def _waiting(rule, now: datetime, status: ApplicationStatus, recipients) -> list[Application]:
    """Applications waiting in ``status`` since a day of the window, not reminded yet (the
    reminder's date: the day they began waiting)."""
    low, high = after_window(rule, now)
    start, end = day_bounds(low, high)
    since = local_date(Application.updated_at, low, high)
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(
                Application.status == status,
                Application.updated_at >= start,
                Application.updated_at < end,
                rule.undelivered("application", Application.id, since, recipients),
            )
            .options(so.joinedload(Application.applicant), so.joinedload(Application.call))
            .order_by(Application.id)
        )
        .unique()
        .all()
    )


def _since(application: Application):
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return application.updated_at.astimezone(tz).date()


def endorsement_pending(rule, now: datetime) -> Iterator[tuple]:
    """Submitted applications waiting ``offset`` days for their manager (or HR, per rule)."""
    hr = _hr_ids() if rule.audience == "hr" else ()
    audience = hr if rule.audience == "hr" else _managers_of_applicant()
    waiting = _waiting(rule, now, ApplicationStatus.SUBMITTED, audience)
    managers = _managers_by_department(
        {a.applicant.department_id for a in waiting if a.applicant.department_id}
    )
    for application in waiting:
        recipients = (
            hr
            if rule.audience == "hr"
            else managers.get(application.applicant.department_id or 0, ())
        )
        if recipients:
            yield (
                "application",
                application.id,
                _since(application),
                recipients,
                {
                    "application": application,
                    "person_name": application.applicant.display_name("en"),
                },
            )


def decision_pending(rule, now: datetime) -> Iterator[tuple]:
    """Endorsed applications waiting ``offset`` days for HR's decision."""
    hr = _hr_ids()
    waiting = _waiting(rule, now, ApplicationStatus.ENDORSED, hr)
    for application in waiting:
        if hr:
            yield (
                "application",
                application.id,
                _since(application),
                hr,
                {
                    "application": application,
                    "person_name": application.applicant.display_name("en"),
                },
            )


REMINDER_WATCHERS = {
    "call_closing": call_closing,
    "application_endorsement_pending": endorsement_pending,
    "application_decision_pending": decision_pending,
}
