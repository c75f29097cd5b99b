"""What every template can use: asset URLs, htmx settings, dates and permission checks."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context, url_for

from .permissions import allowed, restriction_message, unconfirmed_email_message

HTMX_FILE = "vendor/htmx-2.0.8.min.js"
HTMX_SRI = "sha384-/TgkGk7p307TH7EXJDuUlgG3Ce1UVolAOFopFekQkkXihi5u/6OCvVKyz1W+idaz"

# htmx locked down so the CSP needs neither unsafe-eval nor unsafe-inline, and 422 answers
# (form errors) still swap in, while other errors leave the page alone.
HTMX_CONFIG = {
    "allowEval": False,
    "allowScriptTags": False,
    "includeIndicatorStyles": False,
    "selfRequestsOnly": True,
    "historyCacheSize": 0,
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "422", "swap": True},
        {"code": "[45]..", "swap": False, "error": True},
    ],
}


@cache
def _file_digest(path: str) -> str:
    data = Path(path).read_bytes()
    return hashlib.sha256(data).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """A static URL that changes whenever the file does, so it can be cached for a year."""
    digest = _file_digest(str(Path(current_app.static_folder or "") / filename))
    return url_for("static", filename=filename, v=digest)


# The site writes English whatever the server's locale; strftime's %B was also the slowest
# part of a long thread's times.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def human_date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is not None:  # a moment, not a calendar day: the site's day
        moment = moment.astimezone(site_zone())
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def site_zone() -> ZoneInfo:
    """The zone pages show times in without JavaScript (config SITE_TIMEZONE)."""
    configured = current_app.config.get("SITE_TIMEZONE") if has_app_context() else None
    return ZoneInfo(configured or "Europe/London")


def human_datetime(moment: datetime | None) -> str:
    """A time as people write it ("30 November 2026, 14:05 GMT"), in the site's zone with its
    summer-time abbreviation; portal.js rewrites it into the reader's own zone, same words."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # stored times are UTC
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(site_zone())
    return (
        f"{local.day} {MONTHS[local.month - 1]} {local.year}, "
        f"{local.hour:02d}:{local.minute:02d} {local.tzname()}"
    )


def iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def register(app: Flask) -> None:
    """Every template global, filter and Jinja setting, in one place, each with why it is there."""
    from flask_login import current_user

    from . import moderation
    from .clinic import service as clinic_service
    from .comments import service as comment_service
    from .comments.cards import comment_cards
    from .moderation import audit, decisions, outcomes, queue, reports, rules
    from .notifications import following, preferences
    from .notifications import service as notifications
    from .posts import editing
    from .posts.queries import recent_activity
    from .questions import lifecycle, offers
    from .search import terms as search_terms
    from .two_factor import service as two_factor_service

    def viewer():
        # The member itself, not the proxy: the per-comment checks below read several of
        # its attributes, and each read through current_user looks the member up again.
        return current_user._get_current_object()

    def can_edit_comment(comment) -> bool:
        reader = viewer()
        return reader.is_authenticated and comment_service.can_edit(comment, reader)

    def can_edit_post(post) -> bool:
        return current_user.is_authenticated and editing.can_edit(post, current_user)

    def can_report_comment(comment) -> bool:
        return reports.can_report(viewer(), comment)

    def moderation_counts() -> queue.QueueCounts | None:
        """Held and reported counts for moderators (one query), None for everyone else."""
        if not allowed(current_user, "moderate"):
            return None
        return queue.counts()

    from .links import id_link
    from .page_cache import is_shared_page

    app.jinja_env.globals.update(
        # A page kept for every visitor leaves out what belongs to one (the session's token).
        is_shared_page=is_shared_page,
        # Pages of many rows build each kind of link once and splice each row's id in.
        id_link=id_link,
        # The sidebar's recent posts and comments appear on most pages; no view should pass them.
        recent_activity=recent_activity,
        # Edit is offered by the same rule the edit view enforces.
        can_edit_comment=can_edit_comment,
        # The editor link is offered by the same rule the post editor enforces.
        can_edit_post=can_edit_post,
        # Report is offered by the same decision the report view enforces.
        can_report_comment=can_report_comment,
        # Navigation and pages show each area only to those its permission admits.
        allowed=allowed,
        # Restricted members are told why they cannot post, wherever a form would be.
        restriction_message=restriction_message,
        # Members whose address is unproven are told so, with the resend button, on every
        # page (the banner) and in every comment form, by the rule comments.service applies.
        unconfirmed_email_message=unconfirmed_email_message,
        # The count beside Questions in the navigation, on every page clinicians see.
        waiting_question_count=clinic_service.waiting_count,
        # The count beside Moderation in the navigation, on every page moderators see.
        moderation_counts=moderation_counts,
        # The unread count beside Notifications in the header (loaded with the member).
        unread_notification_count=lambda: notifications.unread_count(current_user),
        # Follow buttons say whether the member follows (known from the post page's thread query).
        following_post=lambda post: following.following_post_now(post, current_user),
        following_thread=lambda comment: following.following_thread_now(comment, viewer()),
        # The account page's notification settings and follows come with it, not from its view.
        notification_settings=lambda: preferences.settings_for(current_user),
        followed_things=lambda: following.followed_by(current_user),
        # A followed thread is named only while the member may still read it.
        can_see_comment=lambda comment: notifications.can_see(comment, viewer()),
        # The account page and an admin's member page say whether two-step login is on and
        # how many recovery codes are left.
        recovery_codes_left=two_factor_service.recovery_codes_left,
        two_factor_required=two_factor_service.required_for,
        # A member's account page lists how moderation treated their comments.
        moderation_outcomes=outcomes.recent_outcomes,
        # The report form and the queue say a report's reason in the same words.
        report_reasons=reports.REPORT_REASONS,
        # The reject forms offer the reasons the decision service accepts.
        reject_reasons=decisions.REJECT_REASONS,
        # The audit log and "recently moderated" name actions in the same words.
        audit_actions=audit.ACTIONS,
        # The queue's tabs are its filters.
        queue_filters=queue.FILTERS,
        # The queue says each comment status in moderators' words.
        queue_statuses=moderation.QUEUE_STATUSES,
        # A held comment readers already saw (hidden after reports) is restored, not approved.
        hidden_after_reports=rules.HIDDEN_AFTER_REPORTS,
        # What a page's comment cards share (viewer, form token, links), worked out once.
        comment_cards=comment_cards,
        # A comment's question buttons (mark, unmark, change kind, "This helped me", holding
        # reply) are offered by the rules their views enforce (questions.offers).
        question_offers=lambda comment: offers.for_viewer(comment, viewer()),
        # A closed question says why in the words the clinicians chose from.
        close_reason_words=lifecycle.CLOSE_REASON_WORDS,
        # Every search box (header and search page) cuts what is typed where the search does.
        search_max_characters=search_terms.MAX_QUERY_CHARACTERS,
        # Static URLs that change with the file, so browsers may cache them for a year.
        asset_url=asset_url,
        # The pinned htmx file, its integrity hash and its locked-down config, for base.html.
        htmx_file=HTMX_FILE,
        htmx_sri=HTMX_SRI,
        htmx_config=json.dumps(HTMX_CONFIG, separators=(",", ":")),
    )
    app.jinja_env.filters.update(
        # Dates as people write them ("3 March 2025").
        human_date=human_date,
        human_datetime=human_datetime,
        # Machine-readable times for <time datetime="...">.
        iso=iso,
        # "1 post", "2 posts": counts in plain words.
        plural=plural,
        # How long an author has been a member, beside their comments in the queue.
        account_age=moderation.account_age,
    )
    # {% do %} lets a template add to a list it builds without printing anything.
    app.jinja_env.add_extension("jinja2.ext.do")
    # Block tags leave no blank lines or indentation behind in the HTML.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
