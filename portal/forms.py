"""Pieces shared by every form: field filters and attaching service errors to fields."""

from __future__ import annotations

from flask_wtf import FlaskForm

from .users import AccountError


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def attach_error(form: FlaskForm, error: AccountError) -> None:
    """Show a service-layer error beside the field it concerns (or on the form if none fits)."""
    field = getattr(form, error.field, None)
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors = [*field.errors, error.message]
