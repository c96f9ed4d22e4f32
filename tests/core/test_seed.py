"""The demo data a new user meets after `make run`: loads on both databases, in motion."""

from __future__ import annotations

import sqlalchemy as sa

from hrfund.applications.models import Application, ApplicationStatus, Call, CallStatus
from hrfund.auth.models import User
from hrfund.core.fiscal import current_fiscal_year
from hrfund.fund import services as fund
from hrfund.fund.models import Category
from hrfund.placements.models import Nomination, Placement, PlacementStatus
from hrfund.seed import seed_demo


def test_demo_data_puts_every_page_in_motion(db):
    created = seed_demo()
    db.session.flush()
    assert len(created) == db.session.scalar(sa.select(sa.func.count(User.id))) == 8
    summary = fund.summary(current_fiscal_year())
    outgoing = summary.lines[Category.OUTGOING]
    assert outgoing.allocated > 0 and outgoing.committed > 0 and outgoing.disbursed > 0
    assert db.session.scalar(sa.select(Call.id).where(Call.status == CallStatus.OPEN))
    statuses = set(db.session.scalars(sa.select(Placement.status)))
    assert {PlacementStatus.PROPOSED, PlacementStatus.ACTIVE} <= statuses
    assert db.session.scalar(sa.select(sa.func.count(Nomination.id))) >= 1
    endorsed = db.session.scalar(
        sa.select(sa.func.count(Application.id)).where(
            Application.status == ApplicationStatus.ENDORSED
        )
    )
    assert endorsed == 1  # waiting for HR's decision
    active = db.session.scalar(
        sa.select(Placement).where(Placement.status == PlacementStatus.ACTIVE)
    )
    # what had to happen before the arrival of the placement under way has happened
    assert all(m.done_at is not None for m in active.milestones if m.due_on < active.arrived_on)
