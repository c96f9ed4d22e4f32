"""Reminder deliveries by rule and date, and the holders of a role (issue 16).

The watchers now leave out in SQL what was sent already (an anti-join on the deliveries' unique
key), so a dispatch with nothing new due reads nothing; what it reports as "already sent" is
counted by rule over the dates due now, which ``ix_reminder_deliveries_rule_due`` answers with
one range per rule (the unique key begins with the subject, and a rule's deliveries of all time
would be read otherwise). ``ix_user_roles_role_user``: the audiences HR and coordinators are
the holders of a role, which the primary key (user, role) could only find by reading every
user's roles (200,000 at full, twice a dispatch and once per HR reminder's subject). Indexes
only: nothing to backfill.

Revision ID: 9c3d1e5f7a20
Revises: 9c1e2f3a4b50
Create Date: 2026-12-03 15:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "9c3d1e5f7a20"
down_revision = "9c1e2f3a4b50"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_reminder_deliveries_rule_due", "reminder_deliveries", ["rule_id", "due_on"])
    op.create_index("ix_user_roles_role_user", "user_roles", ["role", "user_id"])


def downgrade():
    op.drop_index("ix_user_roles_role_user", table_name="user_roles")
    op.drop_index("ix_reminder_deliveries_rule_due", table_name="reminder_deliveries")
