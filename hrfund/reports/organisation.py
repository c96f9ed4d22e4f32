"""The HR and auditors' dashboard: the organisation's figures, each one aggregate query."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from hrfund.applications.models import Application, ApplicationStatus, Call, CallStatus
from hrfund.extensions import db
from hrfund.fund import breakdown
from hrfund.fund import services as fund
from hrfund.fund.figures import Summary
from hrfund.fund.models import Category
from hrfund.org.models import PartnerCity
from hrfund.placements.models import (
    OPEN_STATUSES,
    Direction,
    Milestone,
    Placement,
    PlacementStatus,
)
from hrfund.reports.common import LIST_LIMIT, abroad_on
from hrfund.training import summaries
from hrfund.training.models import ProgramCategory, TrainingProgram
from hrfund.training.summaries import BANDS as BANDS
from hrfund.training.summaries import CEFR_BANDS as CEFR_BANDS

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
    #: per city, (fiscal year, outgoing, incoming) for each of ``years``
    exchanges_by_city: list[tuple[PartnerCity, list[tuple[int, int, int]]]]
    years: list[int]
    training_hours: dict[str, Decimal]
    language_levels: dict[str, dict[str, int]] = field(default_factory=dict)
    #: payments (disbursements as booked) by line, per month from April
    payments_by_month: dict[Category | None, list[int]] = field(default_factory=dict)


def organisation_dashboard(today: date, fiscal_year: int) -> OrganisationDashboard:
    summary = fund.summary(fiscal_year)
    years = list(range(fiscal_year - YEARS_SHOWN + 1, fiscal_year + 1))
    cities = {c.id: c for c in db.session.scalars(sa.select(PartnerCity))}  # a few dozen
    counts = _counts(today)
    exchanges, by_city = _exchanges(years, cities)
    committed_by_city, payments = _year_ledger(fiscal_year, cities)
    training_hours, language_levels = _training_figures(fiscal_year, today)
    return OrganisationDashboard(
        fiscal_year=fiscal_year,
        summary=summary,
        committed_by_city=committed_by_city,
        payments_by_month=payments,
        abroad_now=counts.abroad_now,
        guests_now=counts.guests_now,
        active=counts.active,
        upcoming=counts.upcoming,
        overdue_milestones=counts.overdue_milestones,
        calls=_call_counts(),
        concrete_cities=sum(1 for c in cities.values() if c.has_concrete_relation),
        city_target=CITY_TARGET,
        exchanges=exchanges,
        exchanges_by_city=by_city,
        years=years,
        training_hours=training_hours,
        language_levels=language_levels,
    )


def _placements_where(*conditions) -> sa.ScalarSelect:
    return sa.select(sa.func.count()).select_from(Placement).where(*conditions).scalar_subquery()


def _counts(today: date):
    """The placement figures of the dashboard, in one statement of scalar subqueries."""
    return db.session.execute(
        sa.select(
            _placements_where(Placement.direction == Direction.OUTGOING, abroad_on(today)).label(
                "abroad_now"
            ),
            _placements_where(Placement.direction == Direction.INCOMING, abroad_on(today)).label(
                "guests_now"
            ),
            _placements_where(Placement.status == PlacementStatus.ACTIVE).label("active"),
            _placements_where(
                Placement.status.in_([PlacementStatus.PROPOSED, PlacementStatus.CONFIRMED]),
                Placement.start_on > today,
                Placement.start_on <= today + timedelta(days=UPCOMING_DAYS),
            ).label("upcoming"),
            sa.select(sa.func.count())
            .select_from(Milestone)
            .join(Placement, Placement.id == Milestone.placement_id)
            .where(
                Milestone.done_at.is_(None),
                Milestone.due_on < today,
                Placement.status.in_(OPEN_STATUSES),
            )
            .scalar_subquery()
            .label("overdue_milestones"),
        )
    ).one()


def _year_ledger(
    fiscal_year: int, cities: dict[int, PartnerCity]
) -> tuple[list[tuple[PartnerCity, int, int]], dict[Category | None, list[int]]]:
    """Open commitments and payments by the city of their placement, and payments by line and
    month (April first): one read of the fund's summary rows of the year (``fund.breakdown``),
    which carry the placement's city: a few thousand rows of an index, not the year's ledger."""
    totals = breakdown.city_totals(fiscal_year).subquery()
    c = totals.c
    by_city = sa.select(sa.literal("city"), c.city_id, sa.cast(sa.null(), sa.String), c[1], c[2])
    payments = breakdown.month_payments(fiscal_year).subquery()
    p = payments.c
    by_month = sa.select(
        sa.literal("month"), p.month, sa.cast(p.category, sa.String), p.paid_jpy, sa.literal(0)
    )
    found: list[tuple[PartnerCity, int, int]] = []
    months: dict[Category | None, list[int]] = {}
    for what, key, category, first, second in db.session.execute(sa.union_all(by_city, by_month)):
        if what == "city" and (first or second):
            found.append((cities[key], int(first), int(second)))
        elif what == "month":
            line = months.setdefault(Category(category), [0] * 12)
            line[breakdown.month_index(key)] += int(first)
    return sorted(found, key=lambda t: (-t[1], -t[2], t[0].code)), months


def _call_counts() -> list[CallCounts]:
    """The latest open or closed calls with their applications by status, in one statement."""
    latest = (
        sa.select(Call.id)
        .where(Call.status.in_([CallStatus.OPEN, CallStatus.CLOSED]))
        .order_by(Call.closes_on.desc(), Call.id.desc())
        .limit(LIST_LIMIT * 2)
        .subquery()
    )
    counts = (
        sa.select(Application.call_id, Application.status, sa.func.count().label("n"))
        .where(
            Application.call_id.in_(sa.select(latest.c.id)),
            Application.status != ApplicationStatus.DRAFT,
        )
        .group_by(Application.call_id, Application.status)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Call, counts.c.status, counts.c.n)
        .join(latest, latest.c.id == Call.id)
        .outerjoin(counts, counts.c.call_id == Call.id)
        .options(
            so.lazyload(Call.slots),  # the chart shows a call's name only
            so.load_only(Call.id, Call.title, Call.title_ja, Call.title_en, Call.closes_on),
        )
        .order_by(Call.closes_on.desc(), Call.id.desc())
    )
    by_call: dict[int, CallCounts] = {}
    for call, status, n in rows:
        found = by_call.setdefault(call.id, CallCounts(call, {}))
        if status is not None:
            found.by_status[str(status)] = n
    return list(by_call.values())


def _exchanges(
    years: list[int], cities: dict[int, PartnerCity]
) -> tuple[dict[int, dict[str, int]], list[tuple[PartnerCity, list[tuple[int, int, int]]]]]:
    """Exchanges per fiscal year and direction, in all and by city (one grouped statement);
    every active city with a concrete relation is listed, with exchanges or not."""
    per_year = {y: {d.value: 0 for d in Direction} for y in years}
    by_city: dict[int, dict[tuple[int, str], int]] = defaultdict(dict)
    rows = db.session.execute(
        sa.select(Placement.city_id, Placement.fiscal_year, Placement.direction, sa.func.count())
        .where(Placement.fiscal_year.in_(years), Placement.status.in_(COUNTED_STATUSES))
        .group_by(Placement.city_id, Placement.fiscal_year, Placement.direction)
    )
    for city_id, year, direction, n in rows:
        by_city[city_id][(year, str(direction))] = n
        per_year[year][str(direction)] += n
    listed = sorted(
        (c for c in cities.values() if c.id in by_city or c.has_concrete_relation),
        key=lambda c: c.code,
    )

    def cells(counts: dict[tuple[int, str], int]) -> list[tuple[int, int, int]]:
        return [(y, counts.get((y, "outgoing"), 0), counts.get((y, "incoming"), 0)) for y in years]

    return per_year, [(city, cells(by_city.get(city.id, {}))) for city in listed]


def _training_figures(
    fiscal_year: int, today: date
) -> tuple[dict[str, Decimal], dict[str, dict[str, int]]]:
    """Training hours of the year by category, and language levels valid today, in one
    statement, from the summary rows ``training.summaries`` keeps (some hundred rows of the
    year's programs, and a few thousand level counts, instead of the records and scores)."""
    rows = db.session.execute(sa.union_all(_hours_by_category(fiscal_year), _levels(today))).all()
    hours = {c.value: Decimal(0) for c in ProgramCategory}
    levels = {str(t): dict.fromkeys(BANDS, 0) for t in CEFR_BANDS}
    for what, key, band, value in rows:
        if what == "hours":
            hours[str(key)] = Decimal(value)
        else:
            levels[str(key)][band] = int(value)
    return hours, levels


def _hours_by_category(fiscal_year: int) -> sa.Select:
    """Hours of training completed in the year, by category: each record's own hours, else its
    program's (``without_hours`` records count the program's hours once each)."""
    per_program = summaries.hours_by_program(fiscal_year).subquery()
    hours = per_program.c.own_hours + per_program.c.without_hours * sa.func.coalesce(
        TrainingProgram.hours, 0
    )
    return (
        sa.select(
            sa.literal("hours").label("what"),
            sa.cast(TrainingProgram.category, sa.String).label("key"),
            sa.literal("").label("band"),
            sa.cast(sa.func.coalesce(sa.func.sum(hours), 0), sa.Numeric).label("value"),
        )
        .select_from(per_program)
        .join(TrainingProgram, TrainingProgram.id == per_program.c.program_id)
        .group_by(TrainingProgram.category)
    )


def _levels(today: date) -> sa.Select:
    """Valid, verified scores of the tests with CEFR bands, by band."""
    counts = summaries.levels_valid_on(today).subquery()
    test, band, n = counts.c
    return sa.select(sa.literal("levels"), sa.cast(test, sa.String), band, sa.cast(n, sa.Numeric))
