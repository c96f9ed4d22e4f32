"""The HR and auditors' dashboard: the organisation's figures, each one aggregate query."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from hrfund.applications.models import Application, ApplicationStatus, Call, CallStatus
from hrfund.core.fiscal import fiscal_year_bounds
from hrfund.extensions import db
from hrfund.fund import services as fund
from hrfund.fund.figures import COMMITTED, DISBURSED, LedgerEntry, Summary
from hrfund.org.models import CONCRETE_RELATIONSHIPS, PartnerCity
from hrfund.org.services import concrete_relation_count
from hrfund.placements.models import (
    OPEN_STATUSES,
    Direction,
    Milestone,
    Placement,
    PlacementStatus,
)
from hrfund.reports.common import LIST_LIMIT, RECORD_HOURS, abroad_on
from hrfund.training.models import (
    LanguageScore,
    LanguageTest,
    ProgramCategory,
    RecordStatus,
    TrainingProgram,
    TrainingRecord,
)

CITY_TARGET = 30
UPCOMING_DAYS = 90
YEARS_SHOWN = 5
#: Statuses of a placement that happened or will happen (for counting exchanges).
COUNTED_STATUSES = (
    PlacementStatus.PROPOSED,
    PlacementStatus.CONFIRMED,
    PlacementStatus.ACTIVE,
    PlacementStatus.COMPLETED,
)
#: CEFR bands of the commonest tests, by lowest score of each band (B1, B2, C1).
CEFR_BANDS: dict[str, tuple[Decimal, Decimal, Decimal]] = {
    LanguageTest.TOEIC: (Decimal(550), Decimal(785), Decimal(945)),
    LanguageTest.IELTS: (Decimal("4.0"), Decimal("5.5"), Decimal("7.0")),
    LanguageTest.TOEFL_IBT: (Decimal(42), Decimal(72), Decimal(95)),
}
BANDS = ("A2", "B1", "B2", "C1")
# ---------------------------------------------------------------- HR, auditors


@dataclass
class CallCounts:
    call: Call
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass
class OrganisationDashboard:
    fiscal_year: int
    summary: Summary
    committed_by_city: list[tuple[PartnerCity, int, int]]  # city, open commitment, disbursed
    abroad_now: int
    guests_now: int
    active: int
    upcoming: int
    overdue_milestones: int
    calls: list[CallCounts]
    concrete_cities: int
    city_target: int
    exchanges: dict[int, dict[str, int]]  # fiscal year → direction → count
    exchanges_by_city: list[tuple[PartnerCity, dict[tuple[int, str], int]]]
    years: list[int]
    training_hours: dict[str, Decimal]
    language_levels: dict[str, dict[str, int]] = field(default_factory=dict)


def organisation_dashboard(today: date, fiscal_year: int) -> OrganisationDashboard:
    summary = fund.summary(fiscal_year)
    years = list(range(fiscal_year - YEARS_SHOWN + 1, fiscal_year + 1))
    return OrganisationDashboard(
        fiscal_year=fiscal_year,
        summary=summary,
        committed_by_city=_committed_by_city(fiscal_year),
        abroad_now=_count(Placement.direction == Direction.OUTGOING, abroad_on(today)),
        guests_now=_count(Placement.direction == Direction.INCOMING, abroad_on(today)),
        active=_count(Placement.status == PlacementStatus.ACTIVE),
        upcoming=_count(
            Placement.status.in_([PlacementStatus.PROPOSED, PlacementStatus.CONFIRMED]),
            Placement.start_on > today,
            Placement.start_on <= today + timedelta(days=UPCOMING_DAYS),
        ),
        overdue_milestones=(
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Milestone)
                .join(Placement, Placement.id == Milestone.placement_id)
                .where(
                    Milestone.done_at.is_(None),
                    Milestone.due_on < today,
                    Placement.status.in_(OPEN_STATUSES),
                )
            )
            or 0
        ),
        calls=_call_counts(),
        concrete_cities=concrete_relation_count(),
        city_target=CITY_TARGET,
        exchanges=_exchanges_per_year(years),
        exchanges_by_city=_exchanges_by_city(years),
        years=years,
        training_hours=_training_hours(fiscal_year),
        language_levels=_language_levels(today),
    )


def _count(*conditions: sa.ColumnElement[bool]) -> int:
    stmt = sa.select(sa.func.count()).select_from(Placement).where(*conditions)
    return db.session.scalar(stmt) or 0


def _committed_by_city(fiscal_year: int) -> list[tuple[PartnerCity, int, int]]:
    """Open commitments and payments of the year's ledger, by the city of their placement."""
    rows = db.session.execute(
        sa.select(Placement.city_id, COMMITTED, DISBURSED)
        .select_from(LedgerEntry)
        .join(Placement, Placement.id == LedgerEntry.placement_id)
        .where(LedgerEntry.fiscal_year == fiscal_year)
        .group_by(Placement.city_id)
    ).all()
    cities = {
        c.id: c
        for c in db.session.scalars(
            sa.select(PartnerCity).where(PartnerCity.id.in_([r[0] for r in rows]))
        )
    }
    found = [(cities[cid], int(c), int(d)) for cid, c, d in rows if int(c) or int(d)]
    return sorted(found, key=lambda t: (-t[1], -t[2], t[0].code))


