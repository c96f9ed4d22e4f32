"""The unallocated fund never goes below zero, however many allocations to different budget
lines race for it: each posting that moves unallocated money locks the fund's row first. The
lines' own locks cannot do it (every racer here locks a line of its own), so this fails without
``lock_fund``'s row lock (found by `make mutation`: no test failed when it was removed).

Real threads, connections and commits on PostgreSQL; each racer pauses between reading the
fund's figures and writing, so that without the lock they would all read the same figures.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from hrfund.core.errors import InsufficientFunds
from hrfund.extensions import db
from hrfund.fund import figures, services
from tests.conftest import PG_URL, make_app

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="needs real PostgreSQL row locks"),
]
RACERS = 12
AMOUNT = 100_000
FUNDED = 4  # the unallocated fund holds exactly this many allocations


def _allocate(app, fiscal_year: int, start: threading.Barrier) -> str:
    with app.app_context():
        try:
            start.wait(timeout=30)
            services.allocate(None, fiscal_year, "outgoing", AMOUNT, "race")
            db.session.commit()
            return "ok"
        except InsufficientFunds:
            db.session.rollback()
            return "insufficient_funds"
        except Exception as error:  # noqa: BLE001 - reported in the assertion
            db.session.rollback()
            return f"error: {error!r}"
        finally:
            db.session.remove()


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
        start = threading.Barrier(RACERS)
        with ThreadPoolExecutor(max_workers=RACERS) as pool:
            years = range(2030, 2030 + RACERS)  # a budget line of its own for each racer
            results = [
                f.result(timeout=120)
                for f in [pool.submit(_allocate, app, y, start) for y in years]
            ]
        monkeypatch.undo()
        assert results.count("ok") == FUNDED, results
        assert results.count("insufficient_funds") == RACERS - FUNDED, results
        with app.app_context():
            assert figures.fund_figures().unallocated == 0
            db.engine.dispose()
    finally:
        cleanup()
