from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..posts import editing
from ..posts.editing import PostFields
from ..questions import lifecycle

# Lengths are checked by posts.editing so that each message can say how long the text is.


class PostForm(FlaskForm):
    title = StringField("Title", description=f"Up to {editing.TITLE_MAX} characters.")
    summary = TextAreaField(
        "Summary",
        description=(
            "One or two plain sentences, shown on the home page and in feeds "
            f"(up to {editing.SUMMARY_MAX} characters)."
        ),
        render_kw={"rows": 2},
    )
    body = TextAreaField(
        "Post",
        description=(
            "Markdown: ## for headings, **bold**, *italics*, lists, > quotes, links and tables. "
            "Images and HTML are not shown."
        ),
        render_kw={"rows": 18},
    )
    references = TextAreaField(
        "References",
        description="Optional. One per line or as a numbered list; links are allowed.",
        render_kw={"rows": 5},
    )
    tags = StringField(
        "Treatments",
        description=(
            f"Separate names with commas, for example: alemtuzumab, ocrelizumab "
            f"(up to {editing.TAGS_MAX})."
        ),
    )
    comments_open = BooleanField("Open for comments and questions", default=True)

    def enable_live_preview(self, url: str) -> None:
        """Have the text fields refresh the preview panel as the writer pauses typing."""
        live = {
            "hx-post": url,
            "hx-trigger": "keyup changed delay:500ms",
            "hx-target": "#post-preview",
            "hx-vals": '{"action": "preview"}',
            # A newer keystroke's preview replaces one still on its way.
            "hx-sync": "closest form:replace",
        }
        for field in (self.title, self.body, self.references):
            field.render_kw = {**(field.render_kw or {}), **live}

    def fields(self) -> PostFields:
        """What was typed, for the editing service."""
        return PostFields(
            title=self.title.data or "",
            summary=self.summary.data or "",
            body=self.body.data or "",
            references=self.references.data or "",
            tags=self.tags.data or "",
            comments_open=bool(self.comments_open.data),
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        """Put the service's messages beside their fields."""
        for name, message in errors.items():
            field = getattr(self, name, None)
            if field is None:
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]

    @classmethod
    def for_post(cls, post) -> PostForm:
        """The form filled with a stored post, for editing."""
        return cls(
            formdata=None,
            title=post.title,
            summary=post.summary,
            body=post.body_source,
            references=post.references_source,
            tags=editing.tag_text(post),
            comments_open=post.comments_open,
        )


class CloseQuestionForm(FlaskForm):
    """Closing a question that needs no answer here; the note is shown to the asker."""

    # Checked by questions.lifecycle, whose messages say what is missing or too long.
    reason = RadioField(
        "Why does this question need no answer here?",
        choices=[
            SelectChoice(value, words) for value, words in lifecycle.CLOSE_REASON_WORDS.items()
        ],
        validate_choice=False,
    )
    note = TextAreaField(
        "Note for the asker",
        description=(
            "Shown to the asker with the reason: what they should do next or where to look "
            f"(up to {lifecycle.MAX_CLOSE_NOTE} characters)."
        ),
        render_kw={"rows": 3, "data-maxlength": lifecycle.MAX_CLOSE_NOTE},
    )
