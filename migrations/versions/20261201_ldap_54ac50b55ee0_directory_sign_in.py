"""Directory sign-in: where each account comes from (local or the directory), its directory id,
and run-time settings an administrator changes (local passwords for directory users).

Every existing account is local.

Revision ID: 54ac50b55ee0
Revises: 1fea47837609
Create Date: 2026-12-01 22:45:00

"""

import sqlalchemy as sa
from alembic import op

import hrfund.core.db

# revision identifiers, used by Alembic.
revision = "54ac50b55ee0"
down_revision = "1fea47837609"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE, also on SQLite: a batch copy of "users" would lose its expression index.
    # SQLite cannot add a CHECK constraint to a table in place; PostgreSQL gets it.
    op.add_column(
        "users",
        sa.Column("auth_source", sa.String(length=16), server_default="local", nullable=False),
    )
    op.add_column("users", sa.Column("directory_uid", sa.String(length=254), nullable=True))
    op.add_column(
        "users",
        sa.Column("directory_synced_at", hrfund.core.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("uq_users_directory_uid", "users", ["directory_uid"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint(
            op.f("ck_users_auth_source"), "users", "auth_source in ('local', 'directory')"
        )
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("updated_at", hrfund.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_app_settings_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_settings")),
    )


def downgrade():
    op.drop_table("app_settings")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_users_auth_source"), "users", type_="check")
    op.drop_index("uq_users_directory_uid", table_name="users")
    # SQLite 3.35+ drops a column in place (no batch copy, see upgrade).
    op.drop_column("users", "directory_synced_at")
    op.drop_column("users", "directory_uid")
    op.drop_column("users", "auth_source")
