"""Small helpers for JSON API routes: the body (bounded), instants, pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, request
from flask_babel import lazy_gettext as _l

from hrfund.core.db import AnySelect
from hrfund.core.errors import ValidationFailed
from hrfund.core.inputs import (
    MAX_JSON_DEPTH,
    JSONTooDeep,
    check_json_depth,
    check_json_values,
)
from hrfund.core.pagination import paginate, parse_page_args


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 that says what is wrong with it. Nesting is bounded
    before parsing; text with control characters and ids out of range are refused once here."""
    if request.is_json:
        try:
            check_json_depth(request.get_data(cache=True))
        except JSONTooDeep:
            raise ValidationFailed(
                str(
                    _l(
                        "The JSON body nests too deeply (at most %(n)d levels).",
                        n=MAX_JSON_DEPTH,
                    )
                )
            ) from None
    data = request.get_json(silent=True)
    if data is None:
        raise ValidationFailed(
            str(_l("The body must be a JSON object (Content-Type: application/json)."))
        )
    if not isinstance(data, dict):
        raise ValidationFailed(str(_l("The body must be a JSON object.")))
    check_json_values(data)
    return data


def iso_instant(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def paged(
    stmt: AnySelect,
    *,
    scalars: bool = True,
    per_page: int | None = None,
    key: sa.ColumnElement[Any] | so.InstrumentedAttribute[Any] | None = None,
    rows: AnySelect | None = None,
) -> dict[str, Any]:
    """One page of ``stmt`` for a page schema to dump: {items, page, per_page, total}
    (``key``, ``rows``: see ``paginate``; the API's total is always the exact count)."""
    cfg = current_app.config
    page_no, size = parse_page_args(
        request.args, per_page or cfg["API_PER_PAGE_DEFAULT"], cfg["API_PER_PAGE_MAX"]
    )
    result = paginate(stmt, page_no, size, scalars=scalars, key=key, rows=rows)
    return {
        "items": result.items,
        "page": result.page,
        "per_page": result.per_page,
        "total": result.total,
    }
