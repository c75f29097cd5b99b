"""questions with states, marked answers, helpful marks, non-clinical authors, verification

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 11:23:44.236196

Existing comments get a kind: a patient's or caregiver's top-level comment becomes a waiting
question, other top-level comments discussions, the rest plain replies. A question that already
has an approved clinician reply is taken as answered by the earliest one, so that nothing a
clinician has already answered returns to the waiting list.
"""

from alembic import op

from portal.migration_safety import check_downgrade
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"

# Tables the downgrade drops (checked for rows first: portal.migration_safety).
drops_tables = ("helpful_marks",)
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('patient', 'caregiver', 'clinician', 'admin')"
NEW_ROLES = "role IN ('patient', 'caregiver', 'author', 'clinician', 'admin')"


def upgrade():
    op.create_table(
        "helpful_marks",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_helpful_marks_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_helpful_marks_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", "user_id", name=op.f("pk_helpful_marks")),
    )
    with op.batch_alter_table("helpful_marks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_helpful_marks_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="reply")
        )
        batch_op.add_column(sa.Column("question_state", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("asked_for", sa.String(length=80), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("answer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("holding_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("close_reason", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("close_note", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("helpful_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index(
            "ix_comments_question_state_created", ["question_state", "created_at"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_comments_answer_id_comments"),
            "comments",
            ["answer_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_comments_claimed_by_id_users"),
            "users",
            ["claimed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )

    comments = sa.table(
        "comments",
        sa.column("id", sa.Integer),
        sa.column("parent_id", sa.Integer),
        sa.column("root_id", sa.Integer),
        sa.column("author_id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("created_at", sa.DateTime),
        sa.column("kind", sa.String),
        sa.column("question_state", sa.String),
        sa.column("answer_id", sa.Integer),
    )
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("role", sa.String))
    asker_ids = sa.select(users.c.id).where(users.c.role.in_(("patient", "caregiver")))
    op.execute(
        comments.update()
        .where(comments.c.parent_id.is_(None), comments.c.author_id.in_(asker_ids))
        .values(kind="question", question_state="waiting")
    )
    op.execute(
        comments.update()
        .where(comments.c.parent_id.is_(None), comments.c.kind != "question")
        .values(kind="discussion")
    )
    reply = comments.alias("reply")
    clinician_ids = sa.select(users.c.id).where(users.c.role == "clinician")
    first_answer = (
        sa.select(reply.c.id)
        .where(
            reply.c.root_id == comments.c.id,
            reply.c.parent_id.is_not(None),
            reply.c.status == "approved",
            reply.c.author_id.in_(clinician_ids),
        )
        .order_by(reply.c.created_at, reply.c.id)
        .limit(1)
        .scalar_subquery()
    )
    op.execute(
        comments.update().where(comments.c.kind == "question").values(answer_id=first_answer)
    )
    op.execute(
        comments.update()
        .where(comments.c.kind == "question", comments.c.answer_id.is_not(None))
        .values(question_state="answered")
    )
    answered = sa.select(comments.c.answer_id).where(comments.c.answer_id.is_not(None))
    op.execute(comments.update().where(comments.c.id.in_(answered)).values(kind="answer"))

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_check_constraint(
            "kind_known", "kind IN ('question', 'discussion', 'reply', 'holding', 'answer')"
        )
        batch_op.create_check_constraint(
            "question_state_known",
            "question_state IS NULL OR question_state IN ('waiting', 'answered', 'closed')",
        )
        batch_op.create_check_constraint(
            "close_reason_known",
            "close_reason IS NULL OR close_reason IN ('no_answer_needed', 'signposted')",
        )
        batch_op.create_check_constraint(
            "questions_have_a_state", "(kind = 'question') = (question_state IS NOT NULL)"
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("registration_body", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "registration_number", sa.String(length=60), nullable=False, server_default=""
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_users_verified_by_id_users"),
            "users",
            ["verified_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint(op.f("ck_users_role_known"), type_="check")
        batch_op.create_check_constraint("role_known", NEW_ROLES)


def downgrade():
    check_downgrade(revision)
    users = sa.table("users", sa.column("role", sa.String))
    # Non-clinical authors have no place in the older schema; they become patients' accounts.
    op.execute(users.update().where(users.c.role == "author").values(role="patient"))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role_known"), type_="check")
        batch_op.create_check_constraint("role_known", OLD_ROLES)
        batch_op.drop_constraint(batch_op.f("fk_users_verified_by_id_users"), type_="foreignkey")
        batch_op.drop_column("registration_number")
        batch_op.drop_column("registration_body")
        batch_op.drop_column("verified_by_id")

    with op.batch_alter_table("comments", schema=None) as batch_op:
        for name in (
            "questions_have_a_state",
            "close_reason_known",
            "question_state_known",
            "kind_known",
        ):
            batch_op.drop_constraint(op.f(f"ck_comments_{name}"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_comments_claimed_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_comments_answer_id_comments"), type_="foreignkey")
        batch_op.drop_index("ix_comments_question_state_created")
        for column in (
            "helpful_count",
            "state_changed_at",
            "close_note",
            "close_reason",
            "holding_at",
            "claimed_at",
            "claimed_by_id",
            "answer_id",
            "asked_for",
            "question_state",
            "kind",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("helpful_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_helpful_marks_user_id"))
    op.drop_table("helpful_marks")
