"""The fund's figures: sums over the ledger, kept as running totals on each budget line and on
the fund row by the posting service (``posting.add_to_totals``, in the entry's transaction), so
that reading them costs one row, not a scan of the ledger. ``ledger_*`` sum the ledger itself
(what the totals must always equal; ``recompute_totals`` sets them from it).

As DESIGN.md defines them:

- fund: ``unallocated`` = contributed − allocated (every fiscal year), never below zero;
- budget line: ``committed`` = commitments not yet consumed by disbursements nor released;
  ``disbursed`` = all disbursements; ``available`` = allocated − committed − disbursed.

A reversal counts the entry it reverses with the opposite sign.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa

from hrfund.extensions import db
from hrfund.fund.models import (
    BudgetLine,
    Category,
    EntryKind,
    FiscalYear,
    FundAccount,
    LedgerEntry,
)

E = LedgerEntry
FUND_ID = 1  # the fund's one row
#: The kind an entry counts as: its own, or for a reversal the kind of the entry it reverses.
EFFECTIVE_KIND = sa.func.coalesce(E.reversed_kind, E.kind)


def _signed(expr):
    return sa.case((E.kind == EntryKind.REVERSAL, -expr), else_=expr)


def _sum_of(*cases) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(sa.case(*cases, else_=0)), 0)


CONTRIBUTED = _sum_of((EFFECTIVE_KIND == EntryKind.CONTRIBUTION, _signed(E.amount_jpy)))
ALLOCATED = _sum_of((EFFECTIVE_KIND == EntryKind.ALLOCATION, _signed(E.amount_jpy)))
COMMITTED = _sum_of(
    (EFFECTIVE_KIND == EntryKind.COMMITMENT, _signed(E.amount_jpy)),
    (EFFECTIVE_KIND == EntryKind.RELEASE, -_signed(E.amount_jpy)),
    (EFFECTIVE_KIND == EntryKind.DISBURSEMENT, -_signed(E.consumed_jpy)),
)
DISBURSED = _sum_of((EFFECTIVE_KIND == EntryKind.DISBURSEMENT, _signed(E.amount_jpy)))
#: The only entries that can move the fund's capital (reversals of any kind among them: the
#: sums above pick theirs out). Narrows the scan to the few such rows on the indexed kind,
#: instead of every commitment and payment of every year.
CAPITAL_KINDS = E.kind.in_([EntryKind.CONTRIBUTION, EntryKind.ALLOCATION, EntryKind.REVERSAL])


@dataclass
class LineFigures:
    """A budget line's figures in yen."""

    allocated: int = 0
    committed: int = 0
    disbursed: int = 0

    @property
    def available(self) -> int:
        return self.allocated - self.committed - self.disbursed

    @property
    def used_percent(self) -> float:
        """Share of the allocation committed or disbursed, for the bar on the overview."""
        if self.allocated <= 0:
            return 0.0
        return min(100.0, 100.0 * (self.committed + self.disbursed) / self.allocated)

    def as_dict(self) -> dict[str, int]:
        return {
            "allocated_jpy": self.allocated,
            "committed_jpy": self.committed,
            "disbursed_jpy": self.disbursed,
            "available_jpy": self.available,
        }


@dataclass
class FundFigures:
    """The fund's capital in yen, over every fiscal year."""

    contributed: int = 0
    allocated: int = 0

    @property
    def unallocated(self) -> int:
        return self.contributed - self.allocated

    def as_dict(self) -> dict[str, int]:
        return {
            "contributed_jpy": self.contributed,
            "allocated_jpy": self.allocated,
            "unallocated_jpy": self.unallocated,
        }


class PlacementTotals(NamedTuple):
    """What the fund holds and has paid for one placement."""

    committed_jpy: int  # the open commitment: committed, not yet paid nor released
    disbursed_jpy: int


