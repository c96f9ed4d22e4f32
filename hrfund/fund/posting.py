"""The mechanics of a posting: locks, the figures check, appending an entry.

Every posting locks the rows whose figures it changes before it sums them: the budget line
(``SELECT … FOR UPDATE`` on PostgreSQL) and, for money moving to or from the unallocated fund,
first the fund row (always fund before line, so two postings never wait on each other in a
circle). SQLite has no row locks: there a posting takes the database write lock before its first
read (``BEGIN IMMEDIATE`` when the transaction has not begun yet, else a write to the fund row),
so writers run one at a time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError

from hrfund.core.audit import record_event
from hrfund.core.db import rows_changed
from hrfund.core.errors import Conflict, InsufficientFunds, InvalidTransition
from hrfund.core.fiscal import tokyo_today
from hrfund.extensions import db
from hrfund.fund import breakdown, figures
from hrfund.fund.amounts import fail
from hrfund.fund.memos import system_memo
from hrfund.fund.models import BudgetLine, EntryKind, FiscalYear, FundAccount, LedgerEntry, Purpose

log = logging.getLogger(__name__)
FUND_ID = figures.FUND_ID
R = TypeVar("R")

# ---------------------------------------------------------------- locks


def take_write_lock() -> None:
    """SQLite: hold the database write lock from here to the commit (called before any read).

    Harmless to call again. On PostgreSQL it does nothing: row locks do the work there.
    """
    session = db.session()  # the Session itself (the scoped proxy lacks in_transaction)
    if session.get_bind().dialect.name != "sqlite":
        return
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_begin": "BEGIN IMMEDIATE"})
    try:
        # Already holding it after BEGIN IMMEDIATE; in a transaction begun earlier this write
        # takes it now (or fails at once if another writer got in since our first read).
        session.execute(
            sa.update(FundAccount)
            .where(FundAccount.id == FUND_ID)
            .values(lock_version=FundAccount.lock_version + 1)
        )
    except OperationalError as error:
        if "locked" not in str(error).lower():
            raise
        raise Conflict(str(_l("The fund was changed at the same time. Try again."))) from None


def _locked(stmt: sa.Select[R]) -> R | None:
    """The row of ``stmt``, locked for this transaction (SQLite: the write lock) and read
    afresh, whatever the session held of it: its figures are about to change."""
    take_write_lock()
    return db.session.scalar(stmt.with_for_update().execution_options(populate_existing=True))


def lock_fund() -> FundAccount:
    """Lock the fund row: taken by whatever moves money to or from the unallocated fund."""
    fund = _locked(sa.select(FundAccount).where(FundAccount.id == FUND_ID))
    if fund is None:  # a database made without the migration's row
        fund = FundAccount(id=FUND_ID, lock_version=0)
        db.session.add(fund)
        db.session.flush()
    return fund


def lock_line(line_id: int) -> BudgetLine:
    """Lock a budget line (and reload it) before summing and changing its figures."""
    line = _locked(sa.select(BudgetLine).where(BudgetLine.id == line_id))
    assert line is not None  # the id of a line just read: lines are never deleted
    return line


def lock(line_id: int | None, *, fund: bool) -> BudgetLine | None:
    """Fund first, then the line: the one order every posting takes its locks in."""
    if fund:
        lock_fund()
    return lock_line(line_id) if line_id is not None else None


def lock_booked_line(line_id: int) -> BudgetLine:
    """Lock the line a payment or release is booked on: a closed year's line gives back to the
    fund what it does not need, so the fund's row first."""
    fiscal_year = db.session.scalar(
        sa.select(BudgetLine.fiscal_year).where(BudgetLine.id == line_id)
    )
    if fiscal_year is not None and is_closed(fiscal_year):
        lock_fund()
    return lock_line(line_id)


def is_closed(fiscal_year: int) -> bool:
    year = db.session.get(FiscalYear, fiscal_year, populate_existing=True)
    return bool(year and year.is_closed)


def refuse_if_closed(fiscal_year: int) -> None:
    if is_closed(fiscal_year):
        raise InvalidTransition(str(_l("FY%(year)d is closed.", year=fiscal_year)))


def check_year_known(fiscal_year: int) -> None:
    """A posting on a line names a year something was allocated for (400 on ``fiscal_year``)."""
    if db.session.get(FiscalYear, fiscal_year) is None:
        raise fail("fiscal_year", _l("Nothing is allocated for FY%(year)d.", year=fiscal_year))


def line_of(fiscal_year: int, category) -> BudgetLine:
    """The budget line of a year and category, or a refusal: no such year (400), nothing
    allocated to that line (409 insufficient_funds)."""
    check_year_known(fiscal_year)
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


# ---------------------------------------------------------------- figures check


@dataclass(frozen=True)
class Effect:
    """How one entry moves each figure, in yen."""

    contributed: int = 0
    allocated: int = 0
    committed: int = 0
    disbursed: int = 0

    def negated(self) -> Effect:
        return Effect(-self.contributed, -self.allocated, -self.committed, -self.disbursed)


def effect_of(kind: EntryKind, amount_jpy: int, consumed_jpy: int = 0) -> Effect:
    return {
        EntryKind.CONTRIBUTION: Effect(contributed=amount_jpy),
        EntryKind.ALLOCATION: Effect(allocated=amount_jpy),
        EntryKind.COMMITMENT: Effect(committed=amount_jpy),
        EntryKind.RELEASE: Effect(committed=-amount_jpy),
        EntryKind.DISBURSEMENT: Effect(committed=-consumed_jpy, disbursed=amount_jpy),
    }[kind]


