"""The ledger's filters, read from query arguments by the pages and the API alike."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from hrfund.core.errors import ValidationFailed
from hrfund.fund.amounts import parse_category, parse_fiscal_year, parse_placement_id
from hrfund.fund.models import EntryKind


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            str(_l("Enter a date as YYYY-MM-DD.")),
            fields={field: [str(_l("Enter a date as YYYY-MM-DD."))]},
        ) from None


def _kind(value: str) -> EntryKind:
    try:
        return EntryKind(value)
    except ValueError:
        message = str(_l("Unknown kind of entry."))
        raise ValidationFailed(message, fields={"kind": [message]}) from None


PARSERS = {
    "fiscal_year": ("fiscal_year", lambda v: parse_fiscal_year(v)),
    "category": ("category", lambda v: parse_category(v)),
    "kind": ("kind", _kind),
    "placement_id": ("placement_id", lambda v: parse_placement_id(v)),
    "from": ("booked_from", lambda v: _date(v, "from")),
    "to": ("booked_to", lambda v: _date(v, "to")),
}


def parse_filters(args, *, strict: bool = False) -> tuple[dict, list[str]]:
    """{entries_query keyword: value} from ``args``; bad values are skipped with a message
    (or, when ``strict``, raised as one ValidationFailed naming every bad field)."""
    filters: dict = {}
    errors: dict[str, list[str]] = {}
    for arg, (keyword, parse) in PARSERS.items():
        raw = (args.get(arg) or "").strip()
        if not raw:
            continue
        try:
            filters[keyword] = parse(raw)
        except ValidationFailed as error:
            errors[arg] = [error.message]
    if errors and strict:
        raise ValidationFailed(str(_l("Invalid filters.")), fields=errors)
    return filters, [f"{arg}: {' '.join(messages)}" for arg, messages in errors.items()]
