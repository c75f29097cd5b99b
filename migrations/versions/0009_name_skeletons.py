"""display-name keys become look-alike skeletons (Unicode UTS #39), in a wider column

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 15:30:00.000000

Every account's key is computed again. Two accounts whose names were different but look
alike (an "Аdmin" with a Cyrillic А beside an "Admin") would now share a key: the older
account keeps it and the newer one gets the key with "~<its id>" added, so the upgrade never
fails and neither name changes; an admin can ask the newer member to choose another name.
"""

import logging
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

from portal.migration_safety import check_downgrade

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
users = sa.table(
    "users",
    sa.column("id", sa.Integer),
    sa.column("display_name", sa.String),
    sa.column("display_name_key", sa.String),
    sa.column("created_at", sa.DateTime),
)


def _old_key(display_name: str) -> str:
    """The key before 0009: NFKC, spaces collapsed, case-folded."""
    text = re.sub(r"[ \t]+", " ", unicodedata.normalize("NFKC", display_name or "")).strip()
    return unicodedata.normalize("NFKC", text.casefold())[:40]


def _new_key(display_name: str) -> str:
    from portal.names import name_key

    return name_key(display_name)


def _rekey(make_key, width: int) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(users.c.id, users.c.display_name).order_by(users.c.created_at, users.c.id)
    ).all()
    natural = {row.id: make_key(row.display_name)[:width] for row in rows}
    # A tab never survives a name's normalising, so these stand-ins cannot meet a real key
    # while the rows are changed one at a time under the unique index.
    for row in rows:
        connection.execute(
            users.update().where(users.c.id == row.id).values(display_name_key=f"\t{row.id}")
        )
    taken: set[str] = set()
    wanted = set(natural.values())
    for row in rows:  # oldest first: the older account keeps a shared key
        key = natural[row.id]
        if key in taken:
            suffix = f"~{row.id}"
            key = key[: width - len(suffix)] + suffix
            while key in taken or key in wanted:
                suffix = "~" + suffix
                key = natural[row.id][: width - len(suffix)] + suffix
            log.warning(
                "Account %s has a name that looks like an older account's; its key is now %r",
                row.id,
                key,
            )
        taken.add(key)
        connection.execute(users.update().where(users.c.id == row.id).values(display_name_key=key))


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "display_name_key",
            existing_type=sa.String(length=40),
            type_=sa.String(length=160),
            existing_nullable=False,
        )
    _rekey(_new_key, 160)


def downgrade():
    check_downgrade(revision)
    _rekey(_old_key, 40)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "display_name_key",
            existing_type=sa.String(length=160),
            type_=sa.String(length=40),
            existing_nullable=False,
        )
