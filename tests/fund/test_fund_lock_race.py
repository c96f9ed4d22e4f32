"""The unallocated fund never goes below zero, however many allocations to different budget
lines race for it: each posting that moves unallocated money locks the fund's row first. The
lines' own locks cannot do it (every racer here locks a line of its own), so this fails without
``lock_fund``'s row lock (found by `make mutation`: no test failed when it was removed).

Real threads, connections and commits on PostgreSQL; each racer pauses between reading the
fund's figures and writing, so that without the lock they would all read the same figures.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest

from hrfund.core.errors import InsufficientFunds
from hrfund.extensions import db
from hrfund.fund import figures, services
from tests.conftest import PG_URL, make_app
from tests.racing import commit_or_refusal, in_threads

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="needs real PostgreSQL row locks"),
]
RACERS = 12
AMOUNT = 100_000
FUNDED = 4  # the unallocated fund holds exactly this many allocations


def _allocate(fiscal_year: int) -> str:
    return commit_or_refusal(
        lambda: services.allocate(None, fiscal_year, "outgoing", AMOUNT, "race"),
        {InsufficientFunds: "insufficient_funds"},
    )


def test_allocations_to_different_lines_race_for_the_unallocated_fund(tmp_path, monkeypatch):
    options = {"pool_pre_ping": True, "pool_size": RACERS + 2, "pool_timeout": 60}
    app, cleanup = make_app("postgresql", tmp_path, SQLALCHEMY_ENGINE_OPTIONS=options)
    try:
        with app.app_context():
            services.contribute(None, AMOUNT * FUNDED, date(2026, 4, 1), "race")
            db.session.commit()
        real = figures.fund_figures

        def read_then_pause():
            result = real()
            threading.Event().wait(0.05)
            return result

        monkeypatch.setattr(figures, "fund_figures", read_then_pause)
        years = range(2030, 2030 + RACERS)  # a budget line of its own for each racer
        results = in_threads(app, _allocate, [(y,) for y in years])
        monkeypatch.undo()
        assert results.count("ok") == FUNDED, results
        assert results.count("insufficient_funds") == RACERS - FUNDED, results
        with app.app_context():
            assert figures.fund_figures().unallocated == 0
            db.engine.dispose()
    finally:
        cleanup()
