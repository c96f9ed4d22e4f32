"""Every transition claims its row on the state its actor saw (a conditional UPDATE): a
request that read a state another request has changed since is refused, and writes nothing.

The other request is played by a plain UPDATE behind the session's back, as a concurrent
commit looks to this one; the real concurrent races are in ``tests/races`` (PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hrfund.core.audit import AuditEvent
from hrfund.core.db import utcnow
from hrfund.core.errors import InvalidTransition
from hrfund.extensions import db as _db
from hrfund.fund import services as fund
from hrfund.placements import services
from hrfund.placements.models import Placement, PlacementStatus
from tests.placements.test_workflow import _bring


def _changed_elsewhere(placement, status: PlacementStatus) -> None:
    confirmed = {"confirmed_at": utcnow()} if status == PlacementStatus.CONFIRMED else {}
    _db.session.execute(
        sa.update(Placement)
        .where(Placement.id == placement.id)
        .values(status=status, **confirmed)
        .execution_options(synchronize_session=False)
    )


def _events(placement, action: str) -> int:
    return _db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.object_type == "placements",
            AuditEvent.object_id == str(placement.id),
            AuditEvent.action == f"placements.{action}",
        )
    )


def test_a_confirm_on_a_placement_declined_meanwhile_is_refused(world, db):
    placement = world.place()
    _changed_elsewhere(placement, PlacementStatus.DECLINED)
    assert placement.status == PlacementStatus.PROPOSED  # what this request read
    with pytest.raises(InvalidTransition) as refused:
        services.confirm_placement(world.seoul_coordinator, placement, host_office="City Hall")
    assert refused.value.status == 409
    assert placement.status == PlacementStatus.DECLINED and placement.host_office in ("", None)
    assert _events(placement, "confirm") == 0


def test_a_cancel_decided_on_a_state_that_no_longer_holds_is_refused(world, db):
    """HR saw the placement proposed; the coordinator confirmed it meanwhile. Cancel is
    allowed from confirmed too, but HR decided on what it saw: refused, nothing released."""
    placement = world.place()
    _changed_elsewhere(placement, PlacementStatus.CONFIRMED)
    with pytest.raises(InvalidTransition):
        services.cancel_placement(world.hr, placement, comment="no budget")
    assert placement.status == PlacementStatus.CONFIRMED
    assert fund.open_commitment(placement.id) == 1_200_000
    assert _events(placement, "cancel") == 0


def test_what_a_service_set_before_the_claim_is_kept(world, db):
    placement = world.place()
    _bring(world, placement, ["confirm"])
    placement.host_supervisor = "Director Kim"  # set before the transition, not yet flushed
    services.start_placement(world.hr, placement)
    _db.session.expire_all()
    assert placement.status == PlacementStatus.ACTIVE
    assert placement.host_supervisor == "Director Kim"
