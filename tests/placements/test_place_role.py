"""Only HR places staff: the service refuses anyone else, whatever page or API let the call
through, and nothing is placed or committed (found by `make mutation`: no test failed when
``create_outgoing_placement`` stopped checking the role)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hrfund.core.errors import NotAllowed
from hrfund.placements import services
from hrfund.placements.models import Placement
from tests.placements.conftest import END, START


@pytest.mark.parametrize("who", ["employee", "seoul_coordinator", "auditor"])
def test_nobody_but_hr_places_staff(app, db, world, who):
    before = db.session.scalar(sa.select(sa.func.count(Placement.id)))
    with pytest.raises(NotAllowed):
        services.create_outgoing_placement(
            getattr(world, who),
            person=world.employee,
            city=world.seoul,
            start_on=START,
            end_on=END,
            amount_jpy=1_000_000,
        )
    assert db.session.scalar(sa.select(sa.func.count(Placement.id))) == before
    assert world.place().status.value == "proposed"  # HR may
