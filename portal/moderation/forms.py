"""Forms of the moderation area. Most checks live in the services, so messages stay in one place;
these parse what was sent and carry errors back to the fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from ..forms import strip
from ..numbers import WholeNumberField
from . import decisions, members, reports, rules


class DecisionForm(FlaskForm):
    """One queue row: approve, reject with a reason, or spam (the button pressed says which)."""

    decision = StringField()  # the name of the button pressed
    reason = SelectField(
        "Reason for rejecting",
        choices=[
            SelectChoice("", "Choose a reason"),
            *(SelectChoice(value, label) for value, label in decisions.REJECT_REASONS.items()),
        ],
        validate_choice=False,  # the service explains a wrong choice in plain words
    )
    reason_other = StringField("Or write the reason", filters=[strip])
    show = HiddenField()
    page = HiddenField()


class BulkDecisionForm(DecisionForm):
    """Several rows at once; the ticked boxes sit in the rows and name this form."""


class ReportForm(FlaskForm):
    reason = RadioField(
        "What is wrong with this comment?",
        choices=[SelectChoice(value, label) for value, label in reports.REPORT_REASONS.items()],
        validate_choice=False,
    )
    note = TextAreaField(
        "Anything else the moderators should know (optional)",
        description=f"Up to {reports.MAX_NOTE_LENGTH} characters. Moderators read every report.",
        render_kw={"data-maxlength": reports.MAX_NOTE_LENGTH, "rows": 3},
    )


class PlainDateField(DateField):
    """A date field whose parse error is in our own words."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a date like 2025-06-30.") from error


class SuspendForm(FlaskForm):
    until = PlainDateField(
        "Suspended until",
        description="They can post again from the start of this day (UTC). Up to a year ahead.",
        validators=[Optional()],
    )
    reason = TextAreaField(
        "Reason (the member sees this)",
        filters=[strip],
        render_kw={"rows": 2, "data-maxlength": members.MAX_REASON_LENGTH},
    )


class BanForm(FlaskForm):
    reason = TextAreaField(
        "Reason (the member sees this)",
        filters=[strip],
        render_kw={"rows": 2, "data-maxlength": members.MAX_REASON_LENGTH},
    )


class LiftForm(FlaskForm):
    reason = StringField("Note for the audit log (optional)", filters=[strip])


class VerifyForm(FlaskForm):
    title = StringField("Job title", filters=[strip])
    specialty = StringField("Specialty", filters=[strip])
    bio = TextAreaField(
        "Short bio (shown beside their posts)",
        filters=[strip],
        render_kw={"rows": 4, "data-maxlength": members.MAX_BIO_LENGTH},
    )
    # Kept for admins: never shown on public pages.
    registration_body = StringField(
        "Registered with",
        description="The professional register you checked, like GMC, NMC or HCPC. "
        "Only admins see it.",
        filters=[strip],
        render_kw={"maxlength": members.MAX_REGISTRATION_BODY_LENGTH, "autocomplete": "off"},
    )
    registration_number = StringField(
        "Registration number",
        description="As the register shows it. Only admins see it.",
        filters=[strip],
        render_kw={
            "maxlength": members.MAX_REGISTRATION_NUMBER_LENGTH,
            "autocomplete": "off",
            "spellcheck": "false",
        },
    )


class AuthorForm(FlaskForm):
    title = StringField(
        "What they do",
        description="Shown in their badge, like “Neuroscientist” or “Charity information officer”.",
        filters=[strip],
    )
    bio = TextAreaField(
        "Short bio (shown beside their posts)",
        filters=[strip],
        render_kw={"rows": 4, "data-maxlength": members.MAX_BIO_LENGTH},
    )


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        "Reason (the member sees this)",
        filters=[strip],
        render_kw={"rows": 2, "data-maxlength": members.MAX_REASON_LENGTH},
    )
    becomes = RadioField(
        "Afterwards, the account is",
        choices=[
            SelectChoice("patient", "A member, like any patient"),
            SelectChoice("author", "A non-clinical author, who keeps writing posts"),
        ],
        default="patient",
        validate_choice=False,  # the service explains a wrong choice in plain words
    )
    author_title = StringField(
        "What they do as an author (if kept as one)",
        description="Replaces their clinical job title in their badge, like “Neuroscientist”.",
        filters=[strip],
    )


def _number(label: str, name: str, description: str) -> WholeNumberField:
    low, high = rules.SETTING_LIMITS[name]
    return WholeNumberField(
        label,
        description=description,
        validators=[
            InputRequired(f"Enter a whole number from {low} to {high}."),
            NumberRange(low, high, f"Enter a whole number from {low} to {high}."),
        ],
        render_kw={"inputmode": "numeric"},
    )


class SettingsForm(FlaskForm):
    approved_before_trusted = _number(
        "Approved comments before a member is trusted",
        "approved_before_trusted",
        "Patients' and caregivers' comments are held until they have this many approved. "
        "0 trusts everyone from the start.",
    )
    max_links = _number(
        "Most links a comment may carry",
        "max_links",
        "A comment with more links than this is held, whoever wrote it (except staff).",
    )
    reports_to_hide = _number(
        "Reports that hide a comment",
        "reports_to_hide",
        "An approved comment reported by this many different readers is hidden until a "
        "moderator decides.",
    )
    watch_words = TextAreaField(
        "Watch words",
        description="One word or phrase per line. A comment that mentions one is held.",
        render_kw={"rows": 5},
    )
    block_words = TextAreaField(
        "Block words",
        description="One word or phrase per line. A comment that mentions one is not posted.",
        render_kw={"rows": 5},
    )

    crisis_phrases = TextAreaField(
        "Crisis phrases",
        description="One phrase per line. A comment that says one is held, first in the queue "
        "and marked urgent, admins are told at once, and its writer is shown where to find help "
        "now. It is never rejected. Case, apostrophes and punctuation between the words do not "
        "matter. Left empty, the portal's own list (shown here until you change it) applies.",
        render_kw={"rows": 10},
    )

    def validate_watch_words(self, field) -> None:
        _check_word_list(field)

    def validate_block_words(self, field) -> None:
        _check_word_list(field)

    def validate_crisis_phrases(self, field) -> None:
        _check_word_list(field)


def _check_word_list(field) -> None:
    if len(field.data or "") > rules.MAX_WORD_LIST_LENGTH:
        raise ValidationError(f"Use at most {rules.MAX_WORD_LIST_LENGTH:,} characters.")
