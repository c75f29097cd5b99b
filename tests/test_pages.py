"""The layout, the home page, the post page and the fixed pages."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from portal.extensions import db
from portal.models import Tag, utcnow

from .helpers import select_all, select_one, text_of, texts_of

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_app_factory_takes_overrides(app):
    from portal import create_app

    other = create_app({"TESTING": True, "POSTS_PER_PAGE": 3, "INSTANCE_PATH": app.instance_path})
    assert other.config["POSTS_PER_PAGE"] == 3
    assert other.config["SESSION_COOKIE_HTTPONLY"] is True
    assert other.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    from portal.config import load_or_create_secret_key

    first = load_or_create_secret_key(tmp_path)
    assert len(first) >= 40
    assert load_or_create_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_override_defaults(tmp_path, monkeypatch):
    from portal.config import Config

    monkeypatch.setenv("PORTAL_DATABASE_URL", "sqlite:////tmp/elsewhere.sqlite3")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("PORTAL_HTTPS", "1")
    config = Config(tmp_path)
    assert config.SQLALCHEMY_DATABASE_URI == "sqlite:////tmp/elsewhere.sqlite3"
    assert config.SECRET_KEY == "from-the-environment"
    assert config.SESSION_COOKIE_SECURE and config.REMEMBER_COOKIE_SECURE
    assert not (tmp_path / "secret_key").exists()


def post_list(html: str) -> str:
    """The main list of posts, without the sidebar's recent posts."""
    return str(select_one(html, "ol.post-list"))


def post_entry(html: str, title: str) -> str:
    """The words of one post's entry in the main list."""
    entries = select_all(html, "ol.post-list > li")
    (entry,) = [text_of(li) for li in entries if title in text_of(li, "h2")]
    return entry


def test_home_lists_published_posts_newest_first_with_counts(
    client, make_post, people, make_comment
):
    old = make_post("Older post", published_at=utcnow() - timedelta(days=3))
    make_post("Newer post", published_at=utcnow() - timedelta(days=1))
    make_post("Secret draft", status="draft", published_at=None)
    make_comment(old, people["patient"])
    make_comment(old, people["caregiver"])
    make_comment(old, people["patient"], status="pending")
    page = client.get("/").get_data(as_text=True)
    html = post_list(page)
    assert html.index("Newer post") < html.index("Older post")
    assert "Secret draft" not in page
    assert "2 comments" in post_entry(page, "Older post")
    assert "Helen Marsh" in html


def test_home_is_paginated(app, client, make_post):
    app.config["POSTS_PER_PAGE"] = 2
    for day in range(5):
        make_post(f"Post number {day}", published_at=utcnow() - timedelta(days=day))
    first = client.get("/").get_data(as_text=True)
    listed = post_list(first)
    assert "Post number 0" in listed and "Post number 2" not in listed
    assert "Page 1 of 3" in first and select_all(first, '[rel="next"]')
    third = client.get("/?page=3").get_data(as_text=True)
    assert "Post number 4" in post_list(third) and select_all(third, '[rel="prev"]')
    assert client.get("/?page=99").status_code == 200


def test_post_page_shows_stored_html_tags_and_about_the_author(client, make_post, people):
    people["clinician"].bio = "Runs the MS clinic."
    post = make_post("Alemtuzumab review", body="Two **courses**, a year apart.")
    post.tags = [Tag(name="alemtuzumab", slug="alemtuzumab")]
    db.session.commit()
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "courses" in texts_of(html, "strong")
    assert "alemtuzumab" in html
    about = text_of(html, "#about-author")
    assert "Helen Marsh" in about and "Consultant Neurologist" in about
    assert "Runs the MS clinic." in about


def test_drafts_and_missing_posts_are_404(client, make_post):
    draft = make_post("Unfinished", status="draft", published_at=None)
    assert client.get(f"/posts/{draft.slug}").status_code == 404
    missing = client.get("/posts/no-such-post")
    assert missing.status_code == 404
    assert "Page not found" in missing.get_data(as_text=True)


def test_layout_has_landmarks_skip_link_disclaimer_and_policy_links(client):
    html = client.get("/").get_data(as_text=True)
    assert select_one(html, "a.skip-link")["href"] == "#main"
    assert select_all(html, "main#main")
    assert select_all(html, "header") and select_all(html, "footer")
    assert select_one(html, "nav.site-nav")["aria-label"] == "Main"
    assert "Not individual medical advice" in html
    assert "call your local emergency number" in html
    assert select_all(html, 'a[href="/rules"]') and select_all(html, 'a[href="/privacy"]')
    assert select_one(html, "html")["lang"] == "en-GB"


def test_rules_and_privacy_pages_exist(client):
    rules = client.get("/rules").get_data(as_text=True)
    privacy = client.get("/privacy").get_data(as_text=True)
    assert text_of(rules, "h1") == "Community rules" and "report" in rules.lower()
    assert text_of(privacy, "h1") == "Privacy" and "email" in privacy.lower()


def test_navigation_fits_the_visitor(client):
    html = client.get("/").get_data(as_text=True)
    assert "Log in" in html and "Register" in html and "My account" not in html


def test_navigation_fits_a_member(client, people, log_in):
    log_in(people["patient"])
    html = client.get("/").get_data(as_text=True)
    assert "My account" in html and "Log out" in html and "Register" not in html


def test_no_template_has_inline_style_or_script_or_hx_on():
    for path in TEMPLATES.rglob("*.html"):
        source = path.read_text()
        assert not re.search(r"\sstyle\s*=", source), path
        assert not re.search(r"<script(?![^>]*\ssrc=)", source), path
        assert "hx-on" not in source, path


def test_htmx_is_served_pinned_with_its_integrity_hash(client, app):
    import base64
    import hashlib

    from portal.templating import HTMX_FILE, HTMX_SRI

    html = client.get("/").get_data(as_text=True)
    assert select_one(html, f'script[src*="/{HTMX_FILE}"]')["integrity"] == HTMX_SRI
    data = (Path(app.static_folder) / HTMX_FILE).read_bytes()
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert HTMX_SRI == f"sha384-{digest}"
    assert (Path(app.static_folder) / "vendor" / "htmx-2.0.8.LICENSE").exists()
    config = json.loads(select_one(html, 'meta[name="htmx-config"]')["content"])
    assert config["allowEval"] is False


def test_security_headers_on_a_page(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Permissions-Policy" in headers
