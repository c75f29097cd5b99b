"""Search: full-text indexes of comments and posts, kept by the database.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

from portal.migration_safety import check_downgrade
from portal.search import schema

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_comments_answer_id", "comments", ["answer_id"])
    connection = op.get_bind()
    schema.install(connection)
    schema.fill(connection)


def downgrade():
    check_downgrade(revision)
    # The index is made from the comments and posts: dropping it loses nothing of anyone's.
    schema.uninstall(op.get_bind())
    op.drop_index("ix_comments_answer_id", table_name="comments")
