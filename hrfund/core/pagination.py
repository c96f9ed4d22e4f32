"""Pagination in SQL: one COUNT and one page query, whatever the size of the table.

At the TMG's scale two options keep a page view from reading the whole list: ``key`` pages the
list's keys first (an index-only scan of the index that serves the sort, however deep the
page) and loads the rows of those keys only; ``count_cap`` counts at most that many rows and
labels the total "more than …" beyond it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from math import ceil
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
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
    #: the count stopped at ``total`` (a capped count): there are more rows than that
    more: bool = False
    #: a capped count's page knows whether a next one exists (it read one row more)
    next_exists: bool | None = None

    @property
    def pages(self) -> int:
        """The number of pages; with a capped count, those known so far."""
        counted = max(1, ceil(self.total / self.per_page))
        if self.more:
            return max(counted, self.page + (1 if self.next_exists else 0))
        return counted

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        if self.next_exists is not None:
            return self.next_exists
        return self.page < self.pages


#: The highest page number asked for: beyond it the OFFSET (page × per_page) no longer fits a
#: 64-bit integer long before this, and no list of the system has so many pages.
MAX_PAGE = 1_000_000
#: Where the long lists (applications, ledger, audit log) stop counting: "more than 10,000"
#: (the app's LIST_COUNT_CAP).
COUNT_CAP = 10_000


def list_count_cap() -> int:
    from flask import current_app

    return int(current_app.config.get("LIST_COUNT_CAP", COUNT_CAP))


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


def paginate(
    stmt: AnySelect,
    page: int,
    per_page: int,
    *,
    scalars: bool = True,
    key: sa.ColumnElement[Any] | so.InstrumentedAttribute[Any] | None = None,
    count_cap: int | None = None,
    rows: AnySelect | None = None,
) -> Page:
    """Run ``stmt`` for one page, with its total counted in SQL. On a web page, a page beyond
    the last shows the last one.

    ``key`` (the primary key of ``stmt``'s rows): find the page's keys first, then load only
    their rows (with whatever ``stmt`` joins). ``count_cap``: count no further than that; the
    page then says "more than" that, and reads one row more to know whether a next one exists.
    ``rows`` (with ``key``): the statement that loads the page's rows, in ``stmt``'s order;
    ``stmt`` then only counts and finds the keys (it need select nothing else).
    """
    page = min(max(page, 1), MAX_PAGE)
    if count_cap is not None and (page - 1) * per_page >= count_cap:
        # a page that starts beyond the cap: if it has rows, the list is longer than the cap,
        # which is all that the capped count would tell; so no count (a COUNT of cap + 1 rows
        # on every deep page). No rows: beyond the end, counted in full and the last page shown.
        items = _window(stmt, page, per_page, per_page + 1, scalars, key, rows)
        if items:
            next_exists = len(items) > per_page
            return Page(items[:per_page], page, per_page, count_cap, True, next_exists)
        if _for_pages():
            return paginate(stmt, MAX_PAGE, per_page, scalars=scalars, key=key, rows=rows)
    counted = stmt.order_by(None)
    if count_cap is not None:
        counted = counted.limit(count_cap + 1)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted.subquery())) or 0
    more = count_cap is not None and total > count_cap
    if more and count_cap is not None:
        total = count_cap
    if _for_pages() and page > 1 and (page - 1) * per_page >= total and not more:
        page = max(1, ceil(total / per_page))
    size = per_page + 1 if more else per_page
    items = _window(stmt, page, per_page, size, scalars, key, rows)
    if not more:
        return Page(items=items, page=page, per_page=per_page, total=total)
    if not items and page > 1 and _for_pages():
        # beyond the end of a long list: counted in full this once, the last page shown (one
        # COUNT: the call below counts, then corrects the page as for any list)
        return paginate(stmt, MAX_PAGE, per_page, scalars=scalars, key=key, rows=rows)
    return Page(
        items[:per_page], page, per_page, total, more=True, next_exists=len(items) > size - 1
    )


def _window(
    stmt: AnySelect,
    page: int,
    per_page: int,
    size: int,
    scalars: bool,
    key: sa.ColumnElement[Any] | so.InstrumentedAttribute[Any] | None,
    rows: AnySelect | None,
) -> list[Any]:
    """Up to ``size`` rows of ``stmt`` from the start of ``page``."""
    window = stmt.limit(size).offset((page - 1) * per_page)
    if key is not None:
        window = (stmt if rows is None else rows).where(key.in_(window.with_only_columns(key)))
    result = db.session.execute(window)
    return list(result.scalars() if scalars else result)


def args_with(updates: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """The current query string with ``updates`` and ``overrides`` (a template global, for
    pager links): every value of a repeated argument is kept, so a filter on several programs
    survives paging."""
    from flask import request

    args: dict[str, Any] = request.args.to_dict(flat=False)
    args.update(updates or {})
    args.update(overrides)
    return args
