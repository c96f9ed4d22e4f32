"""Tell the administrators when failed logins lock an account: the notice rule of
``account_locked`` (in the app and by e-mail, as every notice).

Revision ID: 5c1d2e3f4a6b
Revises: 5b1f0c7e2a94
Create Date: 2026-12-02 04:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5c1d2e3f4a6b"
down_revision = "5b1f0c7e2a94"
branch_labels = None
depends_on = None

NOTICE_KIND = "account_locked"


def upgrade():
    rules = sa.table(
        "reminder_rules", sa.column("code", sa.String), sa.column("kind", sa.String),
        sa.column("offset_days", sa.Integer), sa.column("audience", sa.String),
        sa.column("channels", sa.String), sa.column("enabled", sa.Boolean),
    )
    op.bulk_insert(rules, [
        {"code": f"notice_{NOTICE_KIND}", "kind": NOTICE_KIND, "offset_days": 0,
         "audience": "person", "channels": "email,in_app", "enabled": True}
    ])


def downgrade():
    rules = sa.table("reminder_rules", sa.column("id", sa.Integer), sa.column("code", sa.String))
    deliveries = sa.table(
        "reminder_deliveries", sa.column("id", sa.Integer), sa.column("rule_id", sa.Integer)
    )
    notifications = sa.table("notifications", sa.column("delivery_id", sa.Integer))
    rule_ids = sa.select(rules.c.id).where(rules.c.code == f"notice_{NOTICE_KIND}")
    delivery_ids = sa.select(deliveries.c.id).where(deliveries.c.rule_id.in_(rule_ids))
    op.execute(sa.delete(notifications).where(notifications.c.delivery_id.in_(delivery_ids)))
    op.execute(sa.delete(deliveries).where(deliveries.c.rule_id.in_(rule_ids)))
    op.execute(sa.delete(rules).where(rules.c.code == f"notice_{NOTICE_KIND}"))
