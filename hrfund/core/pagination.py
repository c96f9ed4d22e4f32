"""Pagination in SQL: one COUNT and one page query, whatever the size of the table."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

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


def parse_page_args(args, default_per_page: int = 25, max_per_page: int = 200) -> tuple[int, int]:
    """``page`` and ``per_page`` from query arguments; bad values are a ValidationFailed."""
    errors: dict[str, list[str]] = {}
    values = {}
    for name, default, upper in (("page", 1, None), ("per_page", default_per_page, max_per_page)):
        raw = args.get(name)
        if raw in (None, ""):
            values[name] = default
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors[name] = [str(_l("Enter a whole number."))]
            continue
        if value < 1 or (upper is not None and value > upper):
            errors[name] = [
                str(_l("Enter a number from 1 to %(most)d.", most=upper))
                if upper
                else str(_l("Enter a number of 1 or more."))
            ]
            continue
        values[name] = value
    if errors:
        raise ValidationFailed(str(_l("The page asked for does not exist.")), fields=errors)
    return values["page"], values["per_page"]


def paginate(stmt: sa.Select, page: int, per_page: int, *, scalars: bool = True) -> Page:
    """Run ``stmt`` for one page, with its total counted in SQL."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    )
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars() if scalars else result)
    return Page(items=items, page=page, per_page=per_page, total=total or 0)


def args_with(updates: dict | None = None, **overrides) -> dict:
    """The current query string with ``updates`` and ``overrides`` (a template global, for
    pager links): every value of a repeated argument is kept, so a filter on several programs
    survives paging."""
    from flask import request

    args = request.args.to_dict(flat=False)
    args.update(updates or {})
    args.update(overrides)
    return args
