"""A page's comment links are built once and spliced per comment: each must be exactly what
url_for builds for that comment, whatever the post's address holds."""

from __future__ import annotations

from flask import url_for
from markupsafe import escape

from portal.comments.cards import comment_cards
from portal.links import IdLink


def test_a_spliced_link_is_what_url_for_builds(app):
    with app.test_request_context():
        edit = IdLink(lambda id: url_for("comments.edit", comment_id=id))
        for comment_id in (1, 42, 1234567):
            assert edit(comment_id) == url_for("comments.edit", comment_id=comment_id)


def test_links_back_to_the_page_keep_its_page_and_order(app, make_post):
    post = make_post("Fatigue after infusions")
    with app.test_request_context():
        page_url = url_for("posts.show", slug=post.slug, page=2, order="newest")
        cards = comment_cards(post, page_url)
        assert cards.log_in_to_reply(7) == url_for(
            "auth.login", next=f"{page_url}&replytocom=7#reply-form-7"
        )
        assert cards.log_in_to_mark_helpful(7) == url_for(
            "auth.login", next=f"{page_url}#comment-7"
        )
        assert cards.reply_page(7) == url_for(
            "posts.show", slug=post.slug, replytocom=7, _anchor="reply-form-7"
        )


def test_a_slug_that_looks_like_the_stand_in_id_still_gets_true_links(app, make_post):
    # The stand-in id found in the slug too: splicing would rewrite the slug, so url_for is asked.
    post = make_post("Trial 987654321012345 results")
    with app.test_request_context():
        cards = comment_cards(post)
        assert "987654321012345" in cards.post_url
        assert cards.reply_page(3) == url_for(
            "posts.show", slug=post.slug, replytocom=3, _anchor="reply-form-3"
        )
        assert cards.log_in_to_mark_helpful(3) == url_for(
            "auth.login", next=f"{cards.post_url}#comment-3"
        )


def test_templates_splice_ids_and_slugs_as_url_for_builds_them(app, make_post):
    post = make_post("Cladribine tablets")
    with app.test_request_context():
        render = app.jinja_env.from_string(
            "{{ id_link('moderation.log', 'target_id', target_type='comment')(7) }} "
            "{{ id_link('posts.show', 'slug')(slug) }}"
        ).render
        assert render(slug=post.slug).split() == [
            str(escape(url_for("moderation.log", target_type="comment", target_id=7))),
            url_for("posts.show", slug=post.slug),
        ]
