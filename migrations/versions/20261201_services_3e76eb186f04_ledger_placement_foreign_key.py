"""The ledger's placement_id names a placement that exists: a foreign key to placements.

Placements sit above the fund, so the fund's first migration left the key out. On SQLite the
table is rebuilt (batch mode), which drops its append-only triggers: they are created again.
On PostgreSQL the key is added NOT VALID, then validated, so that existing rows are checked
without holding the strongest lock for the whole check.

Revision ID: 3e76eb186f04
Revises: 54ac50b55ee0
Create Date: 2026-12-01 23:10:00

"""
from alembic import op

from hrfund.core.append_only import create_append_only_triggers, drop_append_only_triggers

# revision identifiers, used by Alembic.
revision = "3e76eb186f04"
down_revision = "54ac50b55ee0"
branch_labels = None
depends_on = None

NAME = "fk_fund_entries_placement_id_placements"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        drop_append_only_triggers(op, "fund_entries")
        with op.batch_alter_table("fund_entries", recreate="always") as batch_op:
            batch_op.create_foreign_key(NAME, "placements", ["placement_id"], ["id"])
        create_append_only_triggers(op, "fund_entries")
        return
    op.execute(
        f"ALTER TABLE fund_entries ADD CONSTRAINT {NAME} FOREIGN KEY (placement_id) "
        "REFERENCES placements (id) NOT VALID"
    )
    op.execute(f"ALTER TABLE fund_entries VALIDATE CONSTRAINT {NAME}")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        drop_append_only_triggers(op, "fund_entries")
        with op.batch_alter_table("fund_entries", recreate="always") as batch_op:
            batch_op.drop_constraint(NAME, type_="foreignkey")
        create_append_only_triggers(op, "fund_entries")
        return
    op.drop_constraint(NAME, "fund_entries", type_="foreignkey")
