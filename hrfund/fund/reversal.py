"""Corrections: an entry is never changed, it is reversed by appending its exact opposite.

Reached through ``hrfund.fund.services`` (the one door of the fund).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.core.errors import InvalidTransition, NotFound
from hrfund.core.fiscal import tokyo_today
from hrfund.extensions import db
from hrfund.fund.amounts import fail, parse_memo
from hrfund.fund.commitments import release
from hrfund.fund.models import EntryKind, LedgerEntry
from hrfund.fund.placement_state import placement_standing, reopened_memo
from hrfund.fund.posting import (
    append_entry,
    check_figures,
    effect_of,
    is_closed,
    lock,
    return_unused_if_closed,
    take_write_lock,
)


def reverse(actor, entry_id, memo: str) -> LedgerEntry:
    """Correct an entry by appending its exact opposite; the memo says why (required)."""
    memo = parse_memo(memo)
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
    if standing is not None and standing.closed and original.placement_id is not None:
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