def yen(value: int) -> str:
    return f"¥{value:,}"


def check_figures(effect: Effect, line: BudgetLine | None, placement_id: int | None) -> None:
    """Refuse (InsufficientFunds, nothing written) what would take a figure below zero."""
    if effect.contributed - effect.allocated < 0:
        unallocated = figures.fund_figures().unallocated
        if unallocated + effect.contributed - effect.allocated < 0:
            raise InsufficientFunds(
                str(
                    _l(
                        "The unallocated fund is %(available)s; %(amount)s cannot be taken from it.",  # noqa: E501
                        available=yen(unallocated),
                        amount=yen(effect.allocated - effect.contributed),
                    )
                )
            )
    if line is not None:
        now = figures.line_figures(line.id)
        taken = effect.committed + effect.disbursed - effect.allocated
        if taken > 0 and now.available - taken < 0:
            raise InsufficientFunds(
                str(
                    _l(
                        "The %(category)s line of FY%(year)d has %(available)s available; "
                        "%(amount)s do not fit.",
                        category=line.category.value,
                        year=line.fiscal_year,
                        available=yen(now.available),
                        amount=yen(taken),
                    )
                )
            )
        if effect.committed < 0 and now.committed + effect.committed < 0:
            raise InsufficientFunds(str(_l("The line's commitments would fall below zero.")))
    if placement_id is not None and effect.committed < 0:
        still_open = figures.open_commitment(placement_id)
        if still_open + effect.committed < 0:
            raise InsufficientFunds(
                str(
                    _l(
                        "Placement %(id)d has %(open)s committed; %(amount)s cannot be released.",
                        id=placement_id,
                        open=yen(still_open),
                        amount=yen(-effect.committed),
                    )
                )
            )


def add_to_totals(effect: Effect, line_id: int | None) -> None:
    """Move the running totals of the line and of the fund by one entry's effect, in the
    entry's transaction. An UPDATE of ``x = x + d`` holds the row's lock to the commit (the
    posting took it already), so two postings never lose each other's change."""
    if line_id is not None and (effect.allocated or effect.committed or effect.disbursed):
        db.session.execute(
            sa.update(BudgetLine)
            .where(BudgetLine.id == line_id)
            .values(
                allocated_jpy=BudgetLine.allocated_jpy + effect.allocated,
                committed_jpy=BudgetLine.committed_jpy + effect.committed,
                disbursed_jpy=BudgetLine.disbursed_jpy + effect.disbursed,
            )
        )
    if effect.contributed or effect.allocated:
        change = sa.update(FundAccount).where(FundAccount.id == FUND_ID)
        change = change.values(
            contributed_jpy=FundAccount.contributed_jpy + effect.contributed,
            allocated_jpy=FundAccount.allocated_jpy + effect.allocated,
        )
        if not rows_changed(db.session.execute(change)):  # a database without the fund's row
            lock_fund()
            db.session.execute(change)


def append_entry(
    actor,
    *,
    kind: EntryKind,
    amount_jpy: int,
    booked_on: date,
    fiscal_year: int,
    line: BudgetLine | None = None,
    consumed_jpy: int = 0,
    memo: str = "",
    placement_id: int | None = None,
    purpose: Purpose | None = None,
    foreign: tuple | None = None,
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    """Add one entry and its audit event, and move the running totals it changes; the caller
    has locked and checked the figures."""
    amount, currency, fx_rate = foreign or (None, None, None)
    entry = LedgerEntry(
        fiscal_year=fiscal_year,
        budget_line_id=line.id if line else None,
        category=line.category if line else None,
        kind=kind,
        reversed_kind=reverses.kind if reverses else None,
        amount_jpy=amount_jpy,
        consumed_jpy=consumed_jpy,
        amount=amount,
        currency=currency,
        fx_rate=fx_rate,
        purpose=Purpose.PLACEMENT if placement_id is not None else purpose,
        placement_id=placement_id,
        booked_on=booked_on,
        memo=memo or "",
        reverses_id=reverses.id if reverses else None,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(entry)
    db.session.flush()
    effect = (
        effect_of(reverses.kind, amount_jpy, consumed_jpy).negated()
        if reverses
        else effect_of(kind, amount_jpy, consumed_jpy)
    )
    add_to_totals(effect, entry.budget_line_id)
    breakdown.add_entry(entry, effect.committed, effect.disbursed)
    record_event(
        actor,
        f"fund.{kind.value}",
        entry,
        comment=memo or None,
        changes={
            "fiscal_year": fiscal_year,
            "category": line.category.value if line else None,
            "amount_jpy": amount_jpy,
            "consumed_jpy": consumed_jpy or None,
            "foreign": f"{amount} {currency} @ {fx_rate}" if currency else None,
            "placement_id": placement_id,
            "reverses": reverses.id if reverses else None,
        },
    )
    log.info(
        "fund %s #%d FY%d %s ¥%d by %s",
        kind.value,
        entry.id,
        fiscal_year,
        line.category.value if line else "fund",
        amount_jpy,
        getattr(actor, "email", actor),
    )
    return entry


def return_unused_if_closed(actor, line: BudgetLine) -> LedgerEntry | None:
    """A closed year's line gives back to the fund whatever it does not need any more."""
    if not is_closed(line.fiscal_year):
        return None
    available = figures.line_figures(line.id).available
    if available <= 0:
        return None
    return append_entry(
        actor,
        kind=EntryKind.ALLOCATION,
        amount_jpy=-available,
        line=line,
        fiscal_year=line.fiscal_year,
        booked_on=tokyo_today(),
        memo=system_memo("year_end_return"),
    )
