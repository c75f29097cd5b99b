"""a notice for the asker when a clinician closes their question

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 12:15:00.000000
"""

from alembic import op

from portal.migration_safety import check_downgrade

revision = "0005"
down_revision = "0004"
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
    "questions_waiting",
    "queue_waiting",
)
AFTER = (*BEFORE[:8], "question_closed", *BEFORE[8:])
TABLES = ("notifications", "notification_preferences")


def _kinds(kinds: tuple[str, ...]) -> str:
    return f"kind IN ({', '.join(repr(kind) for kind in kinds)})"


def _replace_check(kinds: tuple[str, ...]) -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind_known"), type_="check")
            batch_op.create_check_constraint("kind_known", _kinds(kinds))


def upgrade():
    _replace_check(AFTER)


def downgrade():
    check_downgrade(revision)
    op.execute("DELETE FROM notifications WHERE kind = 'question_closed'")
    op.execute("DELETE FROM notification_preferences WHERE kind = 'question_closed'")
    _replace_check(BEFORE)
