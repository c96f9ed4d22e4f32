"""The fund's placement totals carry the placement's partner city (issue 16).

The HR dashboard sums the year's open commitments and payments by city. With the city only on
the placement, PostgreSQL joined the year's ~1,700 summary rows to all 20,000 placements on
every view (about 2.5 ms of the page's 10 ms of SQL at full size); with it on the row, the sum
is one range of ``ix_fund_placement_totals_city``. A placement's city is set when it is
proposed and never changes, so the copy cannot go stale.

The rows are set again from the ledger (``hrfund.fund.breakdown.recompute``), which also fills
them for a database that comes from before 6a2b3c4d5e7f.

Revision ID: 9d4a7c2e1b60
Revises: 9c3d1e5f7a20
Create Date: 2026-12-06 02:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9d4a7c2e1b60"
down_revision = "9c3d1e5f7a20"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM fund_placement_totals")  # set again below, with the cities
    with op.batch_alter_table("fund_placement_totals") as batch:
        batch.add_column(sa.Column("city_id", sa.Integer(), nullable=False))
        batch.create_foreign_key(
            "fk_fund_placement_totals_city_id_partner_cities", "partner_cities", ["city_id"], ["id"]
        )
    op.create_index(
        "ix_fund_placement_totals_city",
        "fund_placement_totals",
        ["fiscal_year", "city_id", "committed_jpy", "disbursed_jpy"],
    )
    from hrfund.fund.breakdown import recompute

    recompute(op.get_bind())


def downgrade():
    op.drop_index("ix_fund_placement_totals_city", table_name="fund_placement_totals")
    with op.batch_alter_table("fund_placement_totals") as batch:
        batch.drop_constraint("fk_fund_placement_totals_city_id_partner_cities", type_="foreignkey")
        batch.drop_column("city_id")
