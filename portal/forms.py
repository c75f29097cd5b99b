"""Pieces shared by every form: field filters, the user-fixable error, and showing it."""

from __future__ import annotations

from flask_wtf import FlaskForm

# Said whenever a submitted form cannot be read (an expired token, a missing field); the
# page it comes back on still holds what was typed, so reloading is never the advice.
UNREADABLE_FORM = "This form could not be read. Please check it and send it again."


class FieldError(ValueError):
    """A problem the person can fix; field names the form field it belongs to ("" for none)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def attach_error(form: FlaskForm, error: FieldError) -> None:
    """Show a service-layer error beside the field it concerns (or on the form if none fits)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors = [*field.errors, error.message]
