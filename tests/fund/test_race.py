"""Available never falls below zero, however many commitments race for the last yen.

Each attempt runs in its own thread, app context, session and database connection, and
commits for real (a fresh database from ``make_app``, not the rolled-back test transaction).
The naive variant takes no lock and waits at a barrier between reading the figures and
writing, so that every attempt reads before any writes: it must overspend, which shows the
test can catch a missing lock.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from hrfund.core.errors import InsufficientFunds
from hrfund.extensions import db
from hrfund.fund import figures, posting, services
from hrfund.fund.models import BudgetLine, Category
from tests import factories
from tests.conftest import BACKENDS, PG_URL, apps_by_backend
from tests.fund.helpers import sums_by_hand
from tests.racing import commit_or_refusal, in_threads

ATTEMPTS = 40
AMOUNT = 100_000
FUNDED = 10  # the line holds exactly this many commitments
needs_postgres = pytest.mark.skipif(
    not PG_URL, reason="needs real PostgreSQL row locks: set HRFUND_TEST_DATABASE_URL"
)


@pytest.fixture(scope="module")
def race_apps(tmp_path_factory):
    options = {
        "pool_pre_ping": True,
        "pool_size": ATTEMPTS + 2,
        "max_overflow": 4,
        "pool_timeout": 60,
    }
    with apps_by_backend(
        lambda: tmp_path_factory.mktemp("race"), SQLALCHEMY_ENGINE_OPTIONS=options
    ) as get:
        yield get


def _fund_a_line(app, fiscal_year: int) -> int:
    with app.app_context():
        # the placements the racers commit for (the ledger's placement_id is a foreign key)
        factories.placement_rows(*(1000 * fiscal_year + i for i in range(ATTEMPTS)))
        services.contribute(None, AMOUNT * FUNDED, date(fiscal_year, 4, 1), "race")
        entry = services.allocate(None, fiscal_year, "outgoing", AMOUNT * FUNDED, "race")
        db.session.commit()
        return entry.budget_line_id


def _attempt(placement_id: int, fiscal_year: int) -> str:
    return commit_or_refusal(
        lambda: services.commit_for_placement(
            None, placement_id, fiscal_year, "outgoing", AMOUNT, "race"
        ),
        {InsufficientFunds: "insufficient_funds"},
    )


def _race(app, fiscal_year: int) -> list[str]:
    return in_threads(
        app, _attempt, [(1000 * fiscal_year + i, fiscal_year) for i in range(ATTEMPTS)]
    )


def _check_books(app, line_id: int, fiscal_year: int) -> dict:
    with app.app_context():
        summary = services.summary(fiscal_year).as_dict()
        line = next(x for x in summary["lines"] if x["category"] == "outgoing")
        assert {k: v for k, v in line.items() if k.endswith("_jpy")} == sums_by_hand(line_id)
        return line


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param("postgresql", marks=needs_postgres),
        pytest.param("sqlite", marks=pytest.mark.skipif("sqlite" not in BACKENDS, reason="n/a")),
    ],
)
def test_forty_commitments_race_for_ten_slots(race_apps, backend):
    app = race_apps(backend)
    line_id = _fund_a_line(app, 2026)
    results = _race(app, 2026)
    assert results.count("ok") == FUNDED, results
    assert results.count("insufficient_funds") == ATTEMPTS - FUNDED, results
    line = _check_books(app, line_id, 2026)
    assert line["available_jpy"] == 0
    assert line["committed_jpy"] == AMOUNT * FUNDED


@needs_postgres
def test_naive_commit_without_a_lock_overspends(race_apps, monkeypatch):
    """Negative control: the same race with the lock taken out must break the rule."""
    app = race_apps("postgresql")
    line_id = _fund_a_line(app, 2027)
    read_together = threading.Barrier(ATTEMPTS)
    real_line_figures = figures.line_figures

    def no_lock(line_id):
        return db.session.get(BudgetLine, line_id)

    def read_then_wait(line_id):
        result = real_line_figures(line_id)
        read_together.wait(timeout=30)  # everyone has read the same available; now all write
        return result

    monkeypatch.setattr(posting, "lock_line", no_lock)
    monkeypatch.setattr(figures, "line_figures", read_then_wait)
    results = _race(app, 2027)
    monkeypatch.undo()
    assert results.count("ok") > FUNDED, results
    line = _check_books(app, line_id, 2027)
    assert line["available_jpy"] < 0


@needs_postgres
def test_locked_commit_with_the_same_interleaving_does_not_overspend(race_apps, monkeypatch):
    """With the lock in place, a pause between reading and writing changes nothing."""
    app = race_apps("postgresql")
    line_id = _fund_a_line(app, 2028)
    real_line_figures = figures.line_figures

    def read_then_pause(line_id):
        result = real_line_figures(line_id)
        threading.Event().wait(0.01)
        return result

    monkeypatch.setattr(figures, "line_figures", read_then_pause)
    results = _race(app, 2028)
    monkeypatch.undo()
    assert results.count("ok") == FUNDED, results
    assert _check_books(app, line_id, 2028)["available_jpy"] == 0


def test_line_category_is_unique_per_year(db, app):
    """Two allocations racing to create the same line cannot make two (the database says no)."""
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        services.contribute(None, 10, date(2026, 4, 1))
        services.allocate(None, 2026, "training", 5)
        db.session.add(BudgetLine(fiscal_year=2026, category=Category.TRAINING))
        db.session.flush()
