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

Concurrency: available never goes below zero, however many requests race; how the locks are
taken is in ``posting``.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.core.audit import record_event
from hrfund.core.errors import InsufficientFunds, InvalidTransition, NotFound, ValidationFailed
from hrfund.core.fiscal import fiscal_year_of, tokyo_today
from hrfund.extensions import db
from hrfund.fund import figures
from hrfund.fund.amounts import (
    check_date,
    check_precision,
    fail,
    parse_category,
    parse_currency,
    parse_decimal,
    parse_fiscal_year,
    parse_placement_id,
    parse_yen,
    to_yen,
)
from hrfund.fund.figures import open_commitment, placement_totals, summary  # noqa: F401
from hrfund.fund.fx import rate_for, rate_or_recorded, record_fx_rate  # noqa: F401
from hrfund.fund.models import BudgetLine, Category, EntryKind, FiscalYear, LedgerEntry, Purpose
from hrfund.fund.placement_state import (  # noqa: F401  (the placements module registers)
    placement_standing,
    refuse_commitment_if_closed,
    refuse_payment_if_ended,
    refuse_unknown_placement,
    reopened_memo,
    tell_placement_standing,
)
from hrfund.fund.posting import (
    Effect,
    append_entry,
    check_figures,
    effect_of,
    is_closed,
    lock,
    lock_fund,
    lock_line,
    return_unused_if_closed,
    take_write_lock,
)
from hrfund.fund.year_end import close_fiscal_year  # noqa: F401  (one door to the fund)


def _memo(memo) -> str:
    if memo is None:
        return ""
    if not isinstance(memo, str):
        raise fail("memo", _l("The memo must be text."))
    if len(memo) > 2000:
        raise fail("memo", _l("Use at most 2000 characters."))
    return memo.strip()


def _line_of(fiscal_year: int, category: Category) -> BudgetLine:
    if db.session.get(FiscalYear, fiscal_year) is None:
        raise fail("fiscal_year", _l("Nothing is allocated for FY%(year)d.", year=fiscal_year))
    line = db.session.scalar(
        sa.select(BudgetLine).where(
            BudgetLine.fiscal_year == fiscal_year, BudgetLine.category == category
        )
    )
    if line is None:
        raise InsufficientFunds(
            str(
                _l(
                    "Nothing is allocated to the %(category)s line of FY%(year)d.",
                    category=category.value,
                    year=fiscal_year,
                )
            )
        )
    return line


def _refuse_if_closed(fiscal_year: int) -> None:
    if is_closed(fiscal_year):
        raise InvalidTransition(str(_l("FY%(year)d is closed.", year=fiscal_year)))


# ---------------------------------------------------------------- services


def contribute(actor, amount_jpy, received_on: date, memo: str = "") -> LedgerEntry:
    """Money flows into the fund (an appropriation or a donation)."""
    amount_jpy = parse_yen(amount_jpy)
    check_date(received_on, "received_on")
    fiscal_year = parse_fiscal_year(fiscal_year_of(received_on), "received_on")
    memo = _memo(memo)
    lock(None, fund=True)
    return append_entry(
        actor,
        kind=EntryKind.CONTRIBUTION,
        amount_jpy=amount_jpy,
        booked_on=received_on,
        fiscal_year=fiscal_year,
        memo=memo,
    )


def allocate(actor, fiscal_year, category, amount_jpy, memo: str = "") -> LedgerEntry:
    """Move money from the unallocated fund to a fiscal year's budget line (made if new)."""
    fiscal_year = parse_fiscal_year(fiscal_year)
    category = parse_category(category)
    amount_jpy = parse_yen(amount_jpy, "allocated_jpy")
    memo = _memo(memo)
    lock_fund()
    year = db.session.get(FiscalYear, fiscal_year, populate_existing=True)
    if year is None:
        year = FiscalYear(year=fiscal_year)
        db.session.add(year)
        db.session.flush()
        record_event(actor, "fund.open_fiscal_year", year, object_id=fiscal_year)
    elif year.is_closed:
        raise InvalidTransition(str(_l("FY%(year)d is closed.", year=fiscal_year)))
    line = db.session.scalar(
        sa.select(BudgetLine).where(
            BudgetLine.fiscal_year == fiscal_year, BudgetLine.category == category
        )
    )
    if line is None:
        line = BudgetLine(fiscal_year=fiscal_year, category=category)
        db.session.add(line)
        db.session.flush()
    line = lock_line(line.id)
    check_figures(Effect(allocated=amount_jpy), line, None)
    return append_entry(
        actor,
        kind=EntryKind.ALLOCATION,
        amount_jpy=amount_jpy,
        line=line,
        fiscal_year=fiscal_year,
        booked_on=tokyo_today(),
        memo=memo,
    )


