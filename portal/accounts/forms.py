from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..forms import strip
from ..names import MAX_LENGTH as NAME_MAX
from .service import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class DisplayNameForm(FlaskForm):
    display_name = StringField(
        "Display name",
        filters=[strip],
        validators=[
            DataRequired("Choose a display name."),
            Length(max=NAME_MAX, message=f"Use at most {NAME_MAX} characters."),
        ],
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password."), Length(max=MAX_PASSWORD_LENGTH)],
    )
    new_password = PasswordField(
        "New password",
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
        validators=[
            DataRequired("Choose a new password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Use between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters.",
            ),
        ],
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[
            DataRequired("Repeat your new password."),
            EqualTo("new_password", "The two passwords do not match."),
        ],
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        "Your password",
        validators=[
            DataRequired("Enter your password to confirm."),
            Length(max=MAX_PASSWORD_LENGTH),
        ],
    )
    understood = BooleanField(
        "I understand this cannot be undone",
        validators=[DataRequired("Please confirm you understand this cannot be undone.")],
    )


class EmailChangeForm(FlaskForm):
    """A new address for the account; it takes effect when the link sent to it is opened."""

    new_email = EmailField(
        "New email address",
        description="We send a link to it. Your address changes when you open that link.",
        filters=[strip],
        validators=[
            DataRequired("Enter the new email address."),
            Length(max=254, message="Use at most 254 characters."),
            Email("Enter an email address like name@example.org.", check_deliverability=False),
        ],
    )
    password = PasswordField(
        "Your current password",
        validators=[DataRequired("Enter your current password."), Length(max=MAX_PASSWORD_LENGTH)],
    )
