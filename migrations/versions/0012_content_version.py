"""The content version: one number that changes with anything a visitor can see.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from portal.migration_safety import check_downgrade

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "content_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_content_version_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_version")),
    )
    # The row exists from the start: writers only ever add one to it.
    op.bulk_insert(table, [{"id": 1, "number": 0}])


def downgrade():
    check_downgrade(revision)
    # Only a counter: pages kept under it are simply made again.
    op.drop_table("content_version")
