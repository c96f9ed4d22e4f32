"""Login lockout with backoff (failures forgotten after a while, names without an account
counted too) and server-side sessions bound to the browser's User-Agent.

Sessions opened before this revision have no User-Agent hash: they end, and their users log in
again once.

Revision ID: b7e4c2a91d05
Revises: 5c2e7d1a9b3f
Create Date: 2026-12-01 19:50:00

"""
import sqlalchemy as sa
from alembic import op

import hrfund.core.db

# revision identifiers, used by Alembic.
revision = "b7e4c2a91d05"
down_revision = "5c2e7d1a9b3f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_throttles",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "last_failed_login_at", hrfund.core.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("locked_until", hrfund.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "failed_logins >= 0", name=op.f("ck_login_throttles_failed_logins_nonnegative")
        ),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_login_throttles")),
    )
    op.create_index(
        op.f("ix_login_throttles_last_failed_login_at"),
        "login_throttles",
        ["last_failed_login_at"],
    )
    # Plain ALTER TABLE, also on SQLite: a batch copy of "users" would lose its expression index.
    op.add_column(
        "users",
        sa.Column("last_failed_login_at", hrfund.core.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column("user_sessions", sa.Column("user_agent_hash", sa.String(length=64)))


def downgrade():
    # SQLite 3.35+ drops a column in place (no batch copy, see upgrade).
    op.drop_column("user_sessions", "user_agent_hash")
    op.drop_column("users", "last_failed_login_at")
    op.drop_index(op.f("ix_login_throttles_last_failed_login_at"), table_name="login_throttles")
    op.drop_table("login_throttles")
