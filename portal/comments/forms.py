from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import Optional

from .service import MAX_BODY_LENGTH


class CommentForm(FlaskForm):
    # Length is checked by the service so that the message can say how long the text is.
    body = TextAreaField(
        "Your comment",
        description=(
            "Plain text, with *emphasis*, lists and links. Please do not share details that "
            "identify you or anyone else."
        ),
        render_kw={"data-maxlength": MAX_BODY_LENGTH, "rows": 5},
    )
    parent_id = IntegerField(validators=[Optional()])
