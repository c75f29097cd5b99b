"""The moderation rules admins can change: trust threshold, link limit, word lists, crisis
phrases, reports."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..forms import UNREADABLE_FORM
from ..permissions import can
from ..responding import page_or_fragment
from . import crisis, rules
from .blueprint import bp
from .forms import SettingsForm


def _saved_form() -> SettingsForm:
    """The form with the stored rules; the crisis phrases in use are shown even when they are
    the portal's defaults (stored empty), so admins see what is matched."""
    current = rules.current_settings()
    form = SettingsForm(formdata=None, obj=current)
    form.crisis_phrases.data = "\n".join(crisis.phrase_list(current.crisis_phrases))
    return form


def _render(form: SettingsForm, status: int = 200, announcement: str = "") -> Response:
    return page_or_fragment(
        "moderation/settings.html",
        "moderation/_settings_form.html",
        status=status,
        form=form,
        announcement=announcement,
    )


@bp.route("/moderation/settings", methods=["GET", "POST"], endpoint="settings")
@can("edit_moderation_settings")
def edit_settings() -> Response:
    form = SettingsForm(obj=rules.current_settings())
    if not form.is_submitted():
        return _render(_saved_form())
    if not form.validate_on_submit():
        if not form.errors or "csrf_token" in form.errors:
            form.form_errors.append(UNREADABLE_FORM)
        return _render(form, 422)
    changes = rules.update_settings(
        current_user,
        approved_before_trusted=form.approved_before_trusted.data,
        max_links=form.max_links.data,
        reports_to_hide=form.reports_to_hide.data,
        watch_words=form.watch_words.data or "",
        block_words=form.block_words.data or "",
        crisis_phrases=form.crisis_phrases.data or "",
    )
    message = "The rules are saved." if changes else "Nothing changed."
    if request.wants_fragment:
        return _render(_saved_form(), 200, message)
    flash(message, "success")
    return redirect(url_for("moderation.settings"), 303)
