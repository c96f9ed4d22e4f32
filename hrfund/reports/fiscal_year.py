"""The fiscal-year report: fund movements by line and month, exchanges and training of one year.

Every figure is an aggregate query (GROUP BY in the database): the ledger may hold a million
entries, and the number of queries does not depend on how many rows there are.

Fund movements are the ledger entries booked for the fiscal year (``fiscal_year`` of the entry,
so that the rows add up to the year's line figures), placed in the month of their ``booked_on``
date. ``booked_on`` is already a Tokyo calendar date (the services book on the Tokyo day, or on
the date of payment), so no time-zone conversion of ``created_at`` is needed. Entries of the year
booked before 1 April (an allocation made in advance) or after 31 March (payments of the closing
period, the year-end close, late reversals) go to the columns ``before`` and ``after``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

import sqlalchemy as sa

from hrfund.core.db import utcnow
from hrfund.core.fiscal import current_fiscal_year, fiscal_year_bounds
from hrfund.extensions import db
from hrfund.fund.figures import Summary, summary
from hrfund.fund.models import MIN_FISCAL_YEAR, Category, EntryKind, LedgerEntry
from hrfund.org.models import PartnerCity
from hrfund.placements.models import Direction, Placement, PlacementStatus
from hrfund.training.models import (
    LanguageScore,
    LanguageTest,
    ProgramCategory,
    RecordStatus,
    TrainingProgram,
    TrainingRecord,
)

#: How far ahead of the current fiscal year a report may be asked for.
YEARS_AHEAD = 5
#: Column of the fund table: 0 = booked before the year, 1..12 = April..March, 13 = after it.
BEFORE, AFTER = 0, 13
COLUMNS = 14
#: The kinds of entry shown for the fund itself (no budget line) and for each budget line.
FUND_KINDS = (EntryKind.CONTRIBUTION, EntryKind.REVERSAL)
LINE_KINDS = (
    EntryKind.ALLOCATION,
    EntryKind.COMMITMENT,
    EntryKind.RELEASE,
    EntryKind.DISBURSEMENT,
    EntryKind.REVERSAL,
)
#: Placements that did not (or will not) take place: counted, but not in the person-months.
NOT_TAKING_PLACE = (PlacementStatus.DECLINED, PlacementStatus.CANCELLED)
DAYS_PER_MONTH = Decimal("30.4375")
TENTH = Decimal("0.1")


def reportable(fiscal_year: int) -> bool:
    """A year the report may be asked for: from the fund's first year to five years ahead."""
    return MIN_FISCAL_YEAR <= fiscal_year <= current_fiscal_year() + YEARS_AHEAD


def month_column(month: int) -> int:
    """April → 1 … December → 9, January → 10 … March → 12."""
    return (month - 4) % 12 + 1


def month_bucket(fiscal_year: int):
    """Where a ledger entry falls in the year's grid, by its booking date: BEFORE the year,
    AFTER it, else its calendar month (``month_column`` gives the grid's column)."""
    start, end = fiscal_year_bounds(fiscal_year)
    booked_on = LedgerEntry.booked_on
    return sa.case(
        (booked_on < start, BEFORE),
        (booked_on > end, AFTER),
        else_=sa.cast(sa.extract("month", booked_on), sa.Integer),
    )


@dataclass
class FundRow:
    """Yen moved by one kind of entry on one line (``category`` None: the fund itself)."""

    category: Category | None
    kind: EntryKind
    amounts: list[int] = field(default_factory=lambda: [0] * COLUMNS)

    @property
    def months(self) -> list[int]:
        return self.amounts[1:13]

    @property
    def before(self) -> int:
        return self.amounts[BEFORE]

    @property
    def after(self) -> int:
        return self.amounts[AFTER]

    @property
    def total(self) -> int:
        return sum(self.amounts)


@dataclass
class ExchangeRow:
    """Placements starting in the year with one partner city in one direction."""

    direction: Direction
    city_code: str = ""
    city_name_en: str = ""
    city_name_ja: str = ""
    counts: dict[PlacementStatus, int] = field(
        default_factory=lambda: {status: 0 for status in PlacementStatus}
    )
    days: int = 0  # placement days of those taking place (not declined nor cancelled)

    def city_name(self, locale: str) -> str:
        return self.city_name_ja if locale == "ja" else self.city_name_en

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def taking_place(self) -> int:
        return sum(n for status, n in self.counts.items() if status not in NOT_TAKING_PLACE)

    @property
    def person_months(self) -> Decimal:
        return (Decimal(self.days) / DAYS_PER_MONTH).quantize(TENTH)


