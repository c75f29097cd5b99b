"""two-step login: a one-time-password secret on each user, and single-use recovery codes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 15:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

from portal.migration_safety import check_downgrade

revision = "0008"
down_revision = "0007"

# Tables the downgrade drops (checked for rows first: portal.migration_safety).
drops_tables = ("recovery_codes",)
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("two_factor_secret", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("two_factor_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("two_factor_last_step", sa.Integer(), nullable=True))
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("user_id", "code_hash", name="uq_recovery_codes_user_code"),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)


def downgrade():
    check_downgrade(revision)
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))
    op.drop_table("recovery_codes")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("two_factor_last_step")
        batch_op.drop_column("two_factor_confirmed_at")
        batch_op.drop_column("two_factor_secret")
