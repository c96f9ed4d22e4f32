"""A fiscal year's ledger broken down by placement and by month, kept as summary rows.

The HR dashboard shows open commitments and payments by partner city and payments by line and
month; summing a year's ~125,000 entries for that on every view cost most of the page (issue 16).
So, like the running totals on the budget lines, the posting service keeps two small tables in
the entry's transaction, under the line lock it already holds (``add_entry``):

- ``fund_placement_totals``: per budget line and placement, open commitment and disbursed yen
  (a reversal counts the entry it reverses with the opposite sign, as ``figures`` does), with
  the placement's partner city, so that the dashboard sums a year's rows by city from one
  index (a placement's city is set when it is proposed and never changes);
- ``fund_month_payments``: per budget line and calendar month of its year, the disbursements as
  booked (not their reversals: the chart shows what was paid when).

``from_ledger`` computes the same breakdown from the entries themselves: what the stored rows
must always equal (``stored``). ``recompute`` sets them from the ledger after a bulk write and in
the migration that adds them; the ledger is append-only, so nothing else changes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from hrfund.core.db import rows_changed, table_of
from hrfund.core.fiscal import fiscal_year_bounds
from hrfund.extensions import db
from hrfund.fund.figures import COMMITTED, DISBURSED, E
from hrfund.fund.models import Category, EntryKind, LedgerEntry, MonthPayment, PlacementTotal

P, M = PlacementTotal, MonthPayment


@dataclass
class YearBreakdown:
    """Per placement: (open commitment, disbursed); per category: 12 months' payments from
    April. Placements whose figures are both zero are left out."""

    placements: dict[int, tuple[int, int]] = field(default_factory=dict)
    payments: dict[Category, list[int]] = field(default_factory=dict)
    #: per partner city (of the placements): (open commitment, disbursed)
    cities: dict[int, tuple[int, int]] = field(default_factory=dict)


def month_index(month: int) -> int:
    """April → 0 … March → 11."""
    return (month - 4) % 12


def _breakdown(
    placement_rows: Iterable[Any], payment_rows: Iterable[Any], city_rows: Iterable[Any]
) -> YearBreakdown:
    found = YearBreakdown()
    for pid, committed, disbursed in placement_rows:
        if committed or disbursed:
            found.placements[pid] = (int(committed), int(disbursed))
    for city_id, committed, disbursed in city_rows:
        if committed or disbursed:
            found.cities[city_id] = (int(committed), int(disbursed))
    for category, month, paid in payment_rows:
        if paid:
            found.payments.setdefault(Category(category), [0] * 12)[month_index(int(month))] += int(
                paid
            )
    return found


# ---------------------------------------------------------------- kept by posting

#: The placements' table by name, for a placement's city: the fund is below the placements
#: module and never imports it (as its foreign keys name the table).
_PLACEMENTS = sa.table("placements", sa.column("id"), sa.column("city_id"))


def _city_of(placement_id: Any) -> sa.ScalarSelect[Any]:
    return (
        sa.select(_PLACEMENTS.c.city_id).where(_PLACEMENTS.c.id == placement_id).scalar_subquery()
    )


def _add(
    model: type[PlacementTotal] | type[MonthPayment],
    keys: dict[str, Any],
    new: dict[str, Any] | None = None,
    **amounts: int,
) -> None:
    """``x = x + d`` on the row of ``keys``, or a new row (with ``new``'s columns too). The
    caller holds the lock of the budget line in ``keys``, so no other transaction adds the same
    row meanwhile."""
    table = table_of(model)
    change = sa.update(table).values({k: table.c[k] + v for k, v in amounts.items()})
    change = change.where(*(table.c[k] == v for k, v in keys.items()))
    if not rows_changed(db.session.execute(change)):
        db.session.execute(sa.insert(table).values(**keys, **(new or {}), **amounts))


def add_entry(entry: LedgerEntry, committed: int, disbursed: int) -> None:
    """Move the summary rows by one new entry (``committed``/``disbursed``: its effect)."""
    if entry.budget_line_id is None:  # contributions: none of the breakdown's figures
        return
    line: dict[str, Any] = {"budget_line_id": entry.budget_line_id}
    if entry.placement_id is not None and (committed or disbursed):
        _add(
            P,
            line | {"placement_id": entry.placement_id, "fiscal_year": entry.fiscal_year},
            {"city_id": _city_of(entry.placement_id)},
            committed_jpy=committed,
            disbursed_jpy=disbursed,
        )
    start, end = fiscal_year_bounds(entry.fiscal_year)
    if entry.kind == EntryKind.DISBURSEMENT and start <= entry.booked_on <= end:
        keys: dict[str, Any] = line | {"month": entry.booked_on.month}
        keys |= {"fiscal_year": entry.fiscal_year, "category": entry.category}
        _add(M, keys, paid_jpy=entry.amount_jpy)


# ---------------------------------------------------------------- read, and from the ledger


def placement_totals(fiscal_year: int) -> sa.Select[int, int, int]:
    """The year's stored totals by placement (over its lines): ``placement_id, committed,
    disbursed``."""
    return (
        sa.select(P.placement_id, sa.func.sum(P.committed_jpy), sa.func.sum(P.disbursed_jpy))
        .where(P.fiscal_year == fiscal_year)
        .group_by(P.placement_id)
    )


def city_totals(fiscal_year: int) -> sa.Select[int, int, int]:
    """The year's stored totals by partner city (``ix_fund_placement_totals_city`` alone):
    ``city_id, committed, disbursed``."""
    return (
        sa.select(P.city_id, sa.func.sum(P.committed_jpy), sa.func.sum(P.disbursed_jpy))
        .where(P.fiscal_year == fiscal_year)
        .group_by(P.city_id)
    )


def month_payments(fiscal_year: int) -> sa.Select[Category, int, int]:
    """The year's stored payments: ``category, month, paid``."""
    return sa.select(M.category, M.month, M.paid_jpy).where(M.fiscal_year == fiscal_year)


def stored(fiscal_year: int) -> YearBreakdown:
    return _breakdown(
        db.session.execute(placement_totals(fiscal_year)),
        db.session.execute(month_payments(fiscal_year)),
        db.session.execute(city_totals(fiscal_year)),
    )


def _ledger_by_placement(*where: Any) -> sa.Select[tuple[Any, ...]]:
    """Per line, year and placement: the placement's city, open commitment and disbursed."""
    return (
        sa.select(
            E.budget_line_id,
            E.fiscal_year,
            E.placement_id,
            _PLACEMENTS.c.city_id,
            COMMITTED,
            DISBURSED,
        )
        .join(_PLACEMENTS, _PLACEMENTS.c.id == E.placement_id)
        .where(E.budget_line_id.is_not(None), *where)
        .group_by(E.budget_line_id, E.fiscal_year, E.placement_id, _PLACEMENTS.c.city_id)
    )


def _ledger_by_month(fiscal_year: int) -> sa.Select[int | None, int, Category | None, int, int]:
    start, end = fiscal_year_bounds(fiscal_year)
    month = sa.cast(sa.extract("month", E.booked_on), sa.Integer)
    return (
        sa.select(E.budget_line_id, E.fiscal_year, E.category, month, sa.func.sum(E.amount_jpy))
        .where(
            E.fiscal_year == fiscal_year,
            E.kind == EntryKind.DISBURSEMENT,
            E.booked_on.between(start, end),
        )
        .group_by(E.budget_line_id, E.fiscal_year, E.category, month)
    )


def from_ledger(fiscal_year: int) -> YearBreakdown:
    """The breakdown summed from the year's entries (what ``stored`` must equal)."""
    by_placement = _ledger_by_placement(E.fiscal_year == fiscal_year).subquery()
    by_month = _ledger_by_month(fiscal_year).subquery()
    pc, mc = by_placement.c, by_month.c
    return _breakdown(
        db.session.execute(
            sa.select(pc.placement_id, sa.func.sum(pc[4]), sa.func.sum(pc[5])).group_by(
                pc.placement_id
            )
        ),
        db.session.execute(sa.select(mc.category, mc[3], mc[4])),
        db.session.execute(
            sa.select(pc.city_id, sa.func.sum(pc[4]), sa.func.sum(pc[5])).group_by(pc.city_id)
        ),
    )


def recompute(connection: sa.Connection | None = None) -> None:
    """Set every summary row from the ledger (after a bulk write; in the migration)."""
    run = connection.execute if connection is not None else db.session.execute
    pt, mp = table_of(P), table_of(M)
    run(sa.delete(pt))
    run(sa.delete(mp))
    columns = ["budget_line_id", "fiscal_year", "placement_id", "city_id"]
    columns += ["committed_jpy", "disbursed_jpy"]
    run(sa.insert(pt).from_select(columns, _ledger_by_placement()))
    years = run(sa.select(E.fiscal_year).distinct()).scalars().all()
    columns = ["budget_line_id", "fiscal_year", "category", "month", "paid_jpy"]
    for year in years:
        run(sa.insert(mp).from_select(columns, _ledger_by_month(year)))