def _call_counts() -> list[CallCounts]:
    calls = list(
        db.session.scalars(
            sa.select(Call)
            .where(Call.status.in_([CallStatus.OPEN, CallStatus.CLOSED]))
            .order_by(Call.closes_on.desc(), Call.id.desc())
            .limit(LIST_LIMIT * 2)
        )
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if calls:
        rows = db.session.execute(
            sa.select(Application.call_id, Application.status, sa.func.count())
            .where(
                Application.call_id.in_([c.id for c in calls]),
                Application.status != ApplicationStatus.DRAFT,
            )
            .group_by(Application.call_id, Application.status)
        )
        for call_id, status, n in rows:
            counts[call_id][str(status)] = n
    return [CallCounts(c, counts.get(c.id, {})) for c in calls]


def _exchanges_per_year(years: list[int]) -> dict[int, dict[str, int]]:
    result = {y: {d.value: 0 for d in Direction} for y in years}
    rows = db.session.execute(
        sa.select(Placement.fiscal_year, Placement.direction, sa.func.count())
        .where(Placement.fiscal_year.in_(years), Placement.status.in_(COUNTED_STATUSES))
        .group_by(Placement.fiscal_year, Placement.direction)
    )
    for year, direction, n in rows:
        result[year][str(direction)] = n
    return result


def _exchanges_by_city(years: list[int]) -> list[tuple[PartnerCity, dict[tuple[int, str], int]]]:
    rows = db.session.execute(
        sa.select(Placement.city_id, Placement.fiscal_year, Placement.direction, sa.func.count())
        .where(Placement.fiscal_year.in_(years), Placement.status.in_(COUNTED_STATUSES))
        .group_by(Placement.city_id, Placement.fiscal_year, Placement.direction)
    ).all()
    by_city: dict[int, dict[tuple[int, str], int]] = defaultdict(dict)
    for city_id, year, direction, n in rows:
        by_city[city_id][(year, str(direction))] = n
    cities = db.session.scalars(
        sa.select(PartnerCity)
        .where(
            sa.or_(
                PartnerCity.id.in_(list(by_city)),
                sa.and_(
                    PartnerCity.active.is_(True),
                    PartnerCity.relationship.in_([r.value for r in CONCRETE_RELATIONSHIPS]),
                ),
            )
        )
        .order_by(PartnerCity.code)
    )
    return [(city, by_city.get(city.id, {})) for city in cities]


def _training_hours(fiscal_year: int) -> dict[str, Decimal]:
    """Hours of training completed in the year, by category; the record's own hours, else the
    program's."""
    start, end = fiscal_year_bounds(fiscal_year)
    rows = db.session.execute(
        sa.select(TrainingProgram.category, sa.func.coalesce(sa.func.sum(RECORD_HOURS), 0))
        .select_from(TrainingRecord)
        .join(TrainingProgram, TrainingProgram.id == TrainingRecord.program_id)
        .where(
            TrainingRecord.status == RecordStatus.COMPLETED,
            TrainingRecord.completed_on.between(start, end),
        )
        .group_by(TrainingProgram.category)
    )
    result = {c.value: Decimal(0) for c in ProgramCategory}
    for category, total in rows:
        result[str(category)] = Decimal(total)
    return result


def _language_levels(today: date) -> dict[str, dict[str, int]]:
    """Valid, verified scores of the commonest tests, by CEFR band."""
    band = sa.case(
        *(
            (
                LanguageScore.test == test,
                sa.case(
                    (LanguageScore.score >= c1, "C1"),
                    (LanguageScore.score >= b2, "B2"),
                    (LanguageScore.score >= b1, "B1"),
                    else_="A2",
                ),
            )
            for test, (b1, b2, c1) in CEFR_BANDS.items()
        ),
        else_="",
    )
    rows = db.session.execute(
        sa.select(LanguageScore.test, band, sa.func.count())
        .where(
            LanguageScore.test.in_(list(CEFR_BANDS)),
            LanguageScore.verified.is_(True),
            LanguageScore.taken_on <= today,
            sa.or_(LanguageScore.expires_on.is_(None), LanguageScore.expires_on >= today),
        )
        .group_by(LanguageScore.test, band)
    )
    result = {str(t): dict.fromkeys(BANDS, 0) for t in CEFR_BANDS}
    for test, level, n in rows:
        result[str(test)][level] = n
    return result
