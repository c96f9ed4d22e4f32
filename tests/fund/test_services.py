"""The fund's rules, through its services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hrfund.core.audit import AuditEvent
from hrfund.core.errors import InsufficientFunds, InvalidTransition, ValidationFailed
from hrfund.core.fiscal import fiscal_year_bounds, fiscal_year_of
from hrfund.fund import services
from hrfund.fund.amounts import to_yen
from hrfund.fund.models import Category, EntryKind, LedgerEntry
from tests import factories
from tests.fund.helpers import entry_count, funded_line, sums_by_hand


@pytest.fixture
def hr(db):
    return factories.user(roles=["hr"])


def line_figures(fiscal_year=2026, category="outgoing") -> dict:
    summary = services.summary(fiscal_year).as_dict()
    return next(line for line in summary["lines"] if line["category"] == category)


# ---------------------------------------------------------------- fiscal years


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2026),
        (date(2027, 3, 31), 2026),
        (date(2027, 4, 1), 2027),
        (date(2026, 1, 1), 2025),
        (date(2026, 12, 31), 2026),
    ],
)
def test_fiscal_year_of(day, year):
    assert fiscal_year_of(day) == year


def test_fiscal_year_bounds():
    assert fiscal_year_bounds(2026) == (date(2026, 4, 1), date(2027, 3, 31))


def test_contribution_on_31_march_and_1_april(hr):
    march = services.contribute(hr, 1000, date(2026, 3, 31))
    april = services.contribute(hr, 2000, date(2026, 4, 1))
    assert (march.fiscal_year, april.fiscal_year) == (2025, 2026)
    assert services.summary(2025).contributed_in_year == 1000
    assert services.summary(2026).contributed_in_year == 2000


def test_payment_on_31_march_and_1_april_hit_different_years(hr):
    services.contribute(hr, 2_000_000, date(2026, 4, 1))
    services.allocate(hr, 2026, "training", 1_000_000)
    services.allocate(hr, 2027, "training", 1_000_000)
    last = services.disburse(hr, paid_on=date(2027, 3, 31), amount="100", category="training")
    first = services.disburse(hr, paid_on=date(2027, 4, 1), amount="200", category="training")
    assert (last.fiscal_year, first.fiscal_year) == (2026, 2027)
    assert line_figures(2026, "training")["disbursed_jpy"] == 100
    assert line_figures(2027, "training")["disbursed_jpy"] == 200


# ---------------------------------------------------------------- figures


def test_allocation_beyond_the_unallocated_fund_is_refused(hr):
    services.contribute(hr, 500_000, date(2026, 4, 1))
    services.allocate(hr, 2026, "outgoing", 400_000)
    before = entry_count()
    with pytest.raises(InsufficientFunds):
        services.allocate(hr, 2026, "incoming", 100_001)
    assert entry_count() == before
    services.allocate(hr, 2026, "incoming", 100_000)
    assert services.summary(2026).fund.unallocated == 0


def test_commitment_beyond_available_is_refused(hr):
    funded_line(hr, amount=300_000)
    services.commit_for_placement(hr, 1, 2026, "outgoing", 200_000)
    before = entry_count()
    with pytest.raises(InsufficientFunds) as refused:
        services.commit_for_placement(hr, 2, 2026, "outgoing", 100_001)
    assert refused.value.code == "insufficient_funds"
    assert entry_count() == before
    assert line_figures()["available_jpy"] == 100_000


def test_disbursement_consumes_the_placement_commitment_first(hr):
    funded_line(hr, amount=1_000_000)
    services.commit_for_placement(hr, 7, 2026, "outgoing", 300_000)
    paid = services.disburse(hr, paid_on=date(2026, 6, 1), amount="200000", placement_id=7)
    assert paid.consumed_jpy == 200_000
    assert line_figures() == {
        "category": "outgoing",
        "budget_line_id": paid.budget_line_id,
        "allocated_jpy": 1_000_000,
        "committed_jpy": 100_000,
        "disbursed_jpy": 200_000,
        "available_jpy": 700_000,
    }
    # 100,000 still committed, 50,000 unbacked: only the unbacked part uses the available.
    more = services.disburse(hr, paid_on=date(2026, 7, 1), amount="150000", placement_id=7)
    assert more.consumed_jpy == 100_000
    figures = line_figures()
    assert (figures["committed_jpy"], figures["disbursed_jpy"], figures["available_jpy"]) == (
        0,
        350_000,
        650_000,
    )
    assert services.placement_totals([7, 8]) == {7: (0, 350_000), 8: (0, 0)}


def test_unbacked_part_beyond_available_is_refused(hr):
    funded_line(hr, amount=100_000)
    services.commit_for_placement(hr, 1, 2026, "outgoing", 80_000)
    before = entry_count()
    with pytest.raises(InsufficientFunds):
        # 80,000 from the commitment, 20,001 unbacked, only 20,000 available
        services.disburse(hr, paid_on=date(2026, 5, 1), amount="100001", placement_id=1)
    assert entry_count() == before
    services.disburse(hr, paid_on=date(2026, 5, 1), amount="100000", placement_id=1)
    assert line_figures()["available_jpy"] == 0


def test_release_of_the_unspent_commitment(hr):
    funded_line(hr, amount=1_000_000)
    services.commit_for_placement(hr, 3, 2026, "outgoing", 400_000)
    services.disburse(hr, paid_on=date(2026, 9, 1), amount="250000", placement_id=3)
    assert services.open_commitment(3) == 150_000
    released = services.release_open_commitment(hr, 3, "completed under budget")
    assert (released.kind, released.amount_jpy) == (EntryKind.RELEASE, 150_000)
    assert services.open_commitment(3) == 0
    assert services.release_open_commitment(hr, 3) is None
    assert line_figures()["available_jpy"] == 750_000
    assert services.release_open_commitment(hr, 999) is None


def test_commitment_on_an_unknown_fiscal_year_is_a_clear_error(hr):
    funded_line(hr)
    with pytest.raises(ValidationFailed) as error:
        services.commit_for_placement(hr, 1, 2030, "outgoing", 1000)
    assert "fiscal_year" in error.value.fields
    with pytest.raises(ValidationFailed):
        services.allocate(hr, 1999, "outgoing", 1000)
    with pytest.raises(InsufficientFunds):  # a known year, but nothing on that line
        services.commit_for_placement(hr, 1, 2026, "incoming", 1000)


@pytest.mark.parametrize("amount", [0, -5, "abc", "12.5", "", None, True, "1e5"])
def test_bad_yen_amounts_are_refused(hr, amount):
    services.contribute(hr, 1000, date(2026, 4, 1))
    before = entry_count()
    with pytest.raises(ValidationFailed):
        services.contribute(hr, amount, date(2026, 4, 2))
    with pytest.raises(ValidationFailed):
        services.allocate(hr, 2026, "outgoing", amount)
    assert entry_count() == before


def test_unknown_category_is_refused(hr):
    services.contribute(hr, 1000, date(2026, 4, 1))
    with pytest.raises(ValidationFailed) as error:
        services.allocate(hr, 2026, "travel", 100)
    assert "category" in error.value.fields


# ---------------------------------------------------------------- foreign payments


def test_rounding_is_half_up_to_the_yen():
    assert to_yen(Decimal("1234.56"), Decimal("162.345")) == 200_425  # 200,424.6432
    assert to_yen(Decimal("100.10"), Decimal("150.005")) == 15_016  # 15,015.5005
    assert to_yen(Decimal("1.25"), Decimal("2")) == 3  # exactly 2.5: half up, not to even
    assert to_yen(Decimal("1.24"), Decimal("2")) == 2


def test_foreign_disbursement_uses_the_recorded_rate(hr):
    funded_line(hr, category="outgoing")
    services.commit_for_placement(hr, 5, 2026, "outgoing", 500_000)
    services.record_fx_rate(hr, "EUR", date(2026, 5, 1), "162.345")
    services.record_fx_rate(hr, "EUR", date(2026, 5, 15), "163.000")
    paid = services.disburse(
        hr, paid_on=date(2026, 5, 10), amount="1234.56", currency="eur", placement_id=5
    )
    assert (paid.amount, paid.currency, paid.fx_rate) == (
        Decimal("1234.56"),
        "EUR",
        Decimal("162.345"),
    )
    assert paid.amount_jpy == 200_425
    typed = services.disburse(
        hr, paid_on=date(2026, 5, 10), amount="10", currency="EUR", fx_rate="170", placement_id=5
    )
    assert typed.amount_jpy == 1700


def test_foreign_disbursement_without_a_rate_is_refused(hr):
    funded_line(hr, category="training")
    services.record_fx_rate(hr, "USD", date(2026, 4, 1), "150")
    before = entry_count()
    with pytest.raises(ValidationFailed) as error:  # the only rate is 61 days old
        services.disburse(
            hr, paid_on=date(2026, 6, 1), amount="100", currency="USD", category="training"
        )
    assert "fx_rate" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        services.disburse(
            hr, paid_on=date(2026, 6, 1), amount="100", currency="XYZ", category="training"
        )
    assert "currency" in error.value.fields
    with pytest.raises(ValidationFailed) as error:  # EUR has two decimals
        services.disburse(
            hr, paid_on=date(2026, 4, 2), amount="1.234", currency="USD", category="training"
        )
    assert "amount" in error.value.fields
    assert entry_count() == before


def test_fx_rates_are_one_per_currency_and_day(hr):
    from hrfund.core.errors import Conflict

    services.record_fx_rate(hr, "KRW", date(2026, 4, 1), "0.110000")
    with pytest.raises(Conflict):
        services.record_fx_rate(hr, "KRW", date(2026, 4, 1), "0.12")
    with pytest.raises(ValidationFailed):
        services.record_fx_rate(hr, "KRW", date(2026, 4, 2), "-1")
    with pytest.raises(ValidationFailed):
        services.record_fx_rate(hr, "JPY", date(2026, 4, 2), "1")


# ---------------------------------------------------------------- reversals


def test_reversal_of_a_reversal_is_refused(hr):
    services.contribute(hr, 1000, date(2026, 4, 1))
    wrong = services.contribute(hr, 5000, date(2026, 4, 2), "typo")
    reversal = services.reverse(hr, wrong.id, "typed 5000 for 500")
    assert (reversal.kind, reversal.reversed_kind, reversal.reverses_id) == (
        EntryKind.REVERSAL,
        EntryKind.CONTRIBUTION,
        wrong.id,
    )
    assert services.summary(2026).fund.contributed == 1000
    with pytest.raises(InvalidTransition):
        services.reverse(hr, reversal.id, "undo the undo")
    with pytest.raises(InvalidTransition):
        services.reverse(hr, wrong.id, "twice")
    with pytest.raises(ValidationFailed):
        services.reverse(hr, wrong.id, "  ")


def test_reversal_that_takes_a_figure_below_zero_is_refused(hr):
    contribution = services.contribute(hr, 100_000, date(2026, 4, 1))
    allocation = services.allocate(hr, 2026, "outgoing", 100_000)
    commitment = services.commit_for_placement(hr, 1, 2026, "outgoing", 60_000)
    with pytest.raises(InsufficientFunds):  # the fund has nothing unallocated left
        services.reverse(hr, contribution.id, "wrong")
    with pytest.raises(InsufficientFunds):  # 60,000 of the allocation is committed
        services.reverse(hr, allocation.id, "wrong")
    services.disburse(hr, paid_on=date(2026, 5, 1), amount="60000", placement_id=1)
    with pytest.raises(InsufficientFunds):  # the commitment is spent: nothing to take back
        services.reverse(hr, commitment.id, "wrong")


def test_reversed_disbursement_reopens_the_commitment(hr):
    funded_line(hr, amount=100_000)
    services.commit_for_placement(hr, 1, 2026, "outgoing", 60_000)
    paid = services.disburse(hr, paid_on=date(2026, 5, 1), amount="70000", placement_id=1)
    services.reverse(hr, paid.id, "paid twice")
    assert services.open_commitment(1) == 60_000
    figures = line_figures()
    assert (figures["committed_jpy"], figures["disbursed_jpy"], figures["available_jpy"]) == (
        60_000,
        0,
        40_000,
    )


# ---------------------------------------------------------------- closing a year


def test_close_returns_unused_money_and_keeps_commitments_unless_asked(hr):
    funded_line(hr, amount=1_000_000)
    services.commit_for_placement(hr, 1, 2026, "outgoing", 300_000)
    services.disburse(hr, paid_on=date(2026, 6, 1), amount="100000", placement_id=1)
    posted = services.close_fiscal_year(hr, 2026)
    assert [(e.kind, e.amount_jpy) for e in posted] == [(EntryKind.ALLOCATION, -700_000)]
    summary = services.summary(2026)
    assert summary.closed and summary.fund.unallocated == 700_000
    assert line_figures()["available_jpy"] == 0
    with pytest.raises(InvalidTransition):
        services.allocate(hr, 2026, "outgoing", 1)
    with pytest.raises(InvalidTransition):
        services.commit_for_placement(hr, 2, 2026, "outgoing", 1)
    with pytest.raises(InvalidTransition):
        services.close_fiscal_year(hr, 2026)
    # a payment against the kept commitment still goes through; what is left returns later
    services.disburse(hr, paid_on=date(2027, 4, 10), amount="150000", placement_id=1)
    services.release_open_commitment(hr, 1, "completed")
    assert services.summary(2026).fund.unallocated == 750_000
    assert line_figures() | {"budget_line_id": None} == {
        "category": "outgoing",
        "budget_line_id": None,
        "allocated_jpy": 250_000,
        "committed_jpy": 0,
        "disbursed_jpy": 250_000,
        "available_jpy": 0,
    }
    with pytest.raises(InvalidTransition):
        services.reverse(hr, posted[0].id, "year-end returns stay")


def test_close_can_release_open_commitments(hr):
    funded_line(hr, amount=1_000_000)
    services.commit_for_placement(hr, 1, 2026, "outgoing", 300_000)
    services.commit_for_placement(hr, 2, 2026, "outgoing", 200_000)
    posted = services.close_fiscal_year(hr, 2026, release_open_commitments=True)
    assert sorted((e.kind.value, e.amount_jpy) for e in posted) == [
        ("allocation", -1_000_000),
        ("release", 200_000),
        ("release", 300_000),
    ]
    assert services.summary(2026).fund.unallocated == 1_000_000


# ---------------------------------------------------------------- the ledger itself


def test_totals_equal_the_sums_of_the_entries(hr):
    services.contribute(hr, 5_000_000, date(2026, 4, 1))
    services.allocate(hr, 2026, "outgoing", 2_000_000)
    services.allocate(hr, 2026, "outgoing", 500_000)
    services.allocate(hr, 2026, "training", 400_000)
    services.record_fx_rate(hr, "EUR", date(2026, 5, 1), "161.5")
    services.commit_for_placement(hr, 1, 2026, "outgoing", 900_000)
    services.commit_for_placement(hr, 2, 2026, "outgoing", 700_000)
    services.disburse(
        hr, paid_on=date(2026, 5, 2), amount="2500.50", currency="EUR", placement_id=1
    )
    paid = services.disburse(hr, paid_on=date(2026, 5, 3), amount="800000", placement_id=2)
    services.reverse(hr, paid.id, "wrong placement")
    services.release_open_commitment(hr, 2)
    services.disburse(hr, paid_on=date(2026, 6, 1), amount="120000", category="training")
    summary = services.summary(2026)
    for category, line_id in summary.line_ids.items():
        assert summary.lines[category].as_dict() == sums_by_hand(line_id)
    entries = db_entries()
    contributed = sum(
        e.amount_jpy * (-1 if e.kind == "reversal" else 1)
        for e in entries
        if (e.reversed_kind or e.kind) == "contribution"
    )
    allocated = sum(
        e.amount_jpy * (-1 if e.kind == "reversal" else 1)
        for e in entries
        if (e.reversed_kind or e.kind) == "allocation"
    )
    assert summary.fund.as_dict() == {
        "contributed_jpy": contributed,
        "allocated_jpy": allocated,
        "unallocated_jpy": contributed - allocated,
    }
    assert summary.totals.allocated == 2_900_000
    assert summary.lines[Category.OUTGOING].disbursed == to_yen(
        Decimal("2500.50"), Decimal("161.5")
    )


def db_entries():
    from hrfund.extensions import db

    return db.session.scalars(sa.select(LedgerEntry)).all()


def test_every_posting_writes_an_audit_event(hr, db):
    entry = services.contribute(hr, 1000, date(2026, 4, 1), "donation")
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.object_type == "fund_entries", AuditEvent.object_id == str(entry.id)
        )
    )
    assert event.action == "fund.contribution" and event.actor_id == hr.id
    assert event.changes["amount_jpy"] == 1000


def test_the_database_refuses_to_change_or_delete_an_entry(hr, db):
    entry = services.contribute(hr, 1000, date(2026, 4, 1))
    db.session.flush()
    for statement in (
        sa.update(LedgerEntry).where(LedgerEntry.id == entry.id).values(amount_jpy=1),
        sa.delete(LedgerEntry).where(LedgerEntry.id == entry.id),
    ):
        with pytest.raises(sa.exc.DatabaseError), db.session.begin_nested():
            db.session.execute(statement)
    assert (
        db.session.scalar(sa.select(LedgerEntry.amount_jpy).where(LedgerEntry.id == entry.id))
        == 1000
    )


def test_check_constraints_back_the_rules(hr, db):
    services.contribute(hr, 1000, date(2026, 4, 1))
    bad_rows = [
        {"kind": "contribution", "amount_jpy": -5},
        {"kind": "contribution", "amount_jpy": 0},
        {"kind": "reversal", "amount_jpy": 5},  # a reversal that names no entry
        {"kind": "commitment", "amount_jpy": 5},  # no line, no placement
    ]
    for values in bad_rows:
        with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
            db.session.execute(
                sa.insert(LedgerEntry).values(
                    fiscal_year=2026,
                    booked_on=date(2026, 4, 1),
                    memo="",
                    consumed_jpy=0,
                    created_at=hr.created_at,
                    **values,
                )
            )


def test_an_unknown_purpose_is_refused_not_guessed(hr):
    funded_line(hr, category="training")
    before = entry_count()
    with pytest.raises(ValidationFailed) as refused:
        services.disburse(
            hr, paid_on=date(2026, 6, 1), amount_jpy=1000, category="training", purpose="bogus"
        )
    assert "purpose" in refused.value.fields and entry_count() == before
    paid = services.disburse(
        hr, paid_on=date(2026, 6, 1), amount_jpy=1000, category="training", purpose="training"
    )
    assert paid.purpose.value == "training"