@dataclass
class TrainingRow:
    """Completed training of one program category."""

    category: ProgramCategory | None  # None: the total of every category
    records: int = 0
    people: int | None = 0  # None on the total: one person may train in several categories
    verified: int = 0
    hours: Decimal = Decimal("0.0")


@dataclass
class LanguageRow:
    """Language test results of one test taken in the year."""

    test: LanguageTest
    results: int = 0
    people: int = 0
    verified: int = 0
    score_sum: Decimal = Decimal("0")

    @property
    def average(self) -> Decimal | None:
        if not self.results:
            return None
        return (self.score_sum / self.results).quantize(TENTH)


@dataclass
class FiscalYearReport:
    """Everything the fiscal-year report shows, for the page and the workbook alike."""

    fiscal_year: int
    summary: Summary
    fund_rows: list[FundRow]
    exchanges: list[ExchangeRow]
    training: list[TrainingRow]
    languages: list[LanguageRow]
    generated_at: datetime

    @property
    def starts_on(self) -> date:
        return fiscal_year_bounds(self.fiscal_year)[0]

    @property
    def ends_on(self) -> date:
        return fiscal_year_bounds(self.fiscal_year)[1]

    @property
    def months(self) -> list[date]:
        """The first day of each month, April to March."""
        y = self.fiscal_year
        return [date(y, m, 1) for m in range(4, 13)] + [date(y + 1, m, 1) for m in range(1, 4)]

    @property
    def fund_rows_by_line(self) -> list[tuple[Category | None, list[FundRow]]]:
        """The fund rows grouped by line, in their order (the fund itself first)."""
        groups: dict[Category | None, list[FundRow]] = {}
        for row in self.fund_rows:
            groups.setdefault(row.category, []).append(row)
        return list(groups.items())

    @property
    def statuses(self) -> list[PlacementStatus]:
        return list(PlacementStatus)

    @cached_property
    def exchange_totals(self) -> list[ExchangeRow]:
        """One row per direction adding up every city."""
        totals = {d: ExchangeRow(direction=d) for d in Direction}
        for row in self.exchanges:
            total = totals[row.direction]
            total.days += row.days
            for status, n in row.counts.items():
                total.counts[status] += n
        return list(totals.values())

    @property
    def training_total(self) -> TrainingRow:
        total = TrainingRow(category=None, people=None)
        for row in self.training:
            total.records += row.records
            total.verified += row.verified
            total.hours += row.hours
        return total


# ---------------------------------------------------------------- queries


def fund_rows(fiscal_year: int, kinds: tuple[EntryKind, ...] | None = None) -> list[FundRow]:
    """Yen per line, kind and month of the year's ledger entries, summed in one query
    (``kinds``: only those, read through the index on the kind)."""
    E = LedgerEntry
    # Grouped in an outer query: PostgreSQL does not match a GROUP BY expression holding bound
    # parameters with the same expression in the select list.
    entries = (
        sa.select(E.category, E.kind, month_bucket(fiscal_year).label("bucket"), E.amount_jpy)
        .where(E.fiscal_year == fiscal_year, E.kind.in_(kinds) if kinds else sa.true())
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            entries.c.category, entries.c.kind, entries.c.bucket, sa.func.sum(entries.c.amount_jpy)
        ).group_by(entries.c.category, entries.c.kind, entries.c.bucket)
    )
    grid: dict[tuple[Category | None, EntryKind], FundRow] = {}
    for kind in FUND_KINDS:
        grid[None, kind] = FundRow(None, kind)
    for category in Category:
        for kind in LINE_KINDS:
            grid[category, kind] = FundRow(category, kind)
    for category, kind, bucket_value, amount in rows:
        row = grid.setdefault((category, kind), FundRow(category, kind))
        column = int(bucket_value)
        if column not in (BEFORE, AFTER):
            column = month_column(column)
        row.amounts[column] += int(amount)
    return list(grid.values())


