"""Fiscal years, budget lines and a ledger of every kind of entry that balances on every line.

Each line is allocated more than it commits and pays; each placement's payments consume its
commitment and the rest is released when it ends; closed years return what their lines did not
use. So every figure of the fund summary stays at or above zero.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

import sqlalchemy as sa

from hrfund.seed_scale.context import Context

CATEGORIES = ("outgoing", "incoming", "training", "operations")
ENTRY_COLUMNS = (
    "id",
    "fiscal_year",
    "budget_line_id",
    "category",
    "kind",
    "reversed_kind",
    "amount_jpy",
    "consumed_jpy",
    "amount",
    "currency",
    "fx_rate",
    "purpose",
    "placement_id",
    "booked_on",
    "memo",
    "reverses_id",
    "created_by_id",
    "created_at",
)
RATES = defaultdict(
    lambda: Decimal("1.250000"),
    {
        "EUR": Decimal("161.250000"),
        "USD": Decimal("149.800000"),
        "GBP": Decimal("189.400000"),
        "KRW": Decimal("0.108000"),
        "CNY": Decimal("20.650000"),
        "AUD": Decimal("97.300000"),
        "CAD": Decimal("108.900000"),
        "THB": Decimal("4.150000"),
        "TWD": Decimal("4.620000"),
    },
)
RETURN_MEMO = "Unused money of a closed fiscal year returned to the fund"
CHUNK = 50_000


def years(ctx: Context) -> None:
    """The fiscal years (all but the last two closed) and their four budget lines."""
    conn, writer = ctx.writer.connection, ctx.writer
    have = set(conn.execute(sa.text("SELECT year FROM fund_fiscal_years")).scalars())
    rows = []
    for year in ctx.years:
        if year not in have:
            closed = year <= ctx.current_year - 2
            at = ctx.at(date(year + 1, 5, 31)) if closed else None
            rows.append((year, ctx.at(date(year, 3, 1)), at, ctx.hr() if closed else None))
    writer.write("fund_fiscal_years", ("year", "created_at", "closed_at", "closed_by_id"), rows)
    ctx.closed_years = {year for year, _created, closed_at, _by in rows if closed_at}
    for line_id, year, category in conn.execute(
        sa.text("SELECT id, fiscal_year, category FROM fund_budget_lines")
    ):
        ctx.lines[(year, category)] = line_id
    lines = []
    for year in ctx.years:
        for category in CATEGORIES:
            if (year, category) not in ctx.lines:
                (line_id,) = writer.ids("fund_budget_lines", 1)
                ctx.lines[(year, category)] = line_id
                lines.append((line_id, year, category, ctx.at(date(year, 3, 15))))
    writer.write("fund_budget_lines", ("id", "fiscal_year", "category", "created_at"), lines)


class Ledger:
    """Numbers entries, tallies what each line needs, writes in chunks with their audit."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.rows: list[tuple[Any, ...]] = []
        self.available: dict[int, int] = defaultdict(int)

    def add(
        self,
        year,
        category,
        kind,
        amount,
        booked_on,
        *,
        consumed=0,
        placement=None,
        purpose=None,
        memo="",
        foreign=None,
        reverses=None,
        actor=None,
    ) -> int:
        ctx = self.ctx
        (entry_id,) = ctx.writer.ids("fund_entries", 1)
        line = ctx.lines[(year, category)] if category else None
        sign = -1 if kind == "reversal" else 1
        effective = reverses[1] if reverses else kind
        if line is not None:
            used = {"allocation": -1, "commitment": 1, "release": -1, "disbursement": 1}
            delta = used.get(effective, 0) * amount
            if effective == "disbursement":
                delta -= consumed  # the consumed part was committed already
            self.available[line] -= sign * delta
        amount_f, currency, rate = foreign or (None, None, None)
        actor = actor or ctx.hr()
        at = ctx.at(min(booked_on, ctx.today))
        self.rows.append(
            (
                entry_id,
                year,
                line,
                category,
                kind,
                reverses[1] if reverses else None,
                amount,
                consumed,
                amount_f,
                currency,
                rate,
                "placement" if placement else purpose,
                placement,
                booked_on,
                memo,
                reverses[0] if reverses else None,
                actor,
                at,
            )
        )
        ctx.audit(
            at,
            actor,
            f"fund.{kind}",
            "fund_entries",
            entry_id,
            comment=memo or None,
            changes={
                "fiscal_year": year,
                "category": category,
                "amount_jpy": amount,
                "placement_id": placement,
            },
        )
        if len(self.rows) >= CHUNK:
            self.flush()
        return entry_id

    def flush(self) -> None:
        self.ctx.writer.write("fund_entries", ENTRY_COLUMNS, self.rows)
        self.rows.clear()
        self.ctx.flush_audit()


