"""Refuse TRUNCATE of the audit log and the ledger (PostgreSQL only).

The row triggers of the earlier migrations refuse UPDATE and DELETE, but TRUNCATE fires no row
trigger: a statement-level BEFORE TRUNCATE trigger refuses it, for the owner role too. (SQLite
has no TRUNCATE; its DELETE is already refused row by row.)

Revision ID: 7d3e9a1c4b2f
Revises: b7d4e2a91c05
Create Date: 2026-12-01 19:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "7d3e9a1c4b2f"
down_revision = "b7d4e2a91c05"
branch_labels = None
depends_on = None

TABLES = ("audit_events", "fund_entries")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # the same function as the row triggers' (create_append_only_triggers); TG_OP names TRUNCATE
    op.execute("""
        CREATE OR REPLACE FUNCTION hrfund_refuse_change() RETURNS trigger AS $$
        BEGIN
          RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'restrict_violation';
        END;
        $$ LANGUAGE plpgsql
    """)
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION hrfund_refuse_change()"
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
