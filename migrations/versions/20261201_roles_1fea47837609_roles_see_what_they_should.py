"""Every role sees what it should: HR's rejection of a language score or training record (with
its reason and notice rule), what a host needs in a nomination (CV, purpose and area, preferred
host department, language ability), and the scheduler's heartbeat (job_runs).

Revision ID: 1fea47837609
Revises: 7d3e9a1c4b2f
Create Date: 2026-12-01 22:40:00

"""
import sqlalchemy as sa
from alembic import op

import hrfund.core.db

# revision identifiers, used by Alembic.
revision = "1fea47837609"
down_revision = "7d3e9a1c4b2f"
branch_labels = None
depends_on = None

REJECTABLE = ("training_records", "language_scores")
NOTICE_KIND = "record_rejected"


def upgrade():
    for table in REJECTABLE:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("rejected_at", hrfund.core.db.UTCDateTime(timezone=True), nullable=True)
            )
            batch.add_column(sa.Column("rejected_by_id", sa.Integer(), nullable=True))
            batch.add_column(
                sa.Column("rejection_reason", sa.Text(), server_default="", nullable=False)
            )
            batch.create_foreign_key(
                op.f(f"fk_{table}_rejected_by_id_users"), "users", ["rejected_by_id"], ["id"]
            )
            batch.create_check_constraint(
                op.f(f"ck_{table}_not_both_verdicts"), "not (verified and rejected_at is not null)"
            )
    with op.batch_alter_table("nominations") as batch:
        batch.add_column(sa.Column("purpose", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("cooperation_area", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("preferred_department_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("language_ability", sa.String(length=500), server_default="", nullable=False)
        )
        batch.add_column(sa.Column("cv_file_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_nominations_preferred_department_id_departments"),
            "departments",
            ["preferred_department_id"],
            ["id"],
        )
        batch.create_foreign_key(
            op.f("fk_nominations_cv_file_id_stored_files"), "stored_files", ["cv_file_id"], ["id"]
        )
    op.create_table(
        "job_runs",
        sa.Column("job_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", hrfund.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", hrfund.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_ok_at", hrfund.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_run_at", hrfund.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), server_default="", nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("host", sa.String(length=128), server_default="", nullable=False),
        sa.CheckConstraint("status in ('running', 'ok', 'failed')", name=op.f("ck_job_runs_status")),
        sa.CheckConstraint(
            "consecutive_failures >= 0", name=op.f("ck_job_runs_failures_nonnegative")
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_job_runs")),
    )
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
    ids = sa.select(rules.c.id).where(rules.c.code == f"notice_{NOTICE_KIND}")
    deliveries = sa.table("reminder_deliveries", sa.column("rule_id", sa.Integer))
    op.execute(sa.delete(deliveries).where(deliveries.c.rule_id.in_(ids)))
    op.execute(sa.delete(rules).where(rules.c.code == f"notice_{NOTICE_KIND}"))
    op.drop_table("job_runs")
    with op.batch_alter_table("nominations") as batch:
        batch.drop_constraint(op.f("fk_nominations_cv_file_id_stored_files"), type_="foreignkey")
        batch.drop_constraint(
            op.f("fk_nominations_preferred_department_id_departments"), type_="foreignkey"
        )
        batch.drop_column("cv_file_id")
        batch.drop_column("language_ability")
        batch.drop_column("preferred_department_id")
        batch.drop_column("cooperation_area")
        batch.drop_column("purpose")
    for table in REJECTABLE:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_not_both_verdicts"), type_="check")
            batch.drop_constraint(op.f(f"fk_{table}_rejected_by_id_users"), type_="foreignkey")
            batch.drop_column("rejection_reason")
            batch.drop_column("rejected_by_id")
            batch.drop_column("rejected_at")
