"""Pagination in SQL: one COUNT and one page query, whatever the size of the table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from math import ceil
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.core.db import AnySelect
from hrfund.core.errors import ValidationFailed
from hrfund.extensions import db


@dataclass
class Page:
    """One page of a query's rows."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


#: The highest page number asked for: beyond it the OFFSET (page × per_page) no longer fits a
#: 64-bit integer long before this, and no list of the system has so many pages.
MAX_PAGE = 1_000_000


def _for_pages() -> bool:
    """A web page (not the API) corrects a page number that is out of range instead of
    refusing it."""
    from flask import has_request_context, request

    return has_request_context() and not request.path.startswith("/api/")


def parse_page_args(
    args: Mapping[str, str | None], default_per_page: int = 25, max_per_page: int = 200
) -> tuple[int, int]:
    """``page`` and ``per_page`` from query arguments. Not a whole number: ValidationFailed.
    Out of range: ValidationFailed in the API; on a page, the nearest page that exists."""
    errors: dict[str, list[str]] = {}
    values: dict[str, int] = {}
    correct = _for_pages()
    for name, default, upper in (
        ("page", 1, MAX_PAGE),
        ("per_page", default_per_page, max_per_page),
    ):
        raw = args.get(name)
        if raw in (None, ""):
            values[name] = default
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors[name] = [str(_l("Enter a whole number."))]
            continue
        if value < 1 or value > upper:
            if correct:
                values[name] = min(max(value, 1), upper)
                continue
            errors[name] = [str(_l("Enter a number from 1 to %(most)d.", most=upper))]
            continue
        values[name] = value
    if errors:
        raise ValidationFailed(str(_l("The page asked for does not exist.")), fields=errors)
    return values["page"], values["per_page"]


def paginate(stmt: AnySelect, page: int, per_page: int, *, scalars: bool = True) -> Page:
    """Run ``stmt`` for one page, with its total counted in SQL. On a web page, a page beyond
    the last shows the last one."""
    page = min(max(page, 1), MAX_PAGE)
    total = (
        db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
        or 0
    )
    if _for_pages() and page > 1 and (page - 1) * per_page >= total:
        page = max(1, ceil(total / per_page))
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars() if scalars else result)
    return Page(items=items, page=page, per_page=per_page, total=total)


def args_with(updates: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """The current query string with ``updates`` and ``overrides`` (a template global, for
    pager links): every value of a repeated argument is kept, so a filter on several programs
    survives paging."""
    from flask import request

    args: dict[str, Any] = request.args.to_dict(flat=False)
    args.update(updates or {})
    args.update(overrides)
    return args
