"""The HR dashboard's breakdown of a year's ledger, kept as summary rows (issue 16).

``fund_placement_totals`` (per budget line and placement: open commitment, disbursed) and
``fund_month_payments`` (per budget line and calendar month: payments as booked), kept from now
on by the posting service in each entry's transaction under the line's lock. They are filled
from the ledger as it stands (``hrfund.fund.breakdown.recompute``, the same sums the tests
compare the rows with) by 9d4a7c2e1b60, which adds the placements' cities to them.

Revision ID: 6a2b3c4d5e7f
Revises: 7d2a9c4e1f30
Create Date: 2026-12-02 13:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6a2b3c4d5e7f"
down_revision = "7d2a9c4e1f30"
branch_labels = None
depends_on = None

CATEGORIES = ("outgoing", "incoming", "training", "operations")


def _yen(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), nullable=False, server_default="0")


def upgrade():
    op.create_table(
        "fund_placement_totals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "budget_line_id", sa.Integer(), sa.ForeignKey("fund_budget_lines.id"), nullable=False
        ),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), sa.ForeignKey("placements.id"), nullable=False),
        _yen("committed_jpy"),
        _yen("disbursed_jpy"),
        sa.UniqueConstraint("budget_line_id", "placement_id"),
    )
    op.create_index(
        "ix_fund_placement_totals_year",
        "fund_placement_totals",
        ["fiscal_year", "placement_id", "committed_jpy", "disbursed_jpy"],
    )
    op.create_index(
        "ix_fund_placement_totals_placement_id", "fund_placement_totals", ["placement_id"]
    )
    op.create_table(
        "fund_month_payments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "budget_line_id", sa.Integer(), sa.ForeignKey("fund_budget_lines.id"), nullable=False
        ),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                *CATEGORIES,
                name="fund_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("month", sa.Integer(), nullable=False),
        _yen("paid_jpy"),
        sa.UniqueConstraint("budget_line_id", "month"),
        sa.CheckConstraint("month between 1 and 12", name="calendar_month"),
    )
    op.create_index("ix_fund_month_payments_fiscal_year", "fund_month_payments", ["fiscal_year"])
    # Filled from the ledger by 9d4a7c2e1b60, which adds the placements' cities to the rows:
    # ``recompute`` writes the columns of today's model, which this revision does not have yet.


def downgrade():
    op.drop_table("fund_month_payments")
    op.drop_table("fund_placement_totals")