def _days_between(start, end):
    """``end - start`` in days, on either database."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.cast(sa.func.julianday(end) - sa.func.julianday(start), sa.Integer)
    return end - start  # PostgreSQL: date - date is an integer number of days


def exchanges(fiscal_year: int) -> list[ExchangeRow]:
    """Placements starting in the year, counted per city, direction and status (one query).

    Person-months count the whole placement (first to last day, 30.4375 days a month), also
    the part that falls in the next year, and leave out declined and cancelled placements.
    """
    start, end = fiscal_year_bounds(fiscal_year)
    P, C = Placement, PartnerCity
    rows = db.session.execute(
        sa.select(
            C.code,
            C.name_en,
            C.name_ja,
            P.direction,
            P.status,
            sa.func.count(P.id),
            sa.func.sum(_days_between(P.start_on, P.end_on)),
        )
        .join(C, C.id == P.city_id)
        .where(P.start_on >= start, P.start_on <= end)
        .group_by(C.code, C.name_en, C.name_ja, P.direction, P.status)
    )
    found: dict[tuple[str, Direction], ExchangeRow] = {}
    for code, name_en, name_ja, direction, status, count, days in rows:
        row = found.setdefault(
            (code, direction),
            ExchangeRow(
                direction=direction, city_code=code, city_name_en=name_en, city_name_ja=name_ja
            ),
        )
        row.counts[status] += int(count)
        if status not in NOT_TAKING_PLACE:
            row.days += int(days) + int(count)  # both the first and the last day count
    order = {d: i for i, d in enumerate(Direction)}
    return sorted(found.values(), key=lambda r: (r.city_code, order[r.direction]))


def training(fiscal_year: int) -> list[TrainingRow]:
    """Training completed in the year per program category (a record's hours, else the
    program's), in one query."""
    start, end = fiscal_year_bounds(fiscal_year)
    R, P = TrainingRecord, TrainingProgram
    rows = db.session.execute(
        sa.select(
            P.category,
            sa.func.count(R.id),
            sa.func.count(sa.distinct(R.user_id)),
            sa.func.sum(sa.case((R.verified, 1), else_=0)),
            sa.func.sum(sa.func.coalesce(R.hours, P.hours)),
        )
        .join(P, P.id == R.program_id)
        .where(
            R.status == RecordStatus.COMPLETED,
            R.completed_on >= start,
            R.completed_on <= end,
        )
        .group_by(P.category)
    )
    found = {category: TrainingRow(category) for category in ProgramCategory}
    for category, records, people, verified, hours in rows:
        found[category] = TrainingRow(
            category, int(records), int(people), int(verified or 0), _tenths(hours)
        )
    return list(found.values())


def languages(fiscal_year: int) -> list[LanguageRow]:
    """Language test results taken in the year per test, in one query (only tests taken)."""
    start, end = fiscal_year_bounds(fiscal_year)
    S = LanguageScore
    rows = db.session.execute(
        sa.select(
            S.test,
            sa.func.count(S.id),
            sa.func.count(sa.distinct(S.user_id)),
            sa.func.sum(sa.case((S.verified, 1), else_=0)),
            sa.func.sum(S.score),
        )
        .where(S.taken_on >= start, S.taken_on <= end)
        .group_by(S.test)
    )
    found = {
        test: LanguageRow(test, int(n), int(people), int(verified or 0), _tenths(total))
        for test, n, people, verified, total in rows
    }
    return [found[test] for test in LanguageTest if test in found]


def _tenths(value) -> Decimal:
    # SQLite sums NUMERIC as a float: go through its text to keep the tenths exact.
    return Decimal(str(value or 0)).quantize(TENTH)


def fiscal_year_report(fiscal_year: int) -> FiscalYearReport:
    """The whole report of a fiscal year, in a fixed number of aggregate queries."""
    return FiscalYearReport(
        fiscal_year=fiscal_year,
        summary=summary(fiscal_year),
        fund_rows=fund_rows(fiscal_year),
        exchanges=exchanges(fiscal_year),
        training=training(fiscal_year),
        languages=languages(fiscal_year),
        generated_at=utcnow(),
    )
