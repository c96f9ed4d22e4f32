"""Shared helpers of the fund tests."""

from __future__ import annotations

import sqlalchemy as sa

from hrfund.extensions import db
from hrfund.fund import services
from hrfund.fund.models import EntryKind, LedgerEntry


def entry_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(LedgerEntry.id)))


def funded_line(
    actor,
    fiscal_year: int = 2026,
    category: str = "outgoing",
    amount: int = 1_000_000,
    contributed: int | None = None,
):
    """A contribution and an allocation of ``amount`` to one line; returns the allocation."""
    services.contribute(actor, contributed or amount, _first_day(fiscal_year), "appropriation")
    return services.allocate(actor, fiscal_year, category, amount, "budget")


def _first_day(fiscal_year: int):
    from datetime import date

    return date(fiscal_year, 4, 1)


def sums_by_hand(line_id: int) -> dict[str, int]:
    """The line's figures recomputed in Python from every entry, the slow obvious way."""
    entries = db.session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.budget_line_id == line_id)
    ).all()
    allocated = committed = disbursed = 0
    for e in entries:
        sign = -1 if e.kind == EntryKind.REVERSAL else 1
        kind = e.reversed_kind or e.kind
        if kind == EntryKind.ALLOCATION:
            allocated += sign * e.amount_jpy
        elif kind == EntryKind.COMMITMENT:
            committed += sign * e.amount_jpy
        elif kind == EntryKind.RELEASE:
            committed -= sign * e.amount_jpy
        elif kind == EntryKind.DISBURSEMENT:
            disbursed += sign * e.amount_jpy
            committed -= sign * e.consumed_jpy
    return {
        "allocated_jpy": allocated,
        "committed_jpy": committed,
        "disbursed_jpy": disbursed,
        "available_jpy": allocated - committed - disbursed,
    }


def breakdown_by_hand(fiscal_year: int) -> tuple[dict[int, tuple[int, int]], dict[str, list[int]]]:
    """The year's open commitment and disbursed yen per placement, and payments (disbursements
    as booked, booked within the year) per category and month from April, in Python from every
    entry: what ``fund.breakdown`` must hold. Placements at zero and zero months left out."""
    from hrfund.core.fiscal import fiscal_year_bounds

    start, end = fiscal_year_bounds(fiscal_year)
    entries = db.session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.fiscal_year == fiscal_year)
    ).all()
    placements: dict[int, list[int]] = {}
    payments: dict[str, list[int]] = {}
    for e in entries:
        sign = -1 if e.kind == EntryKind.REVERSAL else 1
        kind = e.reversed_kind or e.kind
        if e.placement_id is not None:
            figures = placements.setdefault(e.placement_id, [0, 0])
            if kind == EntryKind.COMMITMENT:
                figures[0] += sign * e.amount_jpy
            elif kind == EntryKind.RELEASE:
                figures[0] -= sign * e.amount_jpy
            elif kind == EntryKind.DISBURSEMENT:
                figures[0] -= sign * e.consumed_jpy
                figures[1] += sign * e.amount_jpy
        if e.kind == EntryKind.DISBURSEMENT and start <= e.booked_on <= end:
            months = payments.setdefault(str(e.category.value), [0] * 12)
            months[(e.booked_on.month - 4) % 12] += e.amount_jpy
    return (
        {pid: (c, d) for pid, (c, d) in placements.items() if c or d},
        {category: months for category, months in payments.items() if any(months)},
    )


def assert_breakdown_equals_the_ledger(fiscal_year: int) -> None:
    """The stored summary rows, the ledger's grouped read and the sums by hand agree."""
    from hrfund.fund import breakdown
    from hrfund.placements.models import Placement

    stored = breakdown.stored(fiscal_year)
    by_hand = breakdown_by_hand(fiscal_year)
    assert stored == breakdown.from_ledger(fiscal_year), fiscal_year
    got = (stored.placements, {str(c.value): m for c, m in stored.payments.items()})
    assert got == by_hand, fiscal_year
    city_of = dict(db.session.execute(sa.select(Placement.id, Placement.city_id)).all())
    cities: dict[int, list[int]] = {}
    for pid, (committed, disbursed) in by_hand[0].items():
        figures = cities.setdefault(city_of[pid], [0, 0])
        figures[0] += committed
        figures[1] += disbursed
    expected = {city: (c, d) for city, (c, d) in cities.items() if c or d}
    assert stored.cities == expected, fiscal_year
