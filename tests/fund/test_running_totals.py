"""The running totals on the budget lines and the fund row always equal the sums of the ledger:
after many postings and reversals, after a year-end, after a bulk write put right by
``recompute_totals``, and after the migration that adds them to an existing ledger."""

from __future__ import annotations

import random
from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from hrfund.core.errors import InsufficientFunds, InvalidTransition, ValidationFailed
from hrfund.extensions import db as _db
from hrfund.fund import figures, services
from hrfund.fund.models import BudgetLine, FundAccount, LedgerEntry
from tests import factories
from tests.conftest import make_app
from tests.fund.conftest import LEDGER_PLACEMENTS
from tests.fund.helpers import sums_by_hand

YEARS = (2025, 2026)
CATEGORIES = ("outgoing", "training")


def assert_totals_equal_the_ledger() -> None:
    lines = list(_db.session.scalars(sa.select(BudgetLine.id)))
    assert lines
    for line_id in lines:
        stored = figures.line_figures(line_id)
        assert stored == figures.ledger_line_figures(line_id), line_id
        assert stored.as_dict() == sums_by_hand(line_id), line_id
    assert figures.fund_figures() == figures.ledger_fund_figures()
    for year in YEARS:  # the overview's one statement reads the same totals
        summary = services.summary(year)
        for category, line_id in summary.line_ids.items():
            assert summary.lines[category] == figures.line_figures(line_id)
        assert summary.fund == figures.fund_figures()


def _post_at_random(hr, rng: random.Random, steps: int) -> int:
    """``steps`` postings of every kind, each refused or not by the fund's rules; returns how
    many went through."""
    for year in YEARS:
        services.contribute(hr, 50_000_000, date(year, 4, 1), "appropriation")
    posted = 0
    for _ in range(steps):
        year, category = rng.choice(YEARS), rng.choice(CATEGORIES)
        placement = rng.choice(LEDGER_PLACEMENTS)
        amount = rng.randrange(1_000, 3_000_000)
        action = rng.choice(
            ["allocate", "commit", "commit", "disburse", "disburse", "release", "reverse"]
        )
        try:
            if action == "allocate":
                services.allocate(hr, year, category, amount * 3)
            elif action == "commit":
                services.commit(hr, placement, year, category, amount)
            elif action == "disburse" and rng.random() < 0.5:
                services.disburse(
                    hr, paid_on=date(year, 6, 1), amount=amount, placement_id=placement
                )
            elif action == "disburse":
                services.disburse(
                    hr, paid_on=date(year, 7, 1), amount=amount, category=category, fiscal_year=year
                )
            elif action == "release":
                services.release(hr, placement, rng.choice([None, amount // 10]))
            else:
                entries = _db.session.execute(sa.select(LedgerEntry.id, LedgerEntry.kind)).all()
                # contributions too, but seldom: they fund everything else
                ids = [i for i, kind in entries if kind != "contribution" or rng.random() < 0.1]
                services.reverse(hr, rng.choice(ids or [entries[0][0]]), "correction")
            posted += 1
            _db.session.flush()
        except (InsufficientFunds, InvalidTransition, ValidationFailed):
            pass  # refused, nothing written (the fund's tests prove that)
    return posted


def test_totals_equal_the_ledger_after_many_postings_and_reversals(db):
    hr = factories.user(roles=["hr"])
    rng = random.Random(16)
    for _round in range(4):
        assert _post_at_random(hr, rng, 40) > 10
        assert_totals_equal_the_ledger()
    reversals = db.session.scalar(
        sa.select(sa.func.count()).where(LedgerEntry.reverses_id.is_not(None))
    )
    assert reversals > 3
    # a year-end releases what is still committed and gives back what is unused
    services.close_fiscal_year(hr, 2025, release_open_commitments=True)
    assert_totals_equal_the_ledger()
    assert figures.line_figures(_line_id(2025, "outgoing")).available == 0


def _line_id(year: int, category: str) -> int:
    return _db.session.scalar(
        sa.select(BudgetLine.id).where(
            BudgetLine.fiscal_year == year, BudgetLine.category == category
        )
    )


def test_recompute_totals_puts_a_bulk_write_right(db):
    hr = factories.user(roles=["hr"])
    _post_at_random(hr, random.Random(7), 30)
    # what a bulk load leaves: entries without their totals
    db.session.execute(
        sa.update(BudgetLine).values(allocated_jpy=0, committed_jpy=0, disbursed_jpy=0)
    )
    db.session.execute(sa.update(FundAccount).values(contributed_jpy=0, allocated_jpy=0))
    assert figures.fund_figures() != figures.ledger_fund_figures()
    figures.recompute_totals()
    assert_totals_equal_the_ledger()


@pytest.fixture
def fresh_app(backend, tmp_path):
    app, cleanup = make_app(backend, tmp_path)
    yield app
    with app.app_context():
        _db.engine.dispose()
    if cleanup:
        cleanup()


def test_the_migration_sets_the_totals_of_an_existing_ledger(fresh_app):
    with fresh_app.app_context():
        factories.placement_rows(*LEDGER_PLACEMENTS)
        hr = factories.user(roles=["hr"])
        _post_at_random(hr, random.Random(3), 40)
        _db.session.commit()
        expected = {
            line_id: figures.line_figures(line_id)
            for line_id in _db.session.scalars(sa.select(BudgetLine.id))
        }
        fund = figures.fund_figures()
        _db.session.remove()
        downgrade(revision="98c8a0dea333")  # the ledger as it stood before the totals
        upgrade()
        _db.session.remove()
        assert {line_id: figures.line_figures(line_id) for line_id in expected} == expected
        assert figures.fund_figures() == fund != figures.FundFigures()
        assert_totals_equal_the_ledger()
        _db.session.remove()
