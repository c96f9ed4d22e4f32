"""Postings to the fund's ledger: one service per movement of money, one place for each rule.

Services validate, take the locks, check the figures (see ``figures``), append an entry, write
an audit event and flush. They never commit: the request (or command, or test) does.

For the placements and applications modules, one call each:

- ``commit_for_placement(actor, placement_id, fiscal_year, category, amount_jpy, memo="")`` on
  approval or acceptance: commits from that fiscal year's line, or raises ``InsufficientFunds``
  (nothing written) when the line's available is short;
- ``release_open_commitment(actor, placement_id, memo="")`` on decline, cancellation or
  completion: releases whatever is still open (returns the entry, or None if nothing was open);
- ``open_commitment(placement_id)`` → yen still committed;
- ``placement_totals(placement_ids)`` → {id: PlacementTotals(committed_jpy, disbursed_jpy)}
  in one query, for lists of placements.

Placements tell the fund how a placement stands (``placement_state``): a payment for a
declined or cancelled placement is refused, and a reversal on a closed placement gives back
to the line whatever it reopened (a closed placement holds no commitment).

Contributions and allocations are here; commitments and releases in ``commitments``, payments
in ``payments``, reversals in ``reversal``, exchange rates in ``fx`` and the year end in
``year_end``: other modules import them all from here, the one door of the fund. Each service
reads every input first and refuses once, naming each wrong field (``amounts.FieldErrors``),
before it locks the fund or a line (a check that reads the database, such as whether the
placement exists, runs after SQLite's write lock, as every read of a posting does).

Concurrency: available never goes below zero, however many requests race; how the locks are
taken is in ``posting``.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.core.actor import Actor
from hrfund.core.audit import record_event
from hrfund.core.errors import InvalidTransition, ValidationFailed
from hrfund.core.fiscal import fiscal_year_of, tokyo_today
from hrfund.extensions import db
from hrfund.fund.amounts import (
    FieldErrors,
    check_date,
    parse_category,
    parse_fiscal_year,
    parse_memo,
    parse_yen,
)
from hrfund.fund.commitments import commit, release, release_open_commitment
from hrfund.fund.figures import open_commitment, placement_totals, summary
from hrfund.fund.fx import rate_for, record_fx_rate
from hrfund.fund.models import BudgetLine, Category, EntryKind, FiscalYear, LedgerEntry
from hrfund.fund.payments import disburse
from hrfund.fund.placement_state import tell_placement_standing  # the placements module registers
from hrfund.fund.posting import Effect, append_entry, check_figures, lock, lock_fund, lock_line
from hrfund.fund.reversal import get_entry, is_reversed, reverse
from hrfund.fund.year_end import close_fiscal_year

commit_for_placement = commit


def contribute(
    actor: Actor, amount_jpy: object, received_on: object, memo: object = ""
) -> LedgerEntry:
    """Money flows into the fund (an appropriation or a donation)."""
    errors = FieldErrors()
    amount: int = errors.read(parse_yen, amount_jpy)
    booked_on: date | None = errors.read(check_date, received_on, "received_on")
    fiscal_year: int | None = None
    if booked_on is not None:
        fiscal_year = errors.read(parse_fiscal_year, fiscal_year_of(booked_on), "received_on")
    text: str = errors.read(parse_memo, memo)
    errors.raise_any()
    assert booked_on is not None and fiscal_year is not None  # else raised above
    lock(None, fund=True)
    return append_entry(
        actor,
        kind=EntryKind.CONTRIBUTION,
        amount_jpy=amount,
        booked_on=booked_on,
        fiscal_year=fiscal_year,
        memo=text,
    )


def allocate(
    actor: Actor, fiscal_year: object, category: object, amount_jpy: object, memo: object = ""
) -> LedgerEntry:
    """Move money from the unallocated fund to a fiscal year's budget line (made if new)."""
    errors = FieldErrors()
    fy: int = errors.read(parse_fiscal_year, fiscal_year)
    kind: Category = errors.read(parse_category, category)
    amount: int = errors.read(parse_yen, amount_jpy, "allocated_jpy")
    text: str = errors.read(parse_memo, memo)
    errors.raise_any()
    lock_fund()
    year = db.session.get(FiscalYear, fy, populate_existing=True)
    if year is None:
        year = FiscalYear(year=fy)
        db.session.add(year)
        db.session.flush()
        record_event(actor, "fund.open_fiscal_year", year, object_id=fy)
    elif year.is_closed:
        raise InvalidTransition(str(_l("FY%(year)d is closed.", year=fy)))
    line = db.session.scalar(
        sa.select(BudgetLine).where(BudgetLine.fiscal_year == fy, BudgetLine.category == kind)
    )
    if line is None:
        line = BudgetLine(fiscal_year=fy, category=kind)
        db.session.add(line)
        db.session.flush()
    line = lock_line(line.id)
    check_figures(Effect(allocated=amount), line, None)
    return append_entry(
        actor,
        kind=EntryKind.ALLOCATION,
        amount_jpy=amount,
        line=line,
        fiscal_year=fy,
        booked_on=tokyo_today(),
        memo=text,
    )


__all__ = [
    "ValidationFailed",
    "allocate",
    "close_fiscal_year",
    "commit",
    "commit_for_placement",
    "contribute",
    "disburse",
    "get_entry",
    "is_reversed",
    "open_commitment",
    "placement_totals",
    "rate_for",
    "record_fx_rate",
    "release",
    "release_open_commitment",
    "reverse",
    "summary",
    "tell_placement_standing",
]
