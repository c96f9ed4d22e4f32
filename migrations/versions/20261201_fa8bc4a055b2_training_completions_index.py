"""Index training completions by status and date: the dashboards and the fiscal-year report sum
the year's completed records (2,000,000 rows at the TMG's size).

Revision ID: fa8bc4a055b2
Revises: 148adc9f22d4
Create Date: 2026-12-01 12:05:37.859148

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "fa8bc4a055b2"
down_revision = "148adc9f22d4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_training_records_status_completed", "training_records", ["status", "completed_on"]
    )


def downgrade():
    op.drop_index("ix_training_records_status_completed", table_name="training_records")
