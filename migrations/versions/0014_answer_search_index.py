"""PostgreSQL: a full-text index of marked answers alone, for the "answered" search group.

An answered question is found by its own words or its answer's. Matching answers through the
index of every comment made PostgreSQL read the whole table for a common word (a tenth of all
comments): 60-130 ms a search at 100,000 comments. SQLite keeps question and answer together
in answered_fts already, so nothing changes there.

Revision ID: 0014
Revises: 0013
"""

from alembic import op

from portal.migration_safety import check_downgrade
from portal.search import schema

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(schema.POSTGRES_ANSWERS_INDEX)


def downgrade():
    check_downgrade(revision)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_comments_answer_search", table_name="comments")
