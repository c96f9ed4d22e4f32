"""The ledger's invariants under random sequences of postings (Hypothesis, stateful).

Contribute, allocate, place (commit), commit more, disburse, release, reverse, and the
placement transitions that move money (confirm, start, complete, cancel, decline) run in a
random order through the fund's and the placements' services. After every step the invariants
of DESIGN.md must hold:

- every line's figures equal the sums over its entries, recomputed by hand;
- no overspend: every line's ``available`` and the fund's ``unallocated`` are ≥ 0;
- commitments are ≥ 0, per line and per placement, and a closed placement holds none;
- the fund's contributed total equals what the steps contributed;
- the dashboard's breakdown by placement and month equals the entries (``fund.breakdown``).

A refused step (a domain error) is rolled back to its savepoint; any other exception fails.
Direct SQL that would rewrite the ledger is refused by the database's triggers.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy.exc import DBAPIError

from hrfund.core.errors import DomainError
from hrfund.fund import figures
from hrfund.fund import services as fund
from hrfund.fund.models import BudgetLine, LedgerEntry
from hrfund.placements import services as placements
from hrfund.placements.models import Placement
from tests import factories
from tests.fund.helpers import assert_breakdown_equals_the_ledger, sums_by_hand
from tests.placements.conftest import END, FY, START, world  # noqa: F401 - shared fixture

AMOUNTS = st.integers(min_value=1, max_value=2_500_000)
CATEGORIES = st.sampled_from(["outgoing", "incoming", "training"])
CLOSED = {"completed", "declined", "cancelled"}
SETTINGS = settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def _status(placement: Placement) -> str:
    return getattr(placement.status, "value", placement.status)


def test_ledger_invariants_hold_over_random_postings(db, world):  # noqa: F811
    w = world
    counts: Counter[str] = Counter()
    reasons: dict[str, str] = {}
    people = [factories.user(["employee"]) for _ in range(4)]  # a pool: hashing costs

    class Ledger(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.savepoint = db.session.begin_nested()
            self.placements: list[int] = []
            self.contributed = figures.fund_figures().contributed

        def teardown(self):
            self.savepoint.rollback()
            db.session.expire_all()

        def attempt(self, name, action):
            step = db.session.begin_nested()
            try:
                result = action()
            except DomainError as error:
                reasons.setdefault(name, str(error))
                step.rollback()
                db.session.expire_all()
                counts[f"{name} refused"] += 1
                return None
            step.commit()
            counts[name] += 1
            return result

        def placement(self, data) -> Placement:
            return db.session.get(Placement, data.draw(st.sampled_from(self.placements)))

        # ------------------------------------------------------------ postings

        @rule(amount=AMOUNTS)
        def contribute(self, amount):
            if self.attempt("contribute", lambda: fund.contribute(w.hr, amount, date(FY, 5, 1))):
                self.contributed += amount

        @rule(category=CATEGORIES, amount=AMOUNTS)
        def allocate(self, category, amount):
            self.attempt("allocate", lambda: fund.allocate(w.hr, FY, category, amount))

        @rule(amount=AMOUNTS)
        def place(self, amount):
            person = people[len(self.placements) % len(people)]
            placement = self.attempt(
                "place (commit)",
                lambda: placements.create_outgoing_placement(
                    w.hr,
                    person=person,
                    city=w.seoul,
                    start_on=START,
                    end_on=END,
                    amount_jpy=amount,
                ),
            )
            if placement is not None:
                self.placements.append(placement.id)

        @precondition(lambda self: self.placements)
        @rule(data=st.data(), amount=AMOUNTS)
        def commit_more(self, data, amount):
            pid = self.placement(data).id
            self.attempt("commit", lambda: fund.commit(w.hr, pid, FY, "outgoing", amount))

        @rule(data=st.data(), amount=AMOUNTS, for_placement=st.booleans())
        def disburse(self, data, amount, for_placement):
            pid = self.placement(data).id if for_placement and self.placements else None
            self.attempt(
                "disburse",
                lambda: fund.disburse(
                    w.hr,
                    paid_on=date(FY, 6, 1),
                    amount_jpy=amount,
                    placement_id=pid,
                    category="training" if pid is None else None,
                    fiscal_year=FY if pid is None else None,
                ),
            )

        @precondition(lambda self: self.placements)
        @rule(data=st.data(), amount=st.none() | AMOUNTS)
        def release(self, data, amount):
            pid = self.placement(data).id
            self.attempt("release", lambda: fund.release(w.hr, pid, amount))

        @rule(data=st.data())
        def reverse(self, data):
            ids = list(db.session.scalars(sa.select(LedgerEntry.id).order_by(LedgerEntry.id)))
            entry_id = data.draw(st.sampled_from(ids))
            self.attempt("reverse", lambda: fund.reverse(w.hr, entry_id, "correction"))

        # ------------------------------------------------------------ transitions

        @precondition(lambda self: self.placements)
        @rule(data=st.data(), action=st.sampled_from(["confirm", "start", "decline"]))
        def host_acts(self, data, action):
            p = self.placement(data)
            if action == "confirm":
                act = lambda: placements.confirm_placement(  # noqa: E731
                    w.seoul_coordinator, p, host_office="Seoul City Hall"
                )
            elif action == "start":
                act = lambda: placements.start_placement(w.seoul_coordinator, p)  # noqa: E731
            else:
                act = lambda: placements.decline_placement(  # noqa: E731
                    w.seoul_coordinator, p, comment="no desk"
                )
            self.attempt(action, act)

        @precondition(lambda self: self.placements)
        @rule(data=st.data())
        def complete(self, data):
            p = self.placement(data)
            self.attempt("complete", lambda: placements.complete_placement(w.hr, p))

        @precondition(lambda self: self.placements)
        @rule(data=st.data())
        def cancel(self, data):
            p = self.placement(data)
            self.attempt("cancel", lambda: placements.cancel_placement(w.hr, p, comment="budget"))

        # ------------------------------------------------------------ invariants

        @invariant()
        def lines_equal_their_entries_and_never_overspend(self):
            for line_id in db.session.scalars(sa.select(BudgetLine.id)):
                got = figures.line_figures(line_id)
                assert got.as_dict() == sums_by_hand(line_id), line_id
                assert got.available >= 0, (line_id, got)
                assert got.committed >= 0, (line_id, got)
                assert got.disbursed >= 0, (line_id, got)

        @invariant()
        def breakdown_equals_the_entries(self):
            # the dashboard's summary rows by placement and month, never stale
            years = set(db.session.scalars(sa.select(LedgerEntry.fiscal_year).distinct()))
            for year in years | {FY}:
                assert_breakdown_equals_the_ledger(year)

        @invariant()
        def fund_never_overallocated(self):
            got = figures.fund_figures()
            by_hand = {"contribution": 0, "allocation": 0}
            for e in db.session.scalars(sa.select(LedgerEntry)):
                kind = (e.reversed_kind or e.kind).value
                if kind in by_hand:
                    by_hand[kind] += -e.amount_jpy if e.reversed_kind else e.amount_jpy
            assert (got.contributed, got.allocated) == (
                by_hand["contribution"],
                by_hand["allocation"],
            )
            assert got.contributed <= self.contributed  # reversals only take away
            assert got.unallocated >= 0, got

        @invariant()
        def placements_hold_no_negative_and_closed_hold_none(self):
            for placement in db.session.scalars(
                sa.select(Placement).where(Placement.id.in_(self.placements))
            ):
                still_open = figures.open_commitment(placement.id)
                assert still_open >= 0, (placement.id, still_open)
                if _status(placement) in CLOSED:
                    assert still_open == 0, (placement.id, _status(placement), still_open)

    # 30 examples on each database: with 15 on PostgreSQL a run could try no reversal at all
    run_state_machine_as_test(Ledger, settings=SETTINGS)
    done = sum(v for k, v in counts.items() if not k.endswith("refused"))
    refused = sum(v for k, v in counts.items() if k.endswith("refused"))
    print(f"\nledger property: {done} postings and transitions, {refused} refused, 0 broken:")
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print("  first refusals: " + "; ".join(f"{k}: {v}" for k, v in sorted(reasons.items())))
    assert counts["disburse"] and counts["reverse"] and counts["place (commit)"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE fund_entries SET amount_jpy = amount_jpy + 1",
        "UPDATE fund_entries SET kind = 'contribution'",
        "UPDATE fund_entries SET consumed_jpy = 0",
        "DELETE FROM fund_entries",
    ],
)
def test_direct_sql_that_would_break_the_ledger_is_refused(db, world, statement):  # noqa: F811
    before = figures.summary(FY).as_dict()
    savepoint = db.session.begin_nested()
    with pytest.raises(DBAPIError):
        db.session.execute(sa.text(statement))
        db.session.flush()
    savepoint.rollback()
    assert figures.summary(FY).as_dict() == before
