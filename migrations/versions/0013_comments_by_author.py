"""An index of each member's comments by status and time: profiles and the same-words check.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

from portal.migration_safety import check_downgrade

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_comments_author_status_created", "comments", ["author_id", "status", "created_at"]
    )


def downgrade():
    check_downgrade(revision)
    op.drop_index("ix_comments_author_status_created", table_name="comments")
