"""One row of what a user may see, by the id a URL or a body names: the scope query decides,
and a row outside it is not found (404), never refused (403), so nobody learns it exists."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa

from hrfund.core.errors import NotFound
from hrfund.core.inputs import parse_id
from hrfund.extensions import db

T = TypeVar("T")


def visible_or_404(visible: sa.Select[T], id_column: Any, wanted: Any, missing: Any) -> T:
    """The row of ``visible`` (a ``visible_to``-style query) whose ``id_column`` is ``wanted``,
    else NotFound(``missing``), also for an id that is no number or one no row can have (20
    digits would overflow PostgreSQL's integer: a DataError, not a 404)."""
    number = parse_id(wanted)
    if number is None:
        raise NotFound(str(missing))
    found = db.session.execute(visible.where(id_column == number)).unique().scalar()
    if found is None:
        raise NotFound(str(missing))
    return found
