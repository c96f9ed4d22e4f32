"""Racing decisions on one application: exactly one wins, the others get 409 and change
nothing; no placement for an application that was not approved, never two placements."""

from __future__ import annotations

import pytest

from tests.conftest import PG_URL
from tests.races.harness import APPROVED_JPY

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="races need real PostgreSQL connections"),
    pytest.mark.xdist_group("races"),
]
TARGET = {
    "approve": "approved",
    "withdraw": "withdrawn",
    "return": "returned",
    "reject": "rejected",
    "endorse": "endorsed",
    "decline": "declined_by_manager",
}


def one_winner(results: list[str]) -> int:
    """Exactly one success, every other task refused with 409: the winner's index."""
    assert results.count("ok") == 1, results
    assert results.count("409") == len(results) - 1, results
    return results.index("ok")


def test_approve_withdraw_return_reject(world, race):
    """HR approves, returns and rejects while the applicant withdraws: one of them."""
    actions = ["approve", "withdraw", "return", "reject"]
    for _ in range(race.rounds):
        application_id, applicant_id = world.application("endorsed")
        actors = [world.hr, applicant_id, world.second_hr, world.second_hr]
        before = world.books()["outgoing"]
        tasks = [
            (f"application.{a}", application_id, actor)
            for a, actor in zip(actions, actors, strict=True)
        ]
        winner = actions[one_winner(race(tasks))]
        assert world.state("application", application_id) == TARGET[winner]
        assert len(world.events("applications", application_id, actions)) == 1
        after = world.books()["outgoing"]  # also: a placement only if approved, at most one
        grew = after["committed_jpy"] - before["committed_jpy"]
        assert grew == (APPROVED_JPY if winner == "approve" else 0), (winner, before, after)


def test_endorse_decline_withdraw(world, race):
    """The manager endorses and declines while the applicant withdraws: one of them."""
    actions = ["endorse", "decline", "withdraw"]
    for _ in range(race.rounds):
        application_id, applicant_id = world.application("submitted")
        actors = [world.manager, world.manager, applicant_id]
        tasks = [
            (f"application.{a}", application_id, actor)
            for a, actor in zip(actions, actors, strict=True)
        ]
        winner = actions[one_winner(race(tasks))]
        assert world.state("application", application_id) == TARGET[winner]
        assert len(world.events("applications", application_id, actions)) == 1
    world.books()
