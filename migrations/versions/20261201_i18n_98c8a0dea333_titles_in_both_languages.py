"""Calls get a Japanese and an English title; notifications keep their text in each language.

A call's one ``title`` had to be written in both languages by hand ("2027年度 … / … FY2027");
``title_ja`` and ``title_en`` start as copies of it. A notification was written once, in its
recipient's language of that moment; ``texts`` holds it in every language, so that it is read in
the reader's language of now. Existing notifications have none and show their one text.

Revision ID: 98c8a0dea333
Revises: 3e76eb186f04
Create Date: 2026-12-01 23:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "98c8a0dea333"
down_revision = "3e76eb186f04"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("title_ja", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("title_en", sa.String(200), nullable=False, server_default=""))
    op.execute("UPDATE calls SET title_ja = title, title_en = title")
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("texts", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("texts")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("title_en")
        batch.drop_column("title_ja")
