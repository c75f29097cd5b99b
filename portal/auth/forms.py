from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..accounts import fields
from ..forms import strip


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[DataRequired("Enter your email address."), Length(max=254)],
    )
    password = fields.existing_password("Password", "Enter your password.")
    remember = BooleanField("Keep me logged in on this device")
    next = HiddenField()


class RegisterForm(FlaskForm):
    email = fields.email_address(
        "Email", "Never shown to anyone. We use it for logging in.", "Enter your email address."
    )
    display_name = fields.display_name(
        "Shown beside what you write. A nickname is fine and protects your privacy."
    )
    password = fields.new_password("Password", "Choose a password.")
    confirm = fields.repeated_password("Repeat password", "Repeat your password.", of="password")
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
    email = fields.email_address(
        "Email",
        "The address you log in with. We will send it a link to choose a new password.",
        "Enter your email address.",
    )


class ResetPasswordForm(FlaskForm):
    password = fields.new_password("New password", "Choose a new password.")
    confirm = fields.repeated_password(
        "Repeat new password", "Repeat your new password.", of="password"
    )
