"""The HR dashboard's training figures, kept as summary rows, and three indexes that let its
placement figures be read from an index alone (issue 16).

``training_hours_totals`` (per fiscal year and program: the completed records' own hours, and
how many take the program's hours) and ``language_level_counts`` (per test with CEFR bands,
band, day taken and last day valid: the verified, not rejected scores), kept from now on in the
transaction of every change (``hrfund.training.summaries``). The upgrade fills them from the
records and scores as they stand (``summaries.recompute``, the same sums the tests compare the
rows with). The indexes: exchanges by year, status, city and direction; each placement's city
(the year's ledger by city); the open milestones by placement and due date (a tenth of them).

Revision ID: 9c5d6e7f8a21
Revises: 8b4c5d6e7f10
Create Date: 2026-12-03 15:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9c5d6e7f8a21"
down_revision = "8b4c5d6e7f10"
branch_labels = None
depends_on = None

TESTS = ("toeic", "ielts", "toefl_ibt", "hsk", "topik", "delf_dalf", "goethe", "other")


def upgrade():
    op.create_table(
        "training_hours_totals",
        sa.Column("fiscal_year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column(
            "program_id",
            sa.Integer(),
            sa.ForeignKey("training_programs.id"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("own_hours", sa.Numeric(14, 1), nullable=False, server_default="0"),
        sa.Column("without_hours", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "language_level_counts",
        sa.Column(
            "test",
            sa.Enum(
                *TESTS, name="language_test", native_enum=False, create_constraint=True, length=32
            ),
            primary_key=True,
        ),
        sa.Column("band", sa.String(2), primary_key=True),
        sa.Column("taken_on", sa.Date(), primary_key=True),
        sa.Column("valid_until", sa.Date(), primary_key=True),
        sa.Column("scores", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index(
        "ix_language_level_counts_valid",
        "language_level_counts",
        ["valid_until", "taken_on", "test", "band", "scores"],
    )
    op.create_index(
        "ix_placements_year_counted",
        "placements",
        ["fiscal_year", "status", "city_id", "direction"],
    )
    op.create_index("ix_placements_id_city", "placements", ["id", "city_id"])
    op.create_index(
        "ix_milestones_open_placement",
        "milestones",
        ["placement_id", "due_on"],
        sqlite_where=sa.text("done_at IS NULL"),
        postgresql_where=sa.text("done_at IS NULL"),
    )
    from hrfund.training.summaries import recompute

    recompute(op.get_bind())


def downgrade():
    op.drop_index("ix_milestones_open_placement", table_name="milestones")
    op.drop_index("ix_placements_id_city", table_name="placements")
    op.drop_index("ix_placements_year_counted", table_name="placements")
    op.drop_index("ix_language_level_counts_valid", table_name="language_level_counts")
    op.drop_table("language_level_counts")
    op.drop_table("training_hours_totals")
