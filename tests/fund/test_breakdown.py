"""The dashboard's breakdown of a year's ledger by placement and month (``fund.breakdown``) is
never stale: after every kind of posting (commitments, payments that consume them, releases,
reversals of each, a year-end), after a bulk write put right by ``recompute_totals``, and after
the migration that adds it to an existing ledger, the summary rows equal the ledger's grouped
read and the sums by hand."""

from __future__ import annotations

import random
from datetime import date

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from hrfund.core.errors import DomainError
from hrfund.extensions import db as _db
from hrfund.fund import breakdown, figures, services
from hrfund.fund.models import EntryKind, LedgerEntry, MonthPayment, PlacementTotal
from tests import factories
from tests.fund.conftest import LEDGER_PLACEMENTS
from tests.fund.helpers import assert_breakdown_equals_the_ledger, breakdown_by_hand
from tests.fund.test_running_totals import YEARS, _post_at_random, fresh_app  # noqa: F401


def _assert_all_years() -> None:
    for year in YEARS:
        assert_breakdown_equals_the_ledger(year)


def test_breakdown_equals_the_ledger_after_every_kind_of_posting(db):
    hr = factories.user(roles=["hr"])
    rng = random.Random(16)
    for _round in range(4):
        assert _post_at_random(hr, rng, 40) > 10
        _assert_all_years()
    for kind in (EntryKind.COMMITMENT, EntryKind.DISBURSEMENT):  # a reversal of each, surely
        ids = db.session.scalars(  # newest first: the likeliest to reverse cleanly
            sa.select(LedgerEntry.id)
            .where(LedgerEntry.kind == kind)
            .order_by(LedgerEntry.id.desc())
        ).all()
        for entry_id in ids:
            try:
                services.reverse(hr, entry_id, "correction")
                break
            except DomainError:
                continue
        _assert_all_years()
    kinds = set(db.session.scalars(sa.select(LedgerEntry.reversed_kind).distinct()))
    assert {EntryKind.COMMITMENT, EntryKind.DISBURSEMENT} <= kinds  # reversals of both
    consumed = db.session.scalar(sa.select(sa.func.count()).where(LedgerEntry.consumed_jpy > 0))
    assert consumed > 0  # payments that consumed a commitment
    found = [breakdown_by_hand(year) for year in YEARS]  # something to compare
    assert any(placements for placements, _ in found) and any(payments for _, payments in found)
    services.close_fiscal_year(hr, 2025, release_open_commitments=True)
    _assert_all_years()
    assert all(c == 0 for c, _d in breakdown.stored(2025).placements.values())


def test_a_payment_booked_outside_its_year_counts_for_its_placement_not_its_months(db):
    hr = factories.user(roles=["hr"])
    services.contribute(hr, 9_000_000, date(2026, 4, 1), "appropriation")
    services.allocate(hr, 2026, "outgoing", 9_000_000)
    services.commit(hr, LEDGER_PLACEMENTS[0], 2026, "outgoing", 1_000_000)
    for paid_on in (date(2026, 3, 31), date(2026, 4, 1), date(2027, 3, 31), date(2027, 4, 1)):
        services.disburse(
            hr, paid_on=paid_on, amount=100_000, placement_id=LEDGER_PLACEMENTS[0], fiscal_year=2026
        )
        assert_breakdown_equals_the_ledger(2026)
    stored = breakdown.stored(2026)
    assert stored.placements[LEDGER_PLACEMENTS[0]][1] == 400_000  # all four for the placement
    assert stored.payments  # April and March within the year
    assert stored.payments[next(iter(stored.payments))][0] == 100_000
    assert stored.payments[next(iter(stored.payments))][11] == 100_000


def test_recompute_totals_puts_the_breakdown_of_a_bulk_write_right(db):
    hr = factories.user(roles=["hr"])
    _post_at_random(hr, random.Random(7), 30)
    db.session.execute(sa.delete(PlacementTotal))
    db.session.execute(sa.delete(MonthPayment))
    assert breakdown.stored(YEARS[0]) != breakdown.from_ledger(YEARS[0])
    figures.recompute_totals()
    _assert_all_years()


def test_the_migration_fills_the_breakdown_of_an_existing_ledger(fresh_app):  # noqa: F811
    with fresh_app.app_context():
        factories.placement_rows(*LEDGER_PLACEMENTS)
        hr = factories.user(roles=["hr"])
        _post_at_random(hr, random.Random(3), 40)
        _db.session.commit()
        expected = {year: breakdown.stored(year) for year in YEARS}
        assert any(b.placements for b in expected.values())  # something to fill
        assert any(b.payments for b in expected.values())
        _db.session.remove()
        downgrade(revision="7d2a9c4e1f30")  # the ledger as it stood before the breakdown
        upgrade()
        _db.session.remove()
        assert {year: breakdown.stored(year) for year in YEARS} == expected
        _assert_all_years()
        _db.session.remove()


def test_the_hr_dashboard_shows_the_breakdown_by_city_and_month(db):
    from hrfund.placements.models import Placement
    from hrfund.reports.organisation import organisation_dashboard

    seoul = factories.city("SEL")  # some of the ledger's placements elsewhere
    db.session.execute(
        sa.update(Placement)
        .where(Placement.id.in_(LEDGER_PLACEMENTS[::2]))
        .values(city_id=seoul.id)
    )
    hr = factories.user(roles=["hr"])
    _post_at_random(hr, random.Random(5), 60)
    city_of = dict(db.session.execute(sa.select(Placement.id, Placement.city_id)).tuples().all())
    assert len(set(city_of.values())) > 1
    shown = 0
    for year in YEARS:
        placements, payments = breakdown_by_hand(year)
        by_city: dict[int, list[int]] = {}
        for pid, (committed, disbursed) in placements.items():
            figures_of_city = by_city.setdefault(city_of[pid], [0, 0])
            figures_of_city[0] += committed
            figures_of_city[1] += disbursed
        org = organisation_dashboard(date(year, 6, 1), year)
        expected = {cid: tuple(f) for cid, f in by_city.items() if any(f)}
        shown += len(expected)
        assert {city.id: (c, d) for city, c, d in org.committed_by_city} == expected
        assert {str(c.value): m for c, m in org.payments_by_month.items()} == payments
    assert shown > 1  # cities with figures to show
