"""The figures of each role's dashboard, read from the other modules' tables.

Every figure is one aggregate query (GROUP BY) or one short list (LIMIT), so a dashboard costs the
same number of queries however large the tables grow. Nothing here changes data. Scope is that of
the modules' own rules: an employee sees their own things, a manager their departments', a
coordinator their city's, HR and auditors everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from hrfund.applications.delegations import endorsing_department_ids
from hrfund.applications.models import Application, ApplicationStatus
from hrfund.auth.models import Role, User
from hrfund.core.fiscal import fiscal_year_bounds
from hrfund.extensions import db
from hrfund.fund.models import Category
from hrfund.org.models import PartnerCity
from hrfund.placements.models import (
    OPEN_STATUSES,
    Direction,
    Milestone,
    Nomination,
    NominationStatus,
    Placement,
)
from hrfund.reports.common import LIST_LIMIT, RECORD_HOURS, abroad_on
from hrfund.reports.organisation import (  # noqa: F401  (the views' one door)
    BANDS,
    CITY_TARGET,
    OrganisationDashboard,
    organisation_dashboard,
)
from hrfund.training.models import (
    RecordStatus,
    TrainingProgram,
    TrainingRecord,
)


def _pending_milestones(placement_ids_stmt, limit: int) -> list[Milestone]:
    return list(
        db.session.scalars(
            sa.select(Milestone)
            .where(Milestone.placement_id.in_(placement_ids_stmt), Milestone.done_at.is_(None))
            .options(
                so.joinedload(Milestone.placement).joinedload(Placement.city),
                so.joinedload(Milestone.placement).joinedload(Placement.person),
            )
            .order_by(Milestone.due_on, Milestone.id)
            .limit(limit)
        )
    )


# ---------------------------------------------------------------- employee


@dataclass
class EmployeeDashboard:
    applications: list[Application]
    placements: list[Placement]
    milestones: list[Milestone]
    training_hours: Decimal
    fiscal_year: int


def employee_dashboard(user: User, today: date, fiscal_year: int) -> EmployeeDashboard:
    """The employee's own figures: the year's training hours, and whether there is anything to
    list, in one statement; the lists are read only when there is (most staff have no
    application and no placement, and every HR officer sees this section too)."""
    start, end = fiscal_year_bounds(fiscal_year)
    open_placements = sa.select(Placement.id).where(
        Placement.person_id == user.id, Placement.status.in_(OPEN_STATUSES)
    )
    hours = (
        sa.select(sa.func.coalesce(sa.func.sum(RECORD_HOURS), 0))
        .select_from(TrainingRecord)
        .join(TrainingProgram, TrainingProgram.id == TrainingRecord.program_id)
        .where(
            TrainingRecord.user_id == user.id,
            TrainingRecord.status == RecordStatus.COMPLETED,
            TrainingRecord.completed_on.between(start, end),
        )
        .scalar_subquery()
    )
    applied = sa.exists().where(Application.applicant_id == user.id)
    placed = sa.exists(open_placements)
    total_hours, has_applications, has_placements = db.session.execute(
        sa.select(hours, applied, placed)
    ).one()
    return EmployeeDashboard(
        applications=list(
            db.session.scalars(
                sa.select(Application)
                .where(Application.applicant_id == user.id)
                .options(so.joinedload(Application.call))
                .order_by(Application.updated_at.desc(), Application.id.desc())
                .limit(LIST_LIMIT)
            )
        )
        if has_applications
        else [],
        placements=list(
            db.session.scalars(
                sa.select(Placement)
                .where(Placement.id.in_(open_placements))
                .options(so.joinedload(Placement.city))
                .order_by(Placement.start_on, Placement.id)
                .limit(LIST_LIMIT)
            )
        )
        if has_placements
        else [],
        milestones=_pending_milestones(open_placements, LIST_LIMIT) if has_placements else [],
        training_hours=Decimal(total_hours or 0),
        fiscal_year=fiscal_year,
    )


# ---------------------------------------------------------------- manager


@dataclass
class ManagerDashboard:
    waiting_count: int
    waiting: list[Application]
    abroad: list[Placement]
    abroad_count: int


def manager_dashboard(user: User, today: date) -> ManagerDashboard:
    departments = sorted(endorsing_department_ids(user))
    staff = sa.select(User.id).where(User.department_id.in_(departments))
    waiting = sa.select(Application).where(
        Application.status == ApplicationStatus.SUBMITTED,
        Application.applicant_id.in_(staff),
        Application.applicant_id != user.id,  # one's own waits for someone else
    )
    abroad = sa.select(Placement).where(
        Placement.direction == Direction.OUTGOING,
        Placement.person_id.in_(staff),
        abroad_on(today),
    )
    count = sa.select(sa.func.count()).select_from
    return ManagerDashboard(
        waiting_count=(db.session.scalar(count(waiting.subquery())) or 0) if departments else 0,
        waiting=list(
            db.session.scalars(
                waiting.options(
                    so.joinedload(Application.applicant), so.joinedload(Application.call)
                )
                .order_by(Application.submitted_at, Application.id)
                .limit(LIST_LIMIT)
            )
        )
        if departments
        else [],
        abroad=list(
            db.session.scalars(
                abroad.options(so.joinedload(Placement.person), so.joinedload(Placement.city))
                .order_by(Placement.end_on, Placement.id)
                .limit(LIST_LIMIT * 2)
            )
        )
        if departments
        else [],
        abroad_count=(db.session.scalar(count(abroad.subquery())) or 0) if departments else 0,
    )


# ---------------------------------------------------------------- coordinator


@dataclass
class CoordinatorDashboard:
    city: PartnerCity | None
    hosted: list[Placement]
    status_counts: dict[str, int]
    milestones: list[Milestone]
    nominations_pending: int


def coordinator_dashboard(user: User, today: date) -> CoordinatorDashboard:
    if user.city_id is None:
        return CoordinatorDashboard(None, [], {}, [], 0)
    hosted = sa.select(Placement.id).where(
        Placement.city_id == user.city_id,
        Placement.direction == Direction.OUTGOING,
        Placement.status.in_(OPEN_STATUSES),
    )
    counts = dict(
        db.session.execute(
            sa.select(Placement.status, sa.func.count())
            .where(Placement.id.in_(hosted))
            .group_by(Placement.status)
        ).all()
    )
    return CoordinatorDashboard(
        city=user.city,
        hosted=list(
            db.session.scalars(
                sa.select(Placement)
                .where(Placement.id.in_(hosted))
                .options(so.joinedload(Placement.person))
                .order_by(Placement.start_on, Placement.id)
                .limit(LIST_LIMIT * 2)
            )
        ),
        status_counts={str(k): v for k, v in counts.items()},
        milestones=_pending_milestones(hosted, LIST_LIMIT),
        nominations_pending=(
            db.session.scalar(
                sa.select(sa.func.count()).where(
                    Nomination.city_id == user.city_id,
                    Nomination.status == NominationStatus.PENDING,
                )
            )
            or 0
        ),
    )


# ---------------------------------------------------------------- which sections


def sections_for(user: User) -> list[str]:
    """The dashboard sections ``user`` sees, in order."""
    sections = ["admin"] if user.has_role(Role.ADMIN) else []
    if user.has_role(Role.HR, Role.AUDITOR):
        sections.append("organisation")
    if user.has_role(Role.MANAGER) or endorsing_department_ids(user):
        sections.append("manager")
    if user.has_role(Role.COORDINATOR):
        sections.append("coordinator")
    if user.has_role(Role.EMPLOYEE):
        sections.append("employee")
    return sections


__all__ = [
    "Category",
    "abroad_on",
    "coordinator_dashboard",
    "employee_dashboard",
    "manager_dashboard",
    "organisation_dashboard",
    "sections_for",
]
