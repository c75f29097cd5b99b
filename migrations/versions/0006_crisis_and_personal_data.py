"""crisis phrases, urgent and personal-data holds, redaction, and their notices

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 12:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

from portal.migration_safety import check_downgrade

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BEFORE = (
    "reply",
    "answer",
    "comment_approved",
    "comment_not_published",
    "report_handled",
    "account_action",
    "followed_post",
    "followed_thread",
    "question_closed",
    "questions_waiting",
    "queue_waiting",
)
AFTER = (*BEFORE[:9], "redacted", "crisis_held", *BEFORE[9:])
TABLES = ("notifications", "notification_preferences")


def _kinds(kinds: tuple[str, ...]) -> str:
    return f"kind IN ({', '.join(repr(kind) for kind in kinds)})"


def _replace_check(kinds: tuple[str, ...]) -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind_known"), type_="check")
            batch_op.create_check_constraint("kind_known", _kinds(kinds))


def upgrade():
    with op.batch_alter_table("moderation_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("crisis_phrases", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("personal_data", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=True))
    _replace_check(AFTER)


def downgrade():
    check_downgrade(revision)
    op.execute("DELETE FROM notifications WHERE kind IN ('redacted', 'crisis_held')")
    op.execute("DELETE FROM notification_preferences WHERE kind IN ('redacted', 'crisis_held')")
    _replace_check(BEFORE)
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("redacted_at")
        batch_op.drop_column("personal_data")
        batch_op.drop_column("urgent")
    with op.batch_alter_table("moderation_settings", schema=None) as batch_op:
        batch_op.drop_column("crisis_phrases")
