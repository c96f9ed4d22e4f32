"""Talent search: valid scores by expiry, and each person's completed records (issue 16).

``ix_language_scores_talent`` (test, score, ...) read every score of a test above the minimum,
expired or not, and filtered: for IELTS 6.5 or more, 44,000 entries to keep 5,600. Its
replacement ``ix_language_scores_expiry`` is keyed (test, expires_on, score, user_id): the
search reads two ranges of it, expiring on the day or later and never expiring, which are the
valid scores only.

``ix_training_records_talent_user`` (user_id, program_id, with verified and hours on
PostgreSQL) over the records that count: the hours filter sums each remaining person's records
from it instead of grouping every completed record of the TMG (about 2 s at full size); and
``ix_users_name_order``: searched on hours alone, the page reads people in name order and stops
at its last one instead of summing everyone's hours and sorting 200,000 people.

Revision ID: 9c1e2f3a4b50
Revises: 9c5d6e7f8a21
Create Date: 2026-12-03 15:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9c1e2f3a4b50"
down_revision = "9c5d6e7f8a21"
branch_labels = None
depends_on = None

RECORDS = "status = 'completed' AND rejected_at IS NULL"
SCORES = "rejected_at IS NULL"


def upgrade():
    op.drop_index("ix_language_scores_talent", table_name="language_scores")
    op.create_index(
        "ix_language_scores_expiry",
        "language_scores",
        ["test", "expires_on", "score", "user_id"],
        postgresql_include=["taken_on", "verified"],
        sqlite_where=sa.text(SCORES),
        postgresql_where=sa.text(SCORES),
    )
    op.create_index(
        "ix_training_records_talent_user",
        "training_records",
        ["user_id", "program_id"],
        postgresql_include=["verified", "hours"],
        sqlite_where=sa.text(RECORDS),
        postgresql_where=sa.text(RECORDS),
    )
    op.create_index(
        "ix_users_name_order", "users", ["family_name_romaji", "given_name_romaji", "id"]
    )


def downgrade():
    op.drop_index("ix_users_name_order", table_name="users")
    op.drop_index("ix_training_records_talent_user", table_name="training_records")
    op.drop_index("ix_language_scores_expiry", table_name="language_scores")
    op.create_index(
        "ix_language_scores_talent",
        "language_scores",
        ["test", "score", "user_id"],
        postgresql_include=["taken_on", "expires_on", "verified"],
        sqlite_where=sa.text(SCORES),
        postgresql_where=sa.text(SCORES),
    )
