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
