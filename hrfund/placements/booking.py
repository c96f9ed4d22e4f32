"""No double booking: one person never holds two live placements over the same days."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrfund.core.errors import Conflict
from hrfund.core.i18n import localized_name
from hrfund.extensions import db
from hrfund.placements.models import Placement, PlacementStatus

S = PlacementStatus

LIVE = (S.PROPOSED, S.CONFIRMED, S.ACTIVE)


def ensure_not_double_booked(
    *, start_on: date, end_on: date, person_id: int | None = None, guest_email: str | None = None
) -> None:
    """One person never holds two live placements (proposed, confirmed or active) whose periods
    overlap: Conflict (409) naming the other one. Serialised per person on PostgreSQL (an
    advisory lock until the transaction ends), so that two approvals at once cannot both pass."""
    if person_id:
        key, same = f"placement-person:{person_id}", Placement.person_id == person_id
    elif guest_email:
        key = f"placement-guest:{guest_email.lower()}"
        same = sa.func.lower(Placement.guest_email) == guest_email.lower()
    else:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    other = db.session.scalar(
        sa.select(Placement)
        .where(
            same,
            Placement.status.in_(LIVE),
            Placement.start_on <= end_on,
            Placement.end_on >= start_on,
        )
        .order_by(Placement.start_on)
        .limit(1)
    )
    if other is not None:
        raise Conflict(
            str(
                _l(
                    "This person already holds placement %(id)d in %(city)s from %(start)s to "
                    "%(end)s (%(state)s): one person never holds two placements at once.",
                    id=other.id,
                    city=localized_name(other.city),
                    start=other.start_on.isoformat(),
                    end=other.end_on.isoformat(),
                    state=other.status.label,
                )
            )
        )
