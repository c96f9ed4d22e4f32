"""Closing a fiscal year: optionally release its open commitments, return what the lines did
not use to the unallocated fund."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.core.audit import record_event
from hrfund.core.db import utcnow
from hrfund.core.errors import InvalidTransition
from hrfund.core.fiscal import tokyo_today
from hrfund.extensions import db
from hrfund.fund import figures
from hrfund.fund.amounts import fail, parse_fiscal_year
from hrfund.fund.memos import system_memo
from hrfund.fund.models import BudgetLine, EntryKind, FiscalYear, LedgerEntry
from hrfund.fund.posting import (
    append_entry,
    lock_fund,
    return_unused_if_closed,
    take_write_lock,
)


def close_fiscal_year(
    actor, fiscal_year, release_open_commitments: bool = False
) -> list[LedgerEntry]:
    """Close a year: optionally release its open commitments, return unused money to the fund."""
    fiscal_year = parse_fiscal_year(fiscal_year)
    take_write_lock()
    year = db.session.get(FiscalYear, fiscal_year)
    if year is None:
        raise fail("fiscal_year", _l("Nothing is allocated for FY%(year)d.", year=fiscal_year))
    lock_fund()
    lines = list(
        db.session.scalars(
            sa.select(BudgetLine)
            .where(BudgetLine.fiscal_year == fiscal_year)
            .order_by(BudgetLine.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    db.session.refresh(year)
    if year.is_closed:
        raise InvalidTransition(str(_l("FY%(year)d is closed.", year=fiscal_year)))
    posted = []
    if release_open_commitments:
        rows = db.session.execute(
            sa.select(LedgerEntry.placement_id, LedgerEntry.budget_line_id, figures.COMMITTED)
            .where(
                LedgerEntry.budget_line_id.in_([line.id for line in lines]),
                LedgerEntry.placement_id.is_not(None),
            )
            .group_by(LedgerEntry.placement_id, LedgerEntry.budget_line_id)
            .order_by(LedgerEntry.placement_id)
        )
        by_id = {line.id: line for line in lines}
        for placement_id, line_id, still_open in rows:
            if still_open > 0:
                posted.append(
                    append_entry(
                        actor,
                        kind=EntryKind.RELEASE,
                        amount_jpy=int(still_open),
                        line=by_id[line_id],
                        fiscal_year=fiscal_year,
                        booked_on=tokyo_today(),
                        placement_id=placement_id,
                        memo=system_memo("year_end_release", year=fiscal_year),
                    )
                )
    year.closed_at = utcnow()
    year.closed_by_id = getattr(actor, "id", None)
    db.session.flush()
    for line in lines:
        if returned := return_unused_if_closed(actor, line):
            posted.append(returned)
    record_event(
        actor,
        "fund.close_fiscal_year",
        year,
        object_id=fiscal_year,
        from_state="open",
        to_state="closed",
        changes={
            "release_open_commitments": release_open_commitments,
            "entries": [e.id for e in posted],
        },
    )
    return posted
