"""Racing transitions of one placement, and of one nomination: exactly one wins, the others
get 409; the commitment is released once, or kept whole."""

from __future__ import annotations

import pytest

from tests.conftest import PG_URL
from tests.races.conftest import PLACEMENT_JPY
from tests.races.harness import ACCEPTED_JPY
from tests.races.test_application_races import one_winner

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="races need real PostgreSQL connections"),
    pytest.mark.xdist_group("races"),
]
TARGET = {
    "confirm": "confirmed",
    "decline": "declined",
    "cancel": "cancelled",
    "start": "active",
    "complete": "completed",
}
RELEASES = {"decline", "cancel", "complete"}


def _money(world, placement_id: int) -> tuple[int, int]:
    """(what the placement still holds committed, how many releases it had)."""
    import sqlalchemy as sa

    from hrfund.extensions import db
    from hrfund.fund import services as fund
    from hrfund.fund.models import EntryKind, LedgerEntry

    with world.app.app_context():
        held = fund.open_commitment(placement_id)
        releases = db.session.scalar(
            sa.select(sa.func.count(LedgerEntry.id)).where(
                LedgerEntry.placement_id == placement_id, LedgerEntry.kind == EntryKind.RELEASE
            )
        )
        db.session.remove()
        return held, releases


def _race_placement(world, race, state: str, actions: list[str], actors: list[int]):
    for _ in range(race.rounds):
        placement_id = world.placement(state)
        tasks = [
            (f"placement.{a}", placement_id, actor)
            for a, actor in zip(actions, actors, strict=True)
        ]
        winner = actions[one_winner(race(tasks))]
        assert world.state("placement", placement_id) == TARGET[winner]
        assert len(world.events("placements", placement_id, set(actions))) == 1
        held, releases = _money(world, placement_id)
        if winner in RELEASES:
            assert (held, releases) == (0, 1), winner
        else:
            assert (held, releases) == (PLACEMENT_JPY, 0), winner
    world.books()


def test_confirm_decline_cancel(world, race):
    """The coordinator confirms and declines while HR cancels: one of them."""
    _race_placement(
        world,
        race,
        "proposed",
        ["confirm", "decline", "cancel"],
        [world.coordinator, world.coordinator, world.hr],
    )


def test_start_cancel(world, race):
    """The coordinator confirms the arrival while HR cancels."""
    _race_placement(world, race, "confirmed", ["start", "cancel"], [world.coordinator, world.hr])


def test_complete_cancel(world, race):
    """Two HR officers: one completes, one cancels; the rest is released once."""
    _race_placement(world, race, "active", ["complete", "cancel"], [world.hr, world.second_hr])


def test_ten_declines_write_one_history_event(world, race):
    """Ten declines of one placement at once: one succeeds, one event, one release."""
    for _ in range(race.rounds):
        placement_id = world.placement("proposed")
        results = race([("placement.decline", placement_id, world.coordinator)] * 10)
        one_winner(results)
        assert world.state("placement", placement_id) == "declined"
        assert len(world.events("placements", placement_id, ["decline"])) == 1
        assert _money(world, placement_id) == (0, 1)
    world.books()


def test_nomination_accept_reject(world, race):
    """Two HR officers decide one nomination: one accepts, one rejects; at most one guest."""
    import sqlalchemy as sa

    from hrfund.extensions import db
    from hrfund.placements.models import Nomination, Placement

    actions = ["accept", "reject"]
    for _ in range(race.rounds):
        nomination_id = world.nomination()
        before = world.books()["incoming"]
        tasks = [
            ("nomination.accept", nomination_id, world.hr),
            ("nomination.reject", nomination_id, world.second_hr),
        ]
        winner = actions[one_winner(race(tasks))]
        assert world.state("nomination", nomination_id) == f"{winner}ed"
        assert len(world.events("nominations", nomination_id, actions)) == 1
        with world.app.app_context():
            nomination = db.session.get(Nomination, nomination_id)
            guests = db.session.scalars(
                sa.select(Placement).where(Placement.guest_email == nomination.email)
            ).all()
            assert len(guests) == (1 if winner == "accept" else 0)
            assert nomination.placement_id == (guests[0].id if guests else None)
            db.session.remove()
        grew = world.books()["incoming"]["committed_jpy"] - before["committed_jpy"]
        assert grew == (ACCEPTED_JPY if winner == "accept" else 0)
