"""Racing the calls' own machine (draft → open → closed → decided): two HR officers open,
close or decide one call at once, and HR closes a call while another officer decides it.
Exactly one of them moves it; the other gets 409; the history has one event."""

from __future__ import annotations

from datetime import date

import pytest

from hrfund.extensions import db
from tests.conftest import PG_URL
from tests.races.test_application_races import one_winner

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="races need real PostgreSQL connections"),
    pytest.mark.xdist_group("races"),
]

TARGET = {"open": "open", "close": "closed", "decide": "decided"}
BEFORE = {"open": [], "close": ["open"], "decide": ["open", "close"]}


def _call(world, steps: list[str]) -> int:
    """A new call with one slot, committed, moved by HR through ``steps``."""
    from hrfund.applications import calls
    from hrfund.auth.models import User

    with world.app.app_context():
        hr = db.session.get(User, world.hr)
        call = calls.create_call(
            hr,
            title_ja="競争の募集",
            title_en="A raced call",
            fiscal_year=2027,
            opens_on=date(2026, 6, 1),
            closes_on=date(2026, 6, 30),
            slots=[{"city": "SEL", "positions": 1, "months": 6, "estimated_cost_jpy": 1_000_000}],
            rules={},
        )
        for step in steps:
            calls.CALL_ACTIONS[step](hr, call)
        db.session.commit()
        call_id = call.id
        db.session.remove()
        return call_id


@pytest.mark.parametrize("action", ["open", "close", "decide"])
def test_two_officers_at_once_move_a_call_once(world, race, action):
    for _ in range(race.rounds):
        call_id = _call(world, BEFORE[action])
        tasks = [(f"call.{action}", call_id, hr) for hr in (world.hr, world.second_hr)]
        one_winner(race(tasks))
        assert world.state("call", call_id) == TARGET[action]
        assert len(world.events("calls", call_id, [action])) == 1


def test_close_and_close_again_then_decide(world, race):
    """Closing while another officer closes and a third request decides: the decide was made
    on an open call and is refused whatever the order; one close wins."""
    for _ in range(race.rounds):
        call_id = _call(world, ["open"])
        tasks = [
            ("call.close", call_id, world.hr),
            ("call.close", call_id, world.second_hr),
            ("call.decide", call_id, world.hr),
        ]
        results = race(tasks)
        assert results[:2].count("ok") == 1, results
        assert results[2] == "409", results
        assert world.state("call", call_id) == "closed"
        assert len(world.events("calls", call_id, ["close", "decide"])) == 1
