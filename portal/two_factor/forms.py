"""The forms of two-step login. Codes are text fields: "123 456" and leading zeros survive."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from ..accounts import fields
from ..moderation.audit import MAX_REASON_LENGTH

CODE_LABEL = "6-digit code from your app"
CODE_HINT = "Open your authenticator app and type the code it shows for Treatment Talk."


def _code(label: str = CODE_LABEL, hint: str = CODE_HINT) -> StringField:
    return StringField(
        label,
        description=hint,
        validators=[DataRequired("Enter the code from your app."), Length(max=20)],
    )


class CodeForm(FlaskForm):
    """A code from the app: logging in, confirming the setup, new recovery codes."""

    code = _code()


class RecoveryCodeForm(FlaskForm):
    code = StringField(
        "Recovery code",
        description="One of the codes you saved when you set up two-step login, "
        "for example abcd-efgh-jkmn. Each works once.",
        validators=[DataRequired("Enter one of your recovery codes."), Length(max=40)],
    )


class TurnOffForm(FlaskForm):
    password = fields.existing_password("Your password", "Enter your password.")
    code = _code(
        "Code from your app, or a recovery code",
        "The 6 digits your app shows now, or one of your unused recovery codes.",
    )


class ResetForm(FlaskForm):
    """An admin's reset of a member's two-step login (their phone is lost)."""

    reason = StringField(
        "Reason (kept in the audit log and told to the member)",
        validators=[Optional(), Length(max=MAX_REASON_LENGTH)],
    )
