from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from . import fields


class DisplayNameForm(FlaskForm):
    display_name = fields.display_name()


class PasswordChangeForm(FlaskForm):
    current_password = fields.existing_password("Current password", "Enter your current password.")
    new_password = fields.new_password("New password", "Choose a new password.")
    confirm = fields.repeated_password(
        "Repeat new password", "Repeat your new password.", of="new_password"
    )


class DeleteAccountForm(FlaskForm):
    password = fields.existing_password("Your password", "Enter your password to confirm.")
    understood = BooleanField(
        "I understand this cannot be undone",
        validators=[DataRequired("Please confirm you understand this cannot be undone.")],
    )


class EmailChangeForm(FlaskForm):
    """A new address for the account; it takes effect when the link sent to it is opened."""

    new_email = fields.email_address(
        "New email address",
        "We send a link to it. Your address changes when you open that link.",
        "Enter the new email address.",
    )
    password = fields.existing_password("Your current password", "Enter your current password.")