def commit(actor, placement_id, fiscal_year, category, amount_jpy, memo: str = "") -> LedgerEntry:
    """Reserve money of a fiscal year's line for a placement (on approval)."""
    take_write_lock()  # SQLite: before the first read (the placement's existence below)
    placement_id = parse_placement_id(placement_id, allow_empty=False, must_exist=True)
    fiscal_year = parse_fiscal_year(fiscal_year)
    category = parse_category(category)
    amount_jpy = parse_yen(amount_jpy)
    memo = _memo(memo)
    refuse_commitment_if_closed(placement_id)  # locks the placement's row first
    line = _line_of(fiscal_year, category)
    _refuse_if_closed(fiscal_year)
    current = figures.placement_line_id(placement_id)
    if current is not None and current != line.id and open_commitment(placement_id) > 0:
        raise InvalidTransition(
            str(
                _l(
                    "Placement %(id)d has money committed on another line; release it first.",
                    id=placement_id,
                )
            )
        )
    line = lock(line.id, fund=False)
    _refuse_if_closed(fiscal_year)
    check_figures(Effect(committed=amount_jpy), line, placement_id)
    return append_entry(
        actor,
        kind=EntryKind.COMMITMENT,
        amount_jpy=amount_jpy,
        line=line,
        fiscal_year=fiscal_year,
        booked_on=tokyo_today(),
        memo=memo,
        placement_id=placement_id,
    )


commit_for_placement = commit


def release(actor, placement_id, amount_jpy=None, memo: str = "") -> LedgerEntry | None:
    """Give back a placement's open commitment to its line (all of it unless an amount is given)."""
    placement_id = parse_placement_id(placement_id, allow_empty=False)
    amount_jpy = parse_yen(amount_jpy, allow_empty=True)
    memo = _memo(memo)
    take_write_lock()
    line_id = figures.placement_line_id(placement_id)
    if line_id is None:
        if amount_jpy is None:
            return None
        raise fail(
            "placement_id", _l("Nothing is committed for placement %(id)d.", id=placement_id)
        )
    line = db.session.get(BudgetLine, line_id)
    line = lock(line_id, fund=is_closed(line.fiscal_year))
    still_open = open_commitment(placement_id)
    if amount_jpy is None:
        if still_open <= 0:
            return None
        amount_jpy = still_open
    check_figures(Effect(committed=-amount_jpy), line, placement_id)
    entry = append_entry(
        actor,
        kind=EntryKind.RELEASE,
        amount_jpy=amount_jpy,
        line=line,
        fiscal_year=line.fiscal_year,
        booked_on=tokyo_today(),
        memo=memo,
        placement_id=placement_id,
    )
    return_unused_if_closed(actor, line)
    return entry


def release_open_commitment(actor, placement_id, memo: str = "") -> LedgerEntry | None:
    """Release all that is still committed for a placement (decline, cancel, completion)."""
    return release(actor, placement_id, None, memo)


