"""The HR dashboard's language levels from an index alone (issue 16).

The dashboard counts valid scores (verified, not rejected, taken and not yet expired) of the
commonest tests by band. ``ix_language_scores_levels`` holds exactly those rows (the predicate of
``ix_language_scores_valid``, which the query now states in full: a verified score is never
rejected, ``not_both_verdicts``) by test and expiry (the query reads two ranges of it: expiring
today or later, never expiring), with score and date taken, so PostgreSQL reads it index-only
instead of a bitmap heap scan of every verified score.

Revision ID: 8b4c5d6e7f10
Revises: 7a3e9c1d5b20
Create Date: 2026-12-02 14:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8b4c5d6e7f10"
down_revision = "7a3e9c1d5b20"
branch_labels = None
depends_on = None

VALID_SCORES = "verified AND rejected_at IS NULL"


def upgrade():
    op.create_index(
        "ix_language_scores_levels",
        "language_scores",
        ["test", "expires_on", "score", "taken_on"],
        sqlite_where=sa.text(VALID_SCORES),
        postgresql_where=sa.text(VALID_SCORES),
    )


def downgrade():
    op.drop_index("ix_language_scores_levels", table_name="language_scores")
