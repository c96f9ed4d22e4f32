"""Where training learns about past exchanges, which live in the placements module.

Imports flow applications → training → placements, so training reads placements directly:
a past exchange is a completed placement (:func:`past_exchange`, the one rule), on the
development page and in the talent pool's "has been on an exchange" filter alike; one under way
or still planned is not past.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from hrfund.core.i18n import current_language
from hrfund.extensions import db
from hrfund.placements.models import Placement, PlacementStatus


def past_exchange(user_id_column):
    """The SQL condition that a placement is a past exchange of ``user_id_column``."""
    return sa.and_(
        Placement.person_id == user_id_column, Placement.status == PlacementStatus.COMPLETED
    )


def has_exchange_condition(user_id_column):
    """The SQL condition "has been on an exchange" (a past one) for ``users.id``."""
    return sa.exists().where(past_exchange(user_id_column))


def exchange_history(user) -> list[dict]:
    """The user's past exchanges (completed placements only), newest first, for the
    development page: one that is under way or still planned is not "past"."""
    placements = db.session.scalars(
        sa.select(Placement)
        .where(past_exchange(user.id))
        .options(so.joinedload(Placement.city))
        .order_by(Placement.start_on.desc())
    ).all()
    return [
        {
            "city": p.city.name(current_language()),
            "start_on": p.start_on,
            "end_on": p.end_on,
            "status": p.status.value,
            "placement_id": p.id,
        }
        for p in placements
    ]


def past_exchange_people() -> sa.Select:
    """The ids of everyone with a past exchange (the people of :func:`past_exchange`)."""
    return sa.select(Placement.person_id).where(Placement.status == PlacementStatus.COMPLETED)
