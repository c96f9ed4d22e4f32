"""The ledger rules that depend on a placement's state: no payment to a declined or cancelled
placement, and a reversal on a closed placement gives the money back to the line."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from hrfund.core.errors import InvalidTransition
from hrfund.fund import services as fund
from hrfund.fund.models import EntryKind, LedgerEntry
from hrfund.placements import services
from tests.fund.helpers import entry_count, sums_by_hand
from tests.placements.conftest import FY, line
from tests.placements.test_workflow import _bring

PAID_ON = date(2026, 9, 5)


def _pay(world, placement, amount: int) -> LedgerEntry:
    return fund.disburse(
        world.hr, paid_on=PAID_ON, amount=amount, placement_id=placement.id, memo="stipend"
    )


def _books_agree():
    summary = fund.summary(FY)
    for category, line_id in summary.line_ids.items():
        assert summary.lines[category].as_dict() == sums_by_hand(line_id)


@pytest.mark.parametrize("end", ["decline", "cancel"])
def test_no_payment_to_a_declined_or_cancelled_placement(world, db, end):
    placement = world.place()
    if end == "decline":
        services.decline_placement(world.seoul_coordinator, placement, comment="no desk")
    else:
        _bring(world, placement, ["confirm", "cancel"])
    before, entries = line("outgoing").as_dict(), entry_count()
    with pytest.raises(InvalidTransition) as refused:
        _pay(world, placement, 100_000)
    assert refused.value.status == 409
    assert str(placement.id) in refused.value.message
    assert entry_count() == entries and line("outgoing").as_dict() == before


def test_a_completed_placement_takes_a_late_payment_from_the_available(world, db):
    placement = world.place()
    _bring(world, placement, ["confirm", "start", "complete"])
    entry = _pay(world, placement, 100_000)
    assert entry.consumed_jpy == 0  # nothing is committed any more: the line's available pays
    assert line("outgoing").available == 2_900_000


@pytest.mark.parametrize("close", ["complete", "cancel"])
def test_reversing_a_payment_of_a_closed_placement_returns_it_to_the_line(world, db, close):
    """Paid ¥500,000 of ¥1,200,000, then closed (the rest released); the payment is reversed:
    the line gets all its money back, and the closed placement holds nothing."""
    placement = world.place()
    _bring(world, placement, ["confirm", "start"])
    payment = _pay(world, placement, 500_000)
    _bring(world, placement, [close])
    assert line("outgoing").available == 2_500_000
    fund.reverse(world.hr, payment.id, "paid to the wrong account")
    assert fund.open_commitment(placement.id) == 0
    figures = line("outgoing")
    assert (figures.committed, figures.disbursed, figures.available) == (0, 0, 3_000_000)
    last = db.session.scalars(
        sa.select(LedgerEntry)
        .where(LedgerEntry.placement_id == placement.id)
        .order_by(LedgerEntry.id.desc())
    ).first()
    assert last.kind == EntryKind.RELEASE and last.amount_jpy == 500_000
    _books_agree()


def test_reversing_a_payment_of_an_open_placement_reopens_its_commitment(world, db):
    """While the placement runs, the reversed payment's share is committed again, and its
    cancellation later releases the whole of it."""
    placement = world.place()
    _bring(world, placement, ["confirm", "start"])
    payment = _pay(world, placement, 500_000)
    fund.reverse(world.hr, payment.id, "paid twice")
    assert fund.open_commitment(placement.id) == 1_200_000
    _bring(world, placement, ["cancel"])
    assert line("outgoing").available == 3_000_000
    _books_agree()


def test_the_api_refuses_a_payment_to_a_cancelled_placement(world, db, api_as):
    placement = world.place()
    _bring(world, placement, ["cancel"])
    hr = api_as("hr")
    entries = entry_count()
    response = hr.post(
        "/api/v1/fund/disbursements",
        headers=hr.headers,
        json={
            "placement_id": placement.id,
            "amount": "100000",
            "currency": "JPY",
            "paid_on": "2026-09-05",
        },
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "invalid_transition"
    assert entry_count() == entries
