"""Where training learns about past exchanges, which live in the placements module.

Imports flow applications → training → placements, so training reads placements directly:
"has been on an exchange" means an outgoing placement that is active or completed.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from hrfund.core.i18n import current_language
from hrfund.extensions import db
from hrfund.placements.models import Direction, Placement, PlacementStatus

EXCHANGED = (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED)


def has_exchange_condition(user_id_column):
    """The SQL condition "has been (or is) on an exchange" for ``users.id``."""
    return sa.exists().where(
        Placement.person_id == user_id_column,
        Placement.direction == Direction.OUTGOING,
        Placement.status.in_(EXCHANGED),
    )


def exchange_history(user) -> list[dict]:
    """The user's past exchanges (completed placements only), newest first, for the
    development page: one that is under way or still planned is not "past"."""
    placements = db.session.scalars(
        sa.select(Placement)
        .where(Placement.person_id == user.id, Placement.status == PlacementStatus.COMPLETED)
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
