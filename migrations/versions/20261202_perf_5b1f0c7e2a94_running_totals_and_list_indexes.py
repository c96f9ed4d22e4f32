"""Running totals of the fund on its budget lines and its row, and indexes that serve the key
lists at the TMG's scale (issue 16).

``fund_budget_lines`` gets ``allocated_jpy``, ``committed_jpy`` and ``disbursed_jpy``, and
``fund_accounts`` ``contributed_jpy`` and ``allocated_jpy``: the sums of the ledger as DESIGN.md
defines them, kept from now on by the posting service in the transaction of each entry (under
the row's lock), so that the overview, the API summary and the dashboards read a row instead of
summing a million entries. The upgrade sets them from the ledger as it stands.

Revision ID: 5b1f0c7e2a94
Revises: 98c8a0dea333
Create Date: 2026-12-02 04:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b1f0c7e2a94"
down_revision = "98c8a0dea333"
branch_labels = None
depends_on = None

EFFECTIVE = "coalesce(reversed_kind, kind)"


def _signed(column: str) -> str:
    return f"CASE WHEN kind = 'reversal' THEN -{column} ELSE {column} END"


def _sum(*cases: str) -> str:
    return f"coalesce(sum(CASE {' '.join(cases)} ELSE 0 END), 0)"


ALLOCATED = _sum(f"WHEN {EFFECTIVE} = 'allocation' THEN {_signed('amount_jpy')}")
COMMITTED = _sum(
    f"WHEN {EFFECTIVE} = 'commitment' THEN {_signed('amount_jpy')}",
    f"WHEN {EFFECTIVE} = 'release' THEN -({_signed('amount_jpy')})",
    f"WHEN {EFFECTIVE} = 'disbursement' THEN -({_signed('consumed_jpy')})",
)
DISBURSED = _sum(f"WHEN {EFFECTIVE} = 'disbursement' THEN {_signed('amount_jpy')}")
CONTRIBUTED = _sum(f"WHEN {EFFECTIVE} = 'contribution' THEN {_signed('amount_jpy')}")

TOTALS = {
    "fund_budget_lines": ("allocated_jpy", "committed_jpy", "disbursed_jpy"),
    "fund_accounts": ("contributed_jpy", "allocated_jpy"),
}

INDEXES = (
    # the year's contributions: the few contributions and their reversals
    ("ix_fund_entries_reversed_kind", "fund_entries", ["reversed_kind"]),
    # HR's applications list, newest first, its page's keys from the index alone
    ("ix_applications_updated_id", "applications", ["updated_at", "id", "status", "applicant_id"]),
    # the HR dashboard's one read of a year's ledger entries, from the index alone
    (
        "ix_fund_entries_year_totals",
        "fund_entries",
        [
            "fiscal_year",
            "placement_id",
            "category",
            "kind",
            "reversed_kind",
            "booked_on",
            "amount_jpy",
            "consumed_jpy",
        ],
    ),
)
#: verified, not rejected scores of a test (the talent search, the dashboard's levels)
VALID_SCORES = "verified AND rejected_at IS NULL"
#: the year's completed training records with their program and hours, from the index alone
COMPLETED = "ix_training_records_status_completed"


def upgrade():
    for table, columns in TOTALS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.add_column(
                    sa.Column(column, sa.BigInteger(), nullable=False, server_default="0")
                )
    line = "FROM fund_entries WHERE fund_entries.budget_line_id = fund_budget_lines.id"
    op.execute(
        "UPDATE fund_budget_lines SET "
        f"allocated_jpy = (SELECT {ALLOCATED} {line}), "
        f"committed_jpy = (SELECT {COMMITTED} {line}), "
        f"disbursed_jpy = (SELECT {DISBURSED} {line})"
    )
    op.execute(
        "UPDATE fund_accounts SET "
        f"contributed_jpy = (SELECT {CONTRIBUTED} FROM fund_entries), "
        f"allocated_jpy = (SELECT {ALLOCATED} FROM fund_entries)"
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.create_index(
        "ix_language_scores_valid",
        "language_scores",
        ["test", "score", "user_id"],
        sqlite_where=sa.text(VALID_SCORES),
        postgresql_where=sa.text(VALID_SCORES),
    )
    op.drop_index(COMPLETED, table_name="training_records")
    op.create_index(
        COMPLETED, "training_records", ["status", "completed_on", "program_id", "hours"]
    )


def downgrade():
    op.drop_index(COMPLETED, table_name="training_records")
    op.create_index(COMPLETED, "training_records", ["status", "completed_on"])
    op.drop_index("ix_language_scores_valid", table_name="language_scores")
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    for table, columns in TOTALS.items():
        # ALTER TABLE … DROP COLUMN on SQLite too (3.35+): recreating the table would delete
        # its rows, which the ledger's foreign keys refuse
        with op.batch_alter_table(table, recreate="never") as batch:
            for column in reversed(columns):
                batch.drop_column(column)
