"""One comment per form sent: a one-time token on each comment form.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from portal.migration_safety import check_downgrade

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_token", sa.String(length=32), nullable=True))
        batch_op.create_index(
            "ix_comments_author_form_token", ["author_id", "form_token"], unique=True
        )


def downgrade():
    check_downgrade(revision)
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_author_form_token")
        batch_op.drop_column("form_token")
