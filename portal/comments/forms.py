from __future__ import annotations

import re
import secrets
from typing import Any

from flask import has_request_context, request
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from ..forms import strip
from ..numbers import LARGEST_ID, WholeNumberField
from .service import EDIT_WINDOW, MAX_BODY_LENGTH

# The choice a patient or caregiver makes when they start a thread, in the words they read.
THREAD_KINDS = {
    "question": "Ask a clinician a question",
    "discussion": "Share or discuss",
}
THREAD_KIND_HINTS = {
    "question": "A clinician will see it in their list of waiting questions.",
    "discussion": "A tip, an experience or a thank-you, for everyone reading.",
}
CHOOSE_A_KIND = "Choose whether you are asking a clinician or sharing with others."
_LEADING_FOR = re.compile(r"^\s*for\s+", re.IGNORECASE)


def new_form_token() -> str:
    return secrets.token_urlsafe(16)


def _without_leading_for(value: str | None) -> str | None:
    # The card reads "asked for my partner"; someone who typed "for my partner" means the same.
    return _LEADING_FOR.sub("", value) if isinstance(value, str) else value


class CommentForm(FlaskForm):
    # The limits the text box states; templates read them here rather than repeat them.
    max_length = MAX_BODY_LENGTH
    edit_minutes = int(EDIT_WINDOW.total_seconds() // 60)
    kind_choices = THREAD_KINDS
    kind_hints = THREAD_KIND_HINTS

    # Length is checked by the service so that the message can say how long the text is.
    body = TextAreaField(
        "Your comment",
        description=(
            "Plain text, with *emphasis*, lists and links. Please do not share details that "
            "identify you or anyone else."
        ),
        render_kw={"data-maxlength": MAX_BODY_LENGTH, "rows": 5},
    )
    parent_id = WholeNumberField(validators=[Optional(), NumberRange(1, LARGEST_ID)])
    # Only patients and caregivers starting a thread choose; the view decides when it is needed.
    kind = RadioField(
        "What would you like to do?",
        choices=[SelectChoice(value, words) for value, words in THREAD_KINDS.items()],
        validate_choice=False,
    )
    # Length is checked by questions.lifecycle, which says how long the text is.
    asked_for = StringField(
        "Asking for someone else? (optional)",
        description=(
            "If you ask for someone you care for, say whom, for example “my partner”. "
            "It is shown beside your question."
        ),
        filters=[strip, _without_leading_for],
    )
    holding = BooleanField("This is a holding reply: someone is looking into it")
    # Sent only by the "Post anyway" button, after the writer has seen the personal details
    # found in their text; the view then keeps what was found here for the panel.
    personal_data_confirmed = BooleanField()
    personal_data_found = None
    # Answered questions like this draft, set when the writer checks (search.similar_views):
    # the form then draws them beside the text box.
    similar_check = None
    # A new token for each form drawn, sent back with it: the same form sent twice (a retry,
    # a double click, back and post again) stores one comment (comments.service.submit).
    form_token = StringField(default=new_form_token, filters=[strip])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "Ask a question" at the top of a post opens the page with ?ask=1: the form
        # arrives with the question already chosen.
        if self.kind.data is None and _asked_to_ask():
            self.kind.data = "question"

    @property
    def sent_token(self) -> str | None:
        """The form's token as sent back, None when the request carried none (the default
        made up for a form without one could never match a form sent before)."""
        return self.form_token.data if self.form_token.raw_data else None

    @property
    def chosen_kind(self) -> str | None:
        """ "question" or "discussion" as chosen, None when nothing (or nonsense) was sent."""
        return self.kind.data if self.kind.data in THREAD_KINDS else None


def _asked_to_ask() -> bool:
    return has_request_context() and request.method == "GET" and request.args.get("ask") == "1"