@dataclass
class Summary:
    """The figures of one fiscal year, as the overview page and GET /fund/summary show them."""

    fiscal_year: int
    fund: FundFigures
    contributed_in_year: int
    closed: bool
    lines: dict[Category, LineFigures] = field(default_factory=dict)
    line_ids: dict[Category, int] = field(default_factory=dict)

    @property
    def totals(self) -> LineFigures:
        return LineFigures(
            allocated=sum(f.allocated for f in self.lines.values()),
            committed=sum(f.committed for f in self.lines.values()),
            disbursed=sum(f.disbursed for f in self.lines.values()),
        )

    def as_dict(self) -> dict:
        return {
            "fiscal_year": self.fiscal_year,
            "closed": self.closed,
            "fund": self.fund.as_dict() | {"contributed_in_year_jpy": self.contributed_in_year},
            "lines": [
                {"category": c.value, "budget_line_id": self.line_ids.get(c)} | f.as_dict()
                for c, f in self.lines.items()
            ],
            "totals": self.totals.as_dict(),
        }


def line_figures(line_id: int) -> LineFigures:
    """One line's figures (call it under the line's lock when about to post)."""
    row = db.session.execute(
        sa.select(
            BudgetLine.allocated_jpy, BudgetLine.committed_jpy, BudgetLine.disbursed_jpy
        ).where(BudgetLine.id == line_id)
    ).first()
    return LineFigures(*(int(v) for v in row)) if row else LineFigures()


def fund_figures() -> FundFigures:
    """Contributed and allocated over the whole ledger (call it under the fund lock to post)."""
    row = db.session.execute(
        sa.select(FundAccount.contributed_jpy, FundAccount.allocated_jpy).where(
            FundAccount.id == FUND_ID
        )
    ).first()
    return FundFigures(*(int(v) for v in row)) if row else FundFigures()


def ledger_line_figures(line_id: int) -> LineFigures:
    """One line's figures summed over its ledger entries."""
    row = db.session.execute(
        sa.select(ALLOCATED, COMMITTED, DISBURSED).where(E.budget_line_id == line_id)
    ).one()
    return LineFigures(*(int(v) for v in row))


def ledger_fund_figures() -> FundFigures:
    """Contributed and allocated summed over the whole ledger."""
    row = db.session.execute(sa.select(CONTRIBUTED, ALLOCATED).where(CAPITAL_KINDS)).one()
    return FundFigures(*(int(v) for v in row))


def recompute_totals() -> None:
    """Set every running total from the ledger (after entries written in bulk, not posted),
    and the dashboard's breakdown by placement and month."""
    from hrfund.fund import breakdown  # it sums with this module's expressions

    for line_id in db.session.scalars(sa.select(BudgetLine.id)):
        f = ledger_line_figures(line_id)
        db.session.execute(
            sa.update(BudgetLine)
            .where(BudgetLine.id == line_id)
            .values(allocated_jpy=f.allocated, committed_jpy=f.committed, disbursed_jpy=f.disbursed)
        )
    fund = ledger_fund_figures()
    db.session.execute(
        sa.update(FundAccount)
        .where(FundAccount.id == FUND_ID)
        .values(contributed_jpy=fund.contributed, allocated_jpy=fund.allocated)
    )
    breakdown.recompute()


def open_commitment(placement_id: int) -> int:
    """The placement's commitment not yet consumed by payments nor released, in yen."""
    return placement_totals([placement_id])[placement_id].committed_jpy


def placement_totals(placement_ids: Iterable[int]) -> dict[int, PlacementTotals]:
    """Open commitment and disbursed yen for each placement, in one query."""
    ids = sorted(set(placement_ids))
    totals = {pid: PlacementTotals(0, 0) for pid in ids}
    if not ids:
        return totals
    rows = db.session.execute(
        sa.select(E.placement_id, COMMITTED, DISBURSED)
        .where(E.placement_id.in_(ids))
        .group_by(E.placement_id)
    )
    for pid, committed, disbursed in rows:
        totals[pid] = PlacementTotals(int(committed), int(disbursed))
    return totals


def placement_line_id(placement_id: int) -> int | None:
    """The budget line of the placement's latest commitment (where its payments are booked)."""
    return db.session.scalar(
        sa.select(E.budget_line_id)
        .where(E.placement_id == placement_id, E.kind == EntryKind.COMMITMENT)
        .order_by(E.id.desc())
        .limit(1)
    )