def disburse(
    actor,
    *,
    paid_on: date,
    amount=None,
    currency: str = "JPY",
    fx_rate=None,
    amount_jpy=None,
    placement_id=None,
    category=None,
    fiscal_year=None,
    purpose=None,
    memo: str = "",
) -> LedgerEntry:
    """Record a payment, in yen or converted from a foreign currency at a recorded rate.

    A payment for a placement is booked on the line of its commitment and first consumes
    what is still committed; only the rest (the unbacked part) must fit the line's available.
    """
    take_write_lock()  # SQLite: before the first read (the placement's existence below)
    check_date(paid_on, "paid_on")
    code = parse_currency(currency or "JPY")
    placement_id = parse_placement_id(placement_id, must_exist=True)
    memo = _memo(memo)
    foreign = None
    if code == "JPY":
        amount_jpy = parse_yen(amount if amount not in (None, "") else amount_jpy, "amount")
    else:
        value = parse_decimal(amount, "amount")
        check_precision(value, code)
        rate = rate_or_recorded(code, paid_on, fx_rate)
        amount_jpy = to_yen(value, rate)
        if amount_jpy <= 0:
            raise fail("amount", _l("The amount is less than one yen."))
        foreign = (value, code, rate)
    refuse_payment_if_ended(placement_id)  # locks the placement's row
    line_id = figures.placement_line_id(placement_id) if placement_id is not None else None
    if line_id is None and placement_id is not None:
        refuse_unknown_placement(placement_id)
    if line_id is None:
        category = parse_category(category)
        fiscal_year = parse_fiscal_year(fiscal_year, allow_empty=True) or fiscal_year_of(paid_on)
        line_id = _line_of(fiscal_year, category).id
    line = db.session.get(BudgetLine, line_id)
    line = lock(line_id, fund=is_closed(line.fiscal_year))
    consumed = min(amount_jpy, open_commitment(placement_id)) if placement_id else 0
    check_figures(Effect(committed=-consumed, disbursed=amount_jpy), line, placement_id)
    if placement_id is None:
        if purpose and purpose not in {p.value for p in Purpose} - {"placement"}:
            raise fail(
                "purpose", _l("Choose training or other (a placement is named by its number).")
            )
        purpose = (
            Purpose(purpose)
            if purpose
            else (Purpose.TRAINING if line.category == Category.TRAINING else Purpose.OTHER)
        )
    entry = append_entry(
        actor,
        kind=EntryKind.DISBURSEMENT,
        amount_jpy=amount_jpy,
        line=line,
        fiscal_year=line.fiscal_year,
        booked_on=paid_on,
        consumed_jpy=consumed,
        memo=memo,
        placement_id=placement_id,
        purpose=purpose,
        foreign=foreign,
    )
    return entry


def reverse(actor, entry_id, memo: str) -> LedgerEntry:
    """Correct an entry by appending its exact opposite; the memo says why (required)."""
    memo = _memo(memo)
    if not memo:
        raise fail("memo", _l("Say why the entry is reversed."))
    take_write_lock()
    original = get_entry(entry_id)
    if original.kind == EntryKind.REVERSAL:
        raise InvalidTransition(str(_l("A reversal cannot be reversed; record a new entry.")))
    if original.amount_jpy < 0:
        raise InvalidTransition(str(_l("A year-end return cannot be reversed.")))
    standing = placement_standing(original.placement_id)  # its row first, as transitions do
    effect = effect_of(original.kind, original.amount_jpy, original.consumed_jpy).negated()
    touches_fund = original.kind in (EntryKind.CONTRIBUTION, EntryKind.ALLOCATION)
    closed = is_closed(original.fiscal_year) and original.budget_line_id is not None
    line = lock(original.budget_line_id, fund=touches_fund or closed)
    if db.session.scalar(sa.select(LedgerEntry.id).where(LedgerEntry.reverses_id == original.id)):
        raise InvalidTransition(str(_l("Entry %(id)d is already reversed.", id=original.id)))
    check_figures(effect, line, original.placement_id)
    foreign = (original.amount, original.currency, original.fx_rate) if original.currency else None
    entry = append_entry(
        actor,
        kind=EntryKind.REVERSAL,
        amount_jpy=original.amount_jpy,
        line=line,
        fiscal_year=original.fiscal_year,
        booked_on=tokyo_today(),
        consumed_jpy=original.consumed_jpy,
        memo=memo,
        placement_id=original.placement_id,
        purpose=original.purpose,
        foreign=foreign,
        reverses=original,
    )
    if standing is not None and standing.closed:
        # A closed placement holds no commitment: what the reversal reopened (what a reversed
        # payment had consumed) goes back to the line, or nothing could ever release it.
        release(actor, original.placement_id, None, reopened_memo(original.placement_id))
    if line is not None:
        return_unused_if_closed(actor, line)
    return entry


def get_entry(entry_id) -> LedgerEntry:
    """A ledger entry by id (everyone who may read the ledger may read every entry)."""
    try:
        entry_id = int(entry_id)
    except (TypeError, ValueError):
        raise NotFound(str(_l("No such ledger entry."))) from None
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None:
        raise NotFound(str(_l("No such ledger entry.")))
    return entry


def is_reversed(entry: LedgerEntry) -> bool:
    return (
        db.session.scalar(sa.select(sa.exists().where(LedgerEntry.reverses_id == entry.id)))
        or False
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
