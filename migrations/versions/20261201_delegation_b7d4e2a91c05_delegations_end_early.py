"""Delegations can be ended early: when and by whom (the deputy's powers end at once).

Revision ID: b7d4e2a91c05
Revises: 7e3b9c2d4f10
Create Date: 2026-12-01 19:40:00

"""
import sqlalchemy as sa
from alembic import op

import hrfund.core.db

# revision identifiers, used by Alembic.
revision = "b7d4e2a91c05"
down_revision = "7e3b9c2d4f10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("delegations") as batch:
        batch.add_column(
            sa.Column("ended_at", hrfund.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("ended_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_delegations_ended_by_id_users"), "users", ["ended_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("delegations") as batch:
        batch.drop_constraint(op.f("fk_delegations_ended_by_id_users"), type_="foreignkey")
        batch.drop_column("ended_by_id")
        batch.drop_column("ended_at")