def summary(fiscal_year: int) -> Summary:
    """Fund and line figures of a fiscal year; every category is listed, allocated or not.

    One statement: the fund's row, with the year's state, its contributions and its lines."""
    closed_at = (
        sa.select(FiscalYear.closed_at).where(FiscalYear.year == fiscal_year).scalar_subquery()
    )
    L = BudgetLine
    rows = db.session.execute(
        sa.select(
            FundAccount.contributed_jpy,
            FundAccount.allocated_jpy,
            closed_at,
            _contributed_in_year(fiscal_year).scalar_subquery(),
            L.id,
            L.category,
            L.allocated_jpy,
            L.committed_jpy,
            L.disbursed_jpy,
        )
        .select_from(FundAccount)
        .outerjoin(L, L.fiscal_year == fiscal_year)
        .where(FundAccount.id == FUND_ID)
    ).all()
    if not rows:  # no fund row (nothing was ever posted): the figures are all zero
        return _summary_without_fund(fiscal_year)
    contributed, allocated, closed, in_year = rows[0][:4]
    result = Summary(
        fiscal_year=fiscal_year,
        fund=FundFigures(int(contributed), int(allocated)),
        contributed_in_year=int(in_year),
        closed=closed is not None,
    )
    found = {
        category: (line_id, LineFigures(int(a), int(c), int(d)))
        for *_fund, line_id, category, a, c, d in rows
        if line_id is not None
    }
    for category in Category:
        line_id, figures = found.get(category, (None, LineFigures()))
        result.lines[category] = figures
        if line_id is not None:
            result.line_ids[category] = line_id
    return result


def _summary_without_fund(fiscal_year: int) -> Summary:
    year = db.session.get(FiscalYear, fiscal_year)
    result = Summary(fiscal_year, FundFigures(), 0, bool(year and year.is_closed))
    lines = dict(
        db.session.execute(
            sa.select(BudgetLine.category, BudgetLine.id).where(
                BudgetLine.fiscal_year == fiscal_year
            )
        ).all()
    )
    for category in Category:
        result.lines[category] = LineFigures()
        if category in lines:
            result.line_ids[category] = lines[category]
    return result


def _contributed_in_year(fiscal_year: int) -> sa.Select:
    """The year's contributions: read through the indexes on the kind and the reversed kind
    (a handful of rows), not the year's entries."""
    return sa.select(CONTRIBUTED).where(
        E.fiscal_year == fiscal_year,
        sa.or_(E.kind == EntryKind.CONTRIBUTION, E.reversed_kind == EntryKind.CONTRIBUTION),
    )


def contributed_in_year(fiscal_year: int) -> int:
    return int(db.session.scalar(_contributed_in_year(fiscal_year)))


def known_fiscal_years() -> list[int]:
    return list(db.session.scalars(sa.select(FiscalYear.year).order_by(FiscalYear.year.desc())))


def entries_query(
    *,
    fiscal_year: int | None = None,
    category: Category | None = None,
    kind: EntryKind | None = None,
    placement_id: int | None = None,
    booked_from: date | None = None,
    booked_to: date | None = None,
    budget_line_id: int | None = None,
    newest_first: bool = True,
) -> sa.Select:
    """Ledger entries with the ledger page's and the API's filters."""
    stmt = sa.select(E).order_by(E.id.desc() if newest_first else E.id)
    if fiscal_year is not None:
        stmt = stmt.where(E.fiscal_year == fiscal_year)
    if category is not None:
        stmt = stmt.where(E.category == category)
    if kind is not None:
        stmt = stmt.where(E.kind == kind)
    if placement_id is not None:
        stmt = stmt.where(E.placement_id == placement_id)
    if budget_line_id is not None:
        stmt = stmt.where(E.budget_line_id == budget_line_id)
    if booked_from is not None:
        stmt = stmt.where(E.booked_on >= booked_from)
    if booked_to is not None:
        stmt = stmt.where(E.booked_on <= booked_to)
    return stmt
