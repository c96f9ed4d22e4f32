"""Event notices: one row per workflow event that told people (the unique part of each
notice's delivery key), the e-mail preference of each user per kind, and one reminder rule per
kind (its on/off switch and channels for HR; deliveries reference it like any reminder's).

Revision ID: 7e3b9c2d4f10
Revises: b7e4c2a91d05
Create Date: 2026-12-01 19:50:00

"""
from alembic import op
import sqlalchemy as sa

import hrfund.core.db

# revision identifiers, used by Alembic.
revision = "7e3b9c2d4f10"
down_revision = "b7e4c2a91d05"
branch_labels = None
depends_on = None

#: kind → the audience the rules page shows (the notice itself resolves its recipients).
NOTICE_RULES = [
    ("application_submitted", "manager"),
    ("application_endorsed", "hr"),
    ("application_declined", "person"),
    ("application_returned", "person"),
    ("application_approved", "person"),
    ("application_rejected", "person"),
    ("placement_waiting", "coordinator"),
    ("placement_confirmed", "hr"),
    ("placement_declined", "hr"),
    ("nomination_made", "hr"),
    ("nomination_accepted", "coordinator"),
    ("nomination_rejected", "coordinator"),
    ("report_submitted", "hr"),
    ("report_acknowledged", "person"),
    ("delegation_started", "person"),
]


def upgrade():
    op.create_table(
        "notice_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", hrfund.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_notice_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_events")),
    )
    op.create_table(
        "notice_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("email", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_at", hrfund.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notice_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notice_preferences")),
    )
    rules = sa.table(
        "reminder_rules", sa.column("code", sa.String), sa.column("kind", sa.String),
        sa.column("offset_days", sa.Integer), sa.column("audience", sa.String),
        sa.column("channels", sa.String), sa.column("enabled", sa.Boolean),
    )
    op.bulk_insert(rules, [
        {"code": f"notice_{kind}", "kind": kind, "offset_days": 0, "audience": audience,
         "channels": "email,in_app", "enabled": True}
        for kind, audience in NOTICE_RULES
    ])


def downgrade():
    rules = sa.table("reminder_rules", sa.column("id", sa.Integer), sa.column("code", sa.String))
    codes = [f"notice_{kind}" for kind, _audience in NOTICE_RULES]
    ids = sa.select(rules.c.id).where(rules.c.code.in_(codes))
    deliveries = sa.table("reminder_deliveries", sa.column("rule_id", sa.Integer))
    op.execute(sa.delete(deliveries).where(deliveries.c.rule_id.in_(ids)))
    op.execute(sa.delete(rules).where(rules.c.code.in_(codes)))
    op.drop_table("notice_preferences")
    op.drop_table("notice_events")
