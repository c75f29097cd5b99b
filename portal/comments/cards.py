"""What the comment cards of one page need about their viewer and their links, worked out once.

A long thread asked, for every comment, who the viewer is, whether their account is
restricted, for their form token, and built about seven links with url_for: most of a
member's post page. Here each of those is worked out once per page (links from one url_for
per kind of link, the comment's id spliced in). What each comment offers is still decided
by the rules its views enforce, called here one comment at a time.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cached_property
from typing import Any

from flask import url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..links import IdLink, id_link
from ..models import Comment, Post
from ..moderation import reports
from ..notifications import following
from ..permissions import restriction_message
from ..questions import offers
from . import service


def _comment_link(endpoint: str) -> cached_property:
    """A CommentCards link to endpoint for each comment's id, built on first use per page."""
    return cached_property(lambda cards: id_link(endpoint, "comment_id"))


class CommentCards:
    """The viewer, their standing and the links every comment card on one page shares.

    post_url is the page's own address (with its page of threads and order), which
    permalinks and "log in" links return to; helpful_marked the answers the viewer marked;
    viewer whom the cards are drawn for (the logged-in member when not given).
    """

    def __init__(
        self, post: Post, post_url: str, helpful_marked: Collection[int] = (), viewer: Any = None
    ) -> None:
        self.post = post
        self.post_url = post_url
        self.helpful_marked = helpful_marked
        # The member itself, not the proxy: each read through current_user looks it up again.
        self.viewer: Any = viewer if viewer is not None else current_user._get_current_object()
        self.is_member: bool = bool(self.viewer.is_authenticated)
        self.viewer_id: int | None = self.viewer.id if self.is_member else None
        # Replies are open on this page's approved comments (the post's own state, once).
        self.replies_open: bool = bool(post.comments_open and post.is_published)
        self.post_is_published: bool = bool(post.is_published)

    @cached_property
    def restriction(self) -> str | None:
        """Why the viewer may not post now (None for visitors and members who may)."""
        return restriction_message(self.viewer) if self.is_member else None

    @cached_property
    def csrf_token(self) -> str:
        # Only members see forms here; a visitor's token would start a session for them.
        return generate_csrf()

    # --- what each comment offers this viewer, by the rules the views enforce ---------------

    def offers(self, comment: Comment) -> offers.Offers:
        return offers.for_viewer(comment, self.viewer)

    def can_report(self, comment: Comment) -> bool:
        return reports.can_report(self.viewer, comment)

    def can_edit(self, comment: Comment) -> bool:
        return self.is_member and service.can_edit(comment, self.viewer)

    def follows(self, thread: Comment) -> bool:
        return following.following_thread_now(thread, self.viewer)

    def helped(self, comment: Comment) -> bool:
        return comment.id in self.helpful_marked

    # --- links, each built with url_for once per page -----------------------------------------

    @cached_property
    def profile(self) -> IdLink:
        return id_link("profiles.show", "user_id")

    @cached_property
    def reply_page(self) -> IdLink:
        slug = self.post.slug
        return IdLink(
            lambda id: url_for("posts.show", slug=slug, replytocom=id, _anchor=f"reply-form-{id}"),
            occurrences=2,
        )

    @cached_property
    def log_in_to_reply(self) -> IdLink:
        joiner = "&" if "?" in self.post_url else "?"
        back = self.post_url + joiner
        return IdLink(
            lambda id: url_for("auth.login", next=f"{back}replytocom={id}#reply-form-{id}"),
            occurrences=2,
        )

    @cached_property
    def log_in_to_mark_helpful(self) -> IdLink:
        back = self.post_url
        return IdLink(lambda id: url_for("auth.login", next=f"{back}#comment-{id}"))

    # Links whose only part is the comment's id.
    reply_form = _comment_link("comments.reply_form")
    edit = _comment_link("comments.edit")
    confirm_delete = _comment_link("comments.confirm_delete")
    delete = _comment_link("comments.delete")
    report = _comment_link("moderation.report")
    follow_thread = _comment_link("notifications.follow_thread")
    mark_answer = _comment_link("questions.mark_answer")
    unmark_answer = _comment_link("questions.unmark_answer")
    change_kind = _comment_link("questions.change_kind")
    helpful = _comment_link("questions.helpful")


def comment_cards(
    post: Post, post_url: str | None = None, helpful_marked: Collection[int] = ()
) -> CommentCards:
    """For templates: the page's CommentCards (post_url defaults to the post's first page)."""
    return CommentCards(post, post_url or url_for("posts.show", slug=post.slug), helpful_marked)
