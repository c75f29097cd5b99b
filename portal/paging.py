"""Paging a listing: count it, keep the page number in range, fetch that page's rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import request
from sqlalchemy import Select

from .extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Slice(Generic[T]):
    rows: list[T]
    page: int
    pages: int
    total: int


def fetch_page(
    rows: Select[Any], count: Select[Any], page: int, per_page: int, *, columns: bool = False
) -> Slice[Any]:
    """Two statements: count, then the rows of page (clamped to 1..pages), in rows' order.

    Each row is the select's first column (an entity), or with columns the whole row."""
    total = db.session.scalar(count) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    chosen = rows.limit(per_page).offset((page - 1) * per_page)
    found = list(db.session.execute(chosen) if columns else db.session.scalars(chosen))
    return Slice(rows=found, page=page, pages=pages, total=total)


def page_arg(source: Any = None) -> int:
    """The page number asked for in the query string (or source), never less than 1."""
    value = str((source if source is not None else request.args).get("page", "1"))
    # Long digit strings are not a page anyone can reach; they must not become huge integers.
    return int(value) if value.isdigit() and 0 < len(value) < 10 and int(value) > 0 else 1
