from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import NumberRange, Optional

from ..numbers import LARGEST_ID
from .service import EDIT_WINDOW, MAX_BODY_LENGTH


class CommentForm(FlaskForm):
    # The limits the text box states; templates read them here rather than repeat them.
    max_length = MAX_BODY_LENGTH
    edit_minutes = int(EDIT_WINDOW.total_seconds() // 60)

    # Length is checked by the service so that the message can say how long the text is.
    body = TextAreaField(
        "Your comment",
        description=(
            "Plain text, with *emphasis*, lists and links. Please do not share details that "
            "identify you or anyone else."
        ),
        render_kw={"data-maxlength": MAX_BODY_LENGTH, "rows": 5},
    )
    parent_id = IntegerField(validators=[Optional(), NumberRange(1, LARGEST_ID)])
