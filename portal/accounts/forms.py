from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

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
