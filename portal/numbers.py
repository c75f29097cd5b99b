"""Whole numbers from addresses, query strings and forms, kept within what the database holds.

Both databases store ids as signed 64-bit integers; a larger number is not an id of anything,
so it must answer "not found" or "not understood", never reach a query and fail there.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter
from wtforms import IntegerField as IntegerField_

LARGEST_ID = 2**63 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in every route: a number past LARGEST_ID matches no route, so 404."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - Werkzeug's name
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def database_id(text: str) -> int:
    """A type for request.args.get(…, type=…): a positive id, else ValueError (so None)."""
    value = int(text)
    if not 0 < value <= LARGEST_ID:
        raise ValueError(f"{value} is not an id")
    return value


def optional_id(text: str | None) -> int | None:
    """An id typed into a form or filter, or None when it is not one."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= LARGEST_ID else None


class WholeNumberField(IntegerField_):
    """A form's whole-number field that refuses digits past any id's length before parsing.

    WTForms' IntegerField parses any length, and NumberRange then fails on a number too large
    for a float ("9" * 400): a 500. Past 19 digits it is a field error like any other.
    """

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and len(valuelist[0].strip().lstrip("+-")) > len(str(LARGEST_ID)):
            self.data = None
            raise ValueError(self.gettext("Enter a smaller number."))
        super().process_formdata(valuelist)
