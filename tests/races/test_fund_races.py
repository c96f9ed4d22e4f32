"""Two corrections of one payment at once: one reversal, and the money back on the line."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL
from tests.races.test_application_races import one_winner

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="races need real PostgreSQL connections"),
    pytest.mark.xdist_group("races"),
]
PAID_JPY = 100_000


def test_reversal_reversal_of_a_completed_placements_payment(world, race):
    """Two HR officers reverse the same payment of a completed placement: one reversal; what
    the payment had consumed is not left committed to a closed placement but back on the
    line (its available grows by the payment)."""
    from hrfund.extensions import db
    from hrfund.fund import services as fund
    from hrfund.fund.models import EntryKind, LedgerEntry

    for _ in range(race.rounds):
        placement_id, payment_id = world.paid_and_completed(PAID_JPY)
        before = world.books()["outgoing"]
        tasks = [("entry.reverse", payment_id, world.hr), ("entry.reverse", payment_id, world.hr)]
        one_winner(race(tasks))
        with world.app.app_context():
            reversals = db.session.scalars(
                sa.select(LedgerEntry).where(LedgerEntry.reverses_id == payment_id)
            ).all()
            assert len(reversals) == 1
            releases = db.session.scalar(
                sa.select(sa.func.count(LedgerEntry.id)).where(
                    LedgerEntry.placement_id == placement_id,
                    LedgerEntry.kind == EntryKind.RELEASE,
                )
            )
            assert releases == 2  # at completion, and after the one reversal
            assert fund.open_commitment(placement_id) == 0
            db.session.remove()
        after = world.books()["outgoing"]  # also: the closed placement holds nothing
        assert after["committed_jpy"] == before["committed_jpy"]
        assert after["available_jpy"] - before["available_jpy"] == PAID_JPY
