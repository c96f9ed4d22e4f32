"""The ledger as CSV (UTF-8 with BOM, for Excel in Japan) and XLSX, read in batches."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from itertools import islice

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import pgettext

from hrfund.core.exports import export_response, keyset_rows
from hrfund.core.fiscal import tokyo_today
from hrfund.core.labels import fiscal_year_label
from hrfund.fund.amounts import decimal_text
from hrfund.fund.forms import CATEGORY_LABELS, KIND_LABELS, PURPOSE_LABELS
from hrfund.fund.memos import memo_text
from hrfund.fund.models import LedgerEntry

#: Excel's sheet holds 1,048,576 rows; a bigger export must be narrowed by its filters.
MAX_ROWS = 1_000_000


def headers() -> list[str]:
    return [
        _("Entry"),
        _("Booked on"),
        _("Fiscal year"),
        _("Budget line"),
        _("Kind"),
        _("Reverses"),
        _("Amount (yen)"),
        _("Of which from the commitment (yen)"),
        _("Foreign amount"),
        _("Currency"),
        _("Rate"),
        pgettext("ledger", "Purpose"),
        _("Placement"),
        _("Memo"),
        _("Recorded by"),
        _("Recorded at (UTC)"),
    ]


def _number(value: Decimal | None):
    """A foreign amount or rate as a number (so that no formula guard touches a negative one),
    written without trailing zeros."""
    text = decimal_text(value)
    return "" if text is None else Decimal(text)


def _kind_text(entry: LedgerEntry) -> str:
    """The kind as the page shows it; a reversal names the kind it reverses."""
    kind = str(KIND_LABELS[entry.kind])
    if entry.reversed_kind:
        return f"{kind}: {KIND_LABELS[entry.reversed_kind]}"
    return kind


def row_of(entry: LedgerEntry) -> list:
    return [
        entry.id,
        entry.booked_on.isoformat(),
        fiscal_year_label(entry.fiscal_year),
        str(CATEGORY_LABELS[entry.category]) if entry.category else "",
        _kind_text(entry),
        entry.reverses_id or "",
        entry.amount_jpy,
        entry.consumed_jpy,
        _number(entry.amount),
        entry.currency or "",
        _number(entry.fx_rate),
        str(PURPOSE_LABELS.get(entry.purpose, entry.purpose.value)) if entry.purpose else "",
        entry.placement_id or "",
        memo_text(entry.memo),
        entry.created_by.email if entry.created_by else "",
        entry.created_at.strftime("%Y-%m-%d %H:%M:%S"),
    ]


def rows(stmt: sa.Select) -> Iterator[list]:
    """Rows in batches by id (keyset), so memory stays flat however long the ledger; at most
    MAX_ROWS (a bigger export must be narrowed by its filters)."""
    stmt = stmt.options(so.joinedload(LedgerEntry.created_by))
    return islice(keyset_rows(stmt, LedgerEntry.id, row_of), MAX_ROWS)


def response(fmt: str, stmt: sa.Select):
    """The filtered ledger as a CSV or XLSX download (through the shared export helpers, so the
    memo, which anyone posting writes, cannot run as a formula in a spreadsheet)."""
    name = f"fund-ledger-{tokyo_today().isoformat()}"
    return export_response(fmt, name, _("Ledger"), headers(), rows(stmt))
