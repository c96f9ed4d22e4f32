"""A training import's step resumes at the byte where the last one stopped (issue 16).

Revision ID: 7a3e9c1d5b20
Revises: 6a2b3c4d5e7f
"""

import sqlalchemy as sa
from alembic import op

revision = "7a3e9c1d5b20"
down_revision = "6a2b3c4d5e7f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("training_import_batches") as batch:
        batch.add_column(sa.Column("resume_offset", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("resume_line", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("training_import_batches") as batch:
        batch.drop_column("resume_line")
        batch.drop_column("resume_offset")
