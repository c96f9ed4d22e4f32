"""What the dashboards share: list length, hours of a record, who is abroad on a day."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from hrfund.placements.models import (
    Placement,
    PlacementStatus,
)
from hrfund.training.models import (
    TrainingProgram,
    TrainingRecord,
)

LIST_LIMIT = 5
#: A completed record's hours: its own, else its program's (as the fiscal-year report counts).
RECORD_HOURS = sa.func.coalesce(TrainingRecord.hours, TrainingProgram.hours)


def abroad_on(today: date):
    """The condition for a placement under way on ``today``: arrived (active), or confirmed and
    between its dates."""
    return sa.and_(
        Placement.start_on <= today,
        Placement.end_on >= today,
        Placement.status.in_([PlacementStatus.CONFIRMED, PlacementStatus.ACTIVE]),
    )
