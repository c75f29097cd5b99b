"""Indexes that keep the moderation queue and profiles bounded as the site grows.

The queue's first page read every held comment to put crisis holds first; a clinician's
profile read every answer they wrote for their most helpful few, and each reply's row for
its count. With these, each reads only as far as it shows (issue 19, ten times the data).

Revision ID: 0015
Revises: 0014
"""

from alembic import op

from portal.migration_safety import check_downgrade

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_AUTHOR = "ix_comments_author_status_created"


def upgrade():
    op.drop_index(_AUTHOR, table_name="comments")
    op.create_index(
        _AUTHOR, "comments", ["author_id", "status", "created_at", "parent_id", "post_id"]
    )
    op.create_index(
        "ix_comments_status_urgent_created", "comments", ["status", "urgent", "created_at"]
    )
    op.create_index(
        "ix_comments_author_kind_helpful",
        "comments",
        ["author_id", "kind", "status", "helpful_count", "created_at"],
    )


def downgrade():
    check_downgrade(revision)
    op.drop_index("ix_comments_author_kind_helpful", table_name="comments")
    op.drop_index("ix_comments_status_urgent_created", table_name="comments")
    op.drop_index(_AUTHOR, table_name="comments")
    op.create_index(_AUTHOR, "comments", ["author_id", "status", "created_at"])
