"""The applications module's exports, one column table each: states and names as the pages show
them (labels in the reader's language), read in keyset batches."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from hrfund.applications.models import Application, Call, CallSlot
from hrfund.auth.models import User
from hrfund.core.exports import Column, date_text, table_response, utc_text
from hrfund.core.i18n import localized_name, person_name

CALL_COLUMNS = (
    Column(_l("Call"), lambda c: c.id),
    Column(_l("Title"), lambda c: localized_name(c)),
    Column(_l("Fiscal year"), lambda c: c.fiscal_year),
    Column(_l("Status"), lambda c: c.status.label),
    Column(_l("Opens on"), lambda c: date_text(c.opens_on)),
    Column(_l("Closes on"), lambda c: date_text(c.closes_on)),
    Column(_l("Partner cities"), lambda c: ", ".join(s.city.code for s in c.slots)),
    Column(_l("Positions"), lambda c: sum(s.positions for s in c.slots)),
    Column(_l("Estimated cost (yen)"), lambda c: sum(s.estimated_cost_jpy for s in c.slots)),
)

APPLICATION_COLUMNS = (
    Column(_l("Application"), lambda a: a.id),
    Column(_l("Call"), lambda a: localized_name(a.call)),
    Column(_l("Applicant"), lambda a: person_name(a.applicant)),
    Column(_l("E-mail address"), lambda a: a.applicant.email),
    Column(
        _l("Department"), lambda a: a.applicant.department.code if a.applicant.department else ""
    ),
    Column(_l("Status"), lambda a: a.status.label),
    Column(_l("Preferences"), lambda a: " > ".join(a.preference_codes)),
    Column(_l("Start"), lambda a: date_text(a.start_on)),
    Column(_l("End"), lambda a: date_text(a.end_on)),
    Column(_l("Total (yen)"), lambda a: a.total_jpy),
    Column(_l("Submitted at (UTC)"), lambda a: utc_text(a.submitted_at)),
    Column(_l("Placement"), lambda a: a.placement_id or ""),
)


def calls_response(fmt: str, stmt: sa.Select):
    """The calls, newest first, with their slots summed."""
    stmt = stmt.options(so.selectinload(Call.slots).joinedload(CallSlot.city))  # no N+1
    return table_response(
        fmt, "calls", _l("Calls for applications"), CALL_COLUMNS, stmt, Call.id, newest_first=True
    )


def applications_response(fmt: str, stmt: sa.Select):
    """The filtered applications, with the applicant named as the page names them."""
    stmt = stmt.options(
        so.joinedload(Application.applicant).joinedload(User.department),
        so.joinedload(Application.call),
    )
    return table_response(
        fmt, "applications", _l("Applications"), APPLICATION_COLUMNS, stmt, Application.id
    )
