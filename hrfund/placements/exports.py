"""The placements module's exports, one column table each: states and names as the pages show
them (labels in the reader's language), read in keyset batches."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from hrfund.core.exports import Column, date_text, table_response, utc_text
from hrfund.core.i18n import current_language, localized_name
from hrfund.fund.services import placement_totals
from hrfund.placements.models import Nomination, Placement


def _host(p: Placement) -> str:
    return p.host_office or (localized_name(p.host_department) if p.host_department else "")


def placements_response(fmt: str, stmt: sa.Select):
    """The filtered placements, with what each has committed and disbursed."""
    totals: dict = {}

    def prepare(batch: Sequence[Placement]) -> None:  # one query of totals per batch, not per row
        totals.clear()
        totals.update(placement_totals([p.id for p in batch]))

    columns = (
        Column(_l("Placement"), lambda p: p.id),
        Column(_l("Direction"), lambda p: p.direction.label),
        Column(_l("Status"), lambda p: p.status.label),
        Column(_l("City"), lambda p: p.city.code),
        Column(_l("Person"), lambda p: p.person_name),
        Column(_l("E-mail address"), lambda p: p.person_email or ""),
        Column(_l("Start"), lambda p: date_text(p.start_on)),
        Column(_l("End"), lambda p: date_text(p.end_on)),
        Column(_l("Host"), _host),
        Column(_l("Committed (yen)"), lambda p: totals[p.id].committed_jpy),
        Column(_l("Disbursed (yen)"), lambda p: totals[p.id].disbursed_jpy),
    )
    stmt = stmt.options(
        so.joinedload(Placement.city),
        so.joinedload(Placement.person),
        so.joinedload(Placement.host_department),
    )
    return table_response(
        fmt, "placements", _l("Placements"), columns, stmt, Placement.id, prepare=prepare
    )


def nominations_response(fmt: str, stmt: sa.Select):
    """The nominations, newest first, with the city named in the reader's language."""
    language = current_language()
    columns = (
        Column(_l("Nomination"), lambda n: n.id),
        Column(_l("Name"), lambda n: n.name),
        Column(_l("E-mail address"), lambda n: n.email),
        Column(_l("Position"), lambda n: n.position),
        Column(_l("City"), lambda n: n.city.code),
        Column(_l("Partner city"), lambda n: n.city.name(language)),
        Column(_l("Start"), lambda n: date_text(n.start_on)),
        Column(_l("End"), lambda n: date_text(n.end_on)),
        Column(_l("Status"), lambda n: n.status.label),
        Column(_l("Placement"), lambda n: n.placement_id or ""),
        Column(_l("Nominated at (UTC)"), lambda n: utc_text(n.created_at)),
        Column(_l("Decided at (UTC)"), lambda n: utc_text(n.decided_at)),
    )
    stmt = stmt.options(so.joinedload(Nomination.city))
    return table_response(
        fmt, "nominations", _l("Nominations"), columns, stmt, Nomination.id, newest_first=True
    )