def _fill_amounts(year: int, category: str, n: int):
    """The payments of a training or operations line: the same sequence on every call."""
    rng = random.Random(f"{year}-{category}")
    return (rng.randint(5, 300) * 1_000 for _ in range(n))


def ledger(ctx: Context) -> None:
    sizes, rng = ctx.sizes, ctx.rng
    book = Ledger(ctx)
    # what the placements of each line will commit (payments and releases stay within it)
    need: dict[tuple[int, str], int] = defaultdict(int)
    for m in ctx.money:
        need[(m.year, m.direction)] += m.amount
    placement_entries = sum(
        2 + max(0, (min(m.end_on, ctx.today) - m.start_on).days // 30) for m in ctx.money
    )
    fill = max(len(ctx.years) * 2, sizes.ledger_entries - placement_entries - 12 * len(ctx.years))
    per_line = fill // (len(ctx.years) * 2)
    for year in ctx.years:
        for category in ("training", "operations"):
            need[(year, category)] = sum(_fill_amounts(year, category, per_line))
    # contributions, then allocations: at the start of each year, more than its lines need
    for year in ctx.years:
        start = ctx.fy_start(year)
        allocations = {
            c: -(-need[(year, c)] * 11 // 10 // 1_000_000) * 1_000_000 + 10_000_000
            for c in CATEGORIES
        }
        total = sum(allocations.values())
        book.add(
            year,
            None,
            "contribution",
            total,
            start - timedelta(days=1),
            purpose="other",
            memo=f"FY{year} appropriation from the TMG budget",
        )
        book.add(
            year,
            None,
            "contribution",
            rng.randint(1, 50) * 1_000_000,
            start + timedelta(days=100),
            purpose="other",
            memo="Donation",
        )
        for category, amount in allocations.items():
            book.add(year, category, "allocation", amount, start, memo=f"FY{year} {category}")
    for m in ctx.money:
        _placement(ctx, book, m)
    for year in ctx.years:
        end = min(date(year + 1, 3, 31), ctx.today)
        for category in ("training", "operations"):
            purpose = "training" if category == "training" else "other"
            for amount in _fill_amounts(year, category, per_line):
                booked = ctx.days(ctx.fy_start(year), end)
                entry = book.add(
                    year,
                    category,
                    "disbursement",
                    amount,
                    booked,
                    purpose=purpose,
                    memo="Course fees" if purpose == "training" else "Operations",
                )
                if rng.random() < 0.004:
                    book.add(
                        year,
                        category,
                        "reversal",
                        amount,
                        booked,
                        purpose=purpose,
                        memo="Entered twice",
                        reverses=(entry, "disbursement"),
                    )
    for year in sorted(ctx.closed_years):
        for category in CATEGORIES:
            line = ctx.lines[(year, category)]
            if book.available[line] > 0:
                book.add(
                    year,
                    category,
                    "allocation",
                    -book.available[line],
                    date(year + 1, 5, 31),
                    memo=RETURN_MEMO,
                )
                book.available[line] = 0
    book.flush()
    ctx.writer.report("ledger", "fund_entries", "audit_events")


def _placement(ctx: Context, book: Ledger, m) -> None:
    """Commitment at approval, monthly payments consuming it, the rest released at the end."""
    category = m.direction
    book.add(
        m.year,
        category,
        "commitment",
        m.amount,
        m.committed_on,
        placement=m.id,
        memo="Placement approved",
    )
    last = min(m.end_on, m.ended_on or m.end_on, ctx.today)
    months = max(1, round((m.end_on - m.start_on).days / 30.4))
    monthly = m.amount * 9 // 10 // months
    paid, day = 0, m.start_on
    while m.status != "declined" and day <= last and paid + monthly <= m.amount:
        foreign = None
        amount = monthly
        if m.direction == "outgoing" and ctx.rng.random() < 0.3:
            currency = ctx.rng.choice(("EUR", "USD", "KRW", "CNY", "GBP"))
            rate = RATES[currency]
            units = (Decimal(monthly) / rate).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            amount = int((units * rate).to_integral_value(rounding=ROUND_DOWN))
            foreign = (units, currency, rate)
        if amount > 0:
            book.add(
                m.year,
                category,
                "disbursement",
                amount,
                day,
                consumed=amount,
                placement=m.id,
                memo="Monthly stipend",
                foreign=foreign,
            )
            paid += amount
        day += timedelta(days=30)
    if m.ended_on is not None and m.amount - paid > 0:
        book.add(
            m.year,
            category,
            "release",
            m.amount - paid,
            m.ended_on,
            placement=m.id,
            memo="Placement ended",
        )
