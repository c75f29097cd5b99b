from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

from ..accounts.service import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from ..forms import strip
from ..names import MAX_LENGTH as NAME_MAX


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[DataRequired("Enter your email address."), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=MAX_PASSWORD_LENGTH)],
    )
    remember = BooleanField("Keep me logged in on this device")
    next = HiddenField()


class RegisterForm(FlaskForm):
    email = EmailField(
        "Email",
        description="Never shown to anyone. We use it for logging in.",
        filters=[strip],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254, message="Use at most 254 characters."),
            Email("Enter an email address like name@example.org.", check_deliverability=False),
        ],
    )
    display_name = StringField(
        "Display name",
        description="Shown beside what you write. A nickname is fine and protects your privacy.",
        filters=[strip],
        validators=[
            DataRequired("Choose a display name."),
            Length(max=NAME_MAX, message=f"Use at most {NAME_MAX} characters."),
        ],
    )
    password = PasswordField(
        "Password",
        description=f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well.",
        validators=[
            DataRequired("Choose a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Use between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters.",
            ),
        ],
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[
            DataRequired("Repeat your password."),
            EqualTo("password", "The two passwords do not match."),
        ],
    )
    role = RadioField(
        "I am joining as",
        choices=[
            SelectChoice("patient", "A patient"),
            SelectChoice("caregiver", "A caregiver, relative or friend"),
        ],
        validators=[InputRequired("Choose how you are joining.")],
    )
    agree_rules = BooleanField(
        "I have read and agree to the community rules",
        validators=[DataRequired("Please agree to the community rules to join.")],
    )
    agree_disclaimer = BooleanField(
        "I understand that posts and answers here are general information, "
        "not individual medical advice",
        validators=[DataRequired("Please confirm you understand the medical disclaimer.")],
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email",
        description="The address you log in with. We will send it a link to choose a new password.",
        filters=[strip],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254, message="Use at most 254 characters."),
            Email("Enter an email address like name@example.org.", check_deliverability=False),
        ],
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description=f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well.",
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
            EqualTo("password", "The two passwords do not match."),
        ],
    )
