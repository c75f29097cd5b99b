"""The fields every account form shares, built in one place so their rules and words agree."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..forms import strip
from ..names import MAX_LENGTH as NAME_MAX
from .service import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

PASSWORD_HINT = f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well."


def email_address(label: str, description: str, missing: str) -> EmailField:
    """An address someone types to be written to: checked for shape, never for deliverability."""
    return EmailField(
        label,
        description=description,
        filters=[strip],
        validators=[
            DataRequired(missing),
            Length(max=254, message="Use at most 254 characters."),
            Email("Enter an email address like name@example.org.", check_deliverability=False),
        ],
    )


def display_name(description: str | None = None) -> StringField:
    return StringField(
        "Display name",
        description=description,
        filters=[strip],
        validators=[
            DataRequired("Choose a display name."),
            Length(max=NAME_MAX, message=f"Use at most {NAME_MAX} characters."),
        ],
    )


def existing_password(label: str, missing: str) -> PasswordField:
    """A password the member already has, to prove it is them."""
    return PasswordField(label, validators=[DataRequired(missing), Length(max=MAX_PASSWORD_LENGTH)])


def new_password(label: str, missing: str) -> PasswordField:
    """A password being chosen, under the account service's length rules."""
    return PasswordField(
        label,
        description=PASSWORD_HINT,
        validators=[
            DataRequired(missing),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Use between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters.",
            ),
        ],
    )


def repeated_password(label: str, missing: str, of: str) -> PasswordField:
    """The chosen password typed again; of names the field it must match."""
    return PasswordField(
        label,
        validators=[DataRequired(missing), EqualTo(of, "The two passwords do not match.")],
    )
