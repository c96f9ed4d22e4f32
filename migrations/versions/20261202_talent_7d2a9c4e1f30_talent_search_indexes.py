"""Indexes that drive the talent search from the matching scores and records (issue 16).

The search intersects the user ids of valid scores and of completed programs and reads only
those users; these indexes give the ids from the index alone. On PostgreSQL they carry the
columns of the remaining filters (INCLUDE); SQLite has the keys and the same WHERE.

On PostgreSQL, trigram indexes on the kana names too: ``user_search`` matches them, and one
column of its OR without an index made every free-text search (the talent pool's ``q``, the HR
and admin lists) read all 200,000 users (about 0.5 s; with them, a few ms).

Revision ID: 7d2a9c4e1f30
Revises: 5c1d2e3f4a6b
Create Date: 2026-12-02 13:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7d2a9c4e1f30"
down_revision = "5c1d2e3f4a6b"
branch_labels = None
depends_on = None

RECORDS = "status = 'completed' AND rejected_at IS NULL"
SCORES = "rejected_at IS NULL"
KANA = ("family_name_kana", "given_name_kana")


def upgrade():
    op.create_index(
        "ix_training_records_talent",
        "training_records",
        ["program_id", "user_id"],
        postgresql_include=["verified", "hours"],
        sqlite_where=sa.text(RECORDS),
        postgresql_where=sa.text(RECORDS),
    )
    op.create_index(
        "ix_language_scores_talent",
        "language_scores",
        ["test", "score", "user_id"],
        postgresql_include=["taken_on", "expires_on", "verified"],
        sqlite_where=sa.text(SCORES),
        postgresql_where=sa.text(SCORES),
    )
    if op.get_bind().dialect.name == "postgresql":
        for column in KANA:
            op.create_index(
                f"ix_users_{column}_trgm",
                "users",
                [column],
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for column in KANA:
            op.drop_index(f"ix_users_{column}_trgm", table_name="users")
    op.drop_index("ix_language_scores_talent", table_name="language_scores")
    op.drop_index("ix_training_records_talent", table_name="training_records")
