"""The fund's tables: fiscal years, budget lines, the append-only ledger, exchange rates.

Money only moves through ``fund_entries``; nothing there is ever updated or deleted (a trigger
refuses it on both databases). Figures are sums over the ledger, kept as running totals on the
budget line and the fund row by the posting that changes them, under the row's lock.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from hrfund.auth.models import User
from hrfund.core.db import str_enum, utcnow
from hrfund.core.inputs import MAX_YEAR, MIN_YEAR
from hrfund.core.labels import LabelledEnum
from hrfund.extensions import Model

#: The fiscal years the fund keeps books for (also a check constraint): core's years.
MIN_FISCAL_YEAR, MAX_FISCAL_YEAR = MIN_YEAR, MAX_YEAR

Yen = sa.BigInteger()
ForeignAmount = sa.Numeric(20, 4)
Rate = sa.Numeric(18, 6)


class Category(LabelledEnum):
    OUTGOING = "outgoing", _l("Outgoing (TMG staff abroad)")
    INCOMING = "incoming", _l("Incoming (partner-city staff in Tokyo)")
    TRAINING = "training", _l("Training")
    OPERATIONS = "operations", _l("Operations")


class EntryKind(LabelledEnum):
    CONTRIBUTION = "contribution", _l("Contribution")
    ALLOCATION = "allocation", _l("Allocation")
    COMMITMENT = "commitment", _l("Commitment")
    RELEASE = "release", _l("Release")
    DISBURSEMENT = "disbursement", _l("Disbursement")
    REVERSAL = "reversal", _l("Reversal")


class Purpose(LabelledEnum):
    PLACEMENT = "placement", _l("Placement")
    TRAINING = "training", _l("Training")
    OTHER = "other", _l("Other")


class FundAccount(Model):
    """The fund itself: one row, locked by every posting that moves unallocated money."""

    __tablename__ = "fund_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Bumped under the lock: on SQLite this write is what takes the database write lock.
    lock_version: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    # Running totals of the whole ledger, kept by the posting service in the transaction of
    # each entry (hrfund/fund/posting.py), so that no page sums the ledger to show them.
    contributed_jpy: Mapped[int] = mapped_column(Yen, default=0, server_default="0")
    allocated_jpy: Mapped[int] = mapped_column(Yen, default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<FundAccount {self.id}>"


class FiscalYear(Model):
    """A fiscal year the fund keeps books for; closed once its unused money went back."""

    __tablename__ = "fund_fiscal_years"
    __table_args__ = (
        sa.CheckConstraint(
            f"year between {MIN_FISCAL_YEAR} and {MAX_FISCAL_YEAR}", name="year_range"
        ),
        sa.CheckConstraint("(closed_at is null) = (closed_by_id is null)", name="closed_by"),
    )

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def __repr__(self) -> str:
        return f"<FiscalYear {self.year}{' closed' if self.is_closed else ''}>"


class BudgetLine(Model):
    """The money of one fiscal year for one category; locked while its figures change."""

    __tablename__ = "fund_budget_lines"
    __table_args__ = (sa.UniqueConstraint("fiscal_year", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(sa.ForeignKey("fund_fiscal_years.year"))
    category: Mapped[Category] = mapped_column(str_enum(Category, "fund_category"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The line's figures as sums of its entries, kept by the posting service under the line's
    # lock in the transaction of each entry (never stale; the ledger stays the record).
    allocated_jpy: Mapped[int] = mapped_column(Yen, default=0, server_default="0")
    committed_jpy: Mapped[int] = mapped_column(Yen, default=0, server_default="0")
    disbursed_jpy: Mapped[int] = mapped_column(Yen, default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<BudgetLine FY{self.fiscal_year} {self.category}>"


class LedgerEntry(Model):
    """One movement of money. Append-only: a correction is a reversal plus a new entry.

    Every amount is positive except a year-end return, an allocation of minus what a closed
    line did not use. A reversal copies the line, placement and amounts of the entry it
    reverses and counts them with the opposite sign; ``reversed_kind`` saves a join when summing.
    ``consumed_jpy`` is the part of a disbursement paid out of its placement's open commitment.
    """

    __tablename__ = "fund_entries"
    __table_args__ = (
        sa.CheckConstraint("amount_jpy <> 0", name="amount_not_zero"),
        sa.CheckConstraint("amount_jpy > 0 or kind = 'allocation'", name="amount_positive"),
        sa.CheckConstraint(
            "consumed_jpy >= 0 and (consumed_jpy = 0 or consumed_jpy <= amount_jpy)",
            name="consumed_within_amount",
        ),
        sa.CheckConstraint(
            "consumed_jpy = 0 or coalesce(reversed_kind, kind) = 'disbursement'",
            name="consumed_only_by_disbursement",
        ),
        sa.CheckConstraint(
            "(kind = 'reversal') = (reverses_id is not null)", name="reversal_names_entry"
        ),
        sa.CheckConstraint(
            "(reverses_id is null) = (reversed_kind is null)", name="reversed_kind_set"
        ),
        sa.CheckConstraint(
            "reversed_kind is null or reversed_kind <> 'reversal'", name="no_reversal_of_reversal"
        ),
        sa.CheckConstraint("(budget_line_id is null) = (category is null)", name="line_category"),
        sa.CheckConstraint(
            "budget_line_id is not null or coalesce(reversed_kind, kind) = 'contribution'",
            name="line_unless_contribution",
        ),
        sa.CheckConstraint(
            "coalesce(reversed_kind, kind) not in ('commitment', 'release') "
            "or placement_id is not null",
            name="commitment_has_placement",
        ),
        sa.CheckConstraint(
            "placement_id is null or purpose = 'placement'", name="placement_purpose"
        ),
        sa.CheckConstraint(
            "purpose is null or purpose <> 'placement' or placement_id is not null",
            name="purpose_names_placement",
        ),
        sa.CheckConstraint(
            "(amount is null) = (currency is null) and (amount is null) = (fx_rate is null)",
            name="foreign_complete",
        ),
        sa.CheckConstraint(
            "amount is null or (amount > 0 and fx_rate > 0 and currency <> 'JPY')",
            name="foreign_positive",
        ),
        sa.Index("ix_fund_entries_line_kind", "budget_line_id", "kind"),
        # the few reversals of contributions, for the year's contributions without a scan
        sa.Index("ix_fund_entries_reversed_kind", "reversed_kind"),
        # the HR dashboard's one read of a year's entries, from the index alone
        sa.Index(
            "ix_fund_entries_year_totals",
            "fiscal_year",
            "placement_id",
            "category",
            "kind",
            "reversed_kind",
            "booked_on",
            "amount_jpy",
            "consumed_jpy",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(index=True)
    budget_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund_budget_lines.id"))
    category: Mapped[Category | None] = mapped_column(str_enum(Category, "fund_category"))
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "fund_entry_kind"), index=True)
    reversed_kind: Mapped[EntryKind | None] = mapped_column(
        str_enum(EntryKind, "fund_reversed_kind")
    )
    amount_jpy: Mapped[int] = mapped_column(Yen)
    consumed_jpy: Mapped[int] = mapped_column(Yen, default=0, server_default="0")
    amount: Mapped[Decimal | None] = mapped_column(ForeignAmount)
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    fx_rate: Mapped[Decimal | None] = mapped_column(Rate)
    purpose: Mapped[Purpose | None] = mapped_column(str_enum(Purpose, "fund_purpose"))
    # A foreign key by table name: the fund never imports the placements above it.
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    booked_on: Mapped[date] = mapped_column(index=True)
    memo: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund_entries.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    budget_line: Mapped[BudgetLine | None] = so.relationship()
    created_by: Mapped[User | None] = so.relationship()
    reverses: Mapped[LedgerEntry | None] = so.relationship(remote_side=[id])

    @property
    def is_foreign(self) -> bool:
        return self.currency is not None

    def __repr__(self) -> str:
        return f"<LedgerEntry {self.id} {self.kind} ¥{self.amount_jpy}>"


class FxRate(Model):
    """Yen per unit of a foreign currency on a date, as recorded by HR."""

    __tablename__ = "fund_fx_rates"
    __table_args__ = (
        sa.UniqueConstraint("currency", "rate_on"),
        sa.CheckConstraint("jpy_per_unit > 0", name="rate_positive"),
        sa.CheckConstraint("length(currency) = 3 and currency <> 'JPY'", name="currency_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    rate_on: Mapped[date]
    jpy_per_unit: Mapped[Decimal] = mapped_column(Rate)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = so.relationship()

    def __repr__(self) -> str:
        return f"<FxRate {self.currency} {self.rate_on} {self.jpy_per_unit}>"


class PlacementTotal(Model):
    """A placement's open commitment and disbursed yen on one budget line: the sums of its
    entries there, kept by the posting service in the entry's transaction under the line's lock
    (``breakdown.add_entry``), so that the dashboard reads a year's placements, not its ledger."""

    __tablename__ = "fund_placement_totals"
    __table_args__ = (
        sa.UniqueConstraint("budget_line_id", "placement_id"),
        # the year's totals with their placement, from the index alone
        sa.Index(
            "ix_fund_placement_totals_year",
            "fiscal_year",
            "placement_id",
            "committed_jpy",
            "disbursed_jpy",
        ),
        # the year's totals by partner city (the dashboard), from the index alone
        sa.Index(
            "ix_fund_placement_totals_city",
            "fiscal_year",
            "city_id",
            "committed_jpy",
            "disbursed_jpy",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_line_id: Mapped[int] = mapped_column(sa.ForeignKey("fund_budget_lines.id"))
    fiscal_year: Mapped[int]
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    #: the placement's partner city (set when it is proposed, never changed)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("partner_cities.id"))
    committed_jpy: Mapped[int] = mapped_column(Yen, default=0, server_default="0")
    disbursed_jpy: Mapped[int] = mapped_column(Yen, default=0, server_default="0")


class MonthPayment(Model):
    """Payments (disbursements as booked, not their reversals) on one budget line booked in one
    calendar month of its fiscal year, kept like ``PlacementTotal``."""

    __tablename__ = "fund_month_payments"
    __table_args__ = (
        sa.UniqueConstraint("budget_line_id", "month"),
        sa.CheckConstraint("month between 1 and 12", name="calendar_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_line_id: Mapped[int] = mapped_column(sa.ForeignKey("fund_budget_lines.id"))
    fiscal_year: Mapped[int] = mapped_column(index=True)
    category: Mapped[Category] = mapped_column(str_enum(Category, "fund_category"))
    month: Mapped[int]
    paid_jpy: Mapped[int] = mapped_column(Yen, default=0, server_default="0")
