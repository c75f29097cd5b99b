"""The moderation rules admins can change: trust threshold, link limit, word lists, reports."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..forms import UNREADABLE_FORM
from ..permissions import can
from ..responding import page_or_fragment
from . import rules
from .blueprint import bp
from .forms import SettingsForm


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
    current = rules.current_settings()
    form = SettingsForm(obj=current)
    if not form.is_submitted():
        return _render(form)
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
    )
    message = "The rules are saved." if changes else "Nothing changed."
    if request.wants_fragment:
        return _render(SettingsForm(formdata=None, obj=rules.current_settings()), 200, message)
    flash(message, "success")
    return redirect(url_for("moderation.settings"), 303)
