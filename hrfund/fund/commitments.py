"""Commitments: money of a fiscal year's line reserved for a placement, and given back.

Reached through ``hrfund.fund.services`` (the one door of the fund); the rules of a posting
(locks, the figures check) are in ``posting``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from hrfund.core.errors import InvalidTransition
from hrfund.core.fiscal import tokyo_today
from hrfund.fund import figures
from hrfund.fund.amounts import (
    FieldErrors,
    fail,
    parse_category,
    parse_fiscal_year,
    parse_memo,
    parse_placement_id,
    parse_yen,
)
from hrfund.fund.figures import open_commitment
from hrfund.fund.models import EntryKind, LedgerEntry
from hrfund.fund.placement_state import refuse_commitment_if_closed
from hrfund.fund.posting import (
    Effect,
    append_entry,
    check_figures,
    check_year_known,
    line_of,
    lock_booked_line,
    refuse_if_closed,
    return_unused_if_closed,
    take_write_lock,
)


def commit(actor, placement_id, fiscal_year, category, amount_jpy, memo: str = "") -> LedgerEntry:
    """Reserve money of a fiscal year's line for a placement (on approval)."""
    errors = FieldErrors()
    fiscal_year = errors.read(parse_fiscal_year, fiscal_year)
    category = errors.read(parse_category, category)
    amount_jpy = errors.read(parse_yen, amount_jpy)
    memo = errors.read(parse_memo, memo)
    take_write_lock()  # SQLite: before the first read (the placement's existence below)
    placement_id = errors.read(parse_placement_id, placement_id, allow_empty=False, must_exist=True)
    if fiscal_year is not None:
        errors.read(check_year_known, fiscal_year)
    errors.raise_any()
    refuse_commitment_if_closed(placement_id)  # locks the placement's row first
    line = line_of(fiscal_year, category)
    refuse_if_closed(fiscal_year)
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
    line = lock_booked_line(line.id)
    refuse_if_closed(fiscal_year)
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


def release(actor, placement_id, amount_jpy=None, memo: str = "") -> LedgerEntry | None:
    """Give back a placement's open commitment to its line (all of it unless an amount is given)."""
    errors = FieldErrors()
    placement_id = errors.read(parse_placement_id, placement_id, allow_empty=False)
    amount_jpy = errors.read(parse_yen, amount_jpy, allow_empty=True)
    memo = errors.read(parse_memo, memo)
    errors.raise_any()
    take_write_lock()
    line_id = figures.placement_line_id(placement_id)
    if line_id is None:
        if amount_jpy is None:
            return None
        raise fail(
            "placement_id", _l("Nothing is committed for placement %(id)d.", id=placement_id)
        )
    line = lock_booked_line(line_id)
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
