"""Downgrades that would throw away members' data stop and say so, unless told otherwise.

A downgrade below a migration drops the tables it created: below the first one, every table.
A migration that drops tables on the way down names them in `drops_tables`, and every
downgrade() starts with `check_downgrade(revision)`. The first step of a downgrade run looks at
the whole way down, before anything changes: if a table any step would drop holds a row,
nothing is changed and the operator reads which tables, how many rows, and how to go on anyway
(after a backup): `flask --app portal db downgrade -x drop-data=yes REVISION`.
"""

from __future__ import annotations

import click
from alembic import context, op
from sqlalchemy import func, inspect, select, table

FORCE_ARGUMENT = "drop-data"
_checked: set[int] = set()  # the connections whose downgrade was already looked over


def _forced() -> bool:
    argument = context.get_x_argument(as_dictionary=True).get(FORCE_ARGUMENT, "")
    return argument.lower() in {"yes", "true", "1"}


def rows_in(tables: list[str]) -> dict[str, int]:
    """Rows held by those of tables that exist and are not empty."""
    bind = op.get_bind()
    existing = set(inspect(bind).get_table_names())
    counts = {
        name: bind.execute(select(func.count()).select_from(table(name))).scalar() or 0
        for name in tables
        if name in existing
    }
    return {name: count for name, count in counts.items() if count}


def _tables_dropped_from(revision: str) -> list[str]:
    """What every step from revision down to the run's destination drops."""
    script = context.script
    destination = context.get_revision_argument() or "base"
    try:
        steps = list(script.iterate_revisions(revision, destination))
    except Exception:  # a relative or unknown destination: at least this step's own tables
        steps = [script.get_revision(revision)]
    dropped: list[str] = []
    for step in steps:
        if step is not None and step.revision != destination:
            dropped.extend(getattr(step.module, "drops_tables", ()))
    return dropped


def check_downgrade(revision: str) -> None:
    """Refuse the whole downgrade, before its first step changes anything, if it would drop
    rows and the operator did not say -x drop-data=yes."""
    connection = id(op.get_bind())
    if connection in _checked or _forced():
        return
    _checked.add(connection)
    holding = rows_in(_tables_dropped_from(revision))
    if holding:
        _checked.discard(connection)
        listed = ", ".join(f"{name} ({count:,} rows)" for name, count in holding.items())
        raise click.ClickException(
            f"This downgrade would drop tables that hold data: {listed}. Nothing was changed. "
            "Back the database up first (flask --app portal backup PATH); to drop them "
            f"anyway, run the downgrade again with -x {FORCE_ARGUMENT}=yes."
        )
