"""Atom feeds of new posts and of each post's comments, checked against RFC 4287's rules."""

from __future__ import annotations

from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

from portal.extensions import db
from portal.models import Tag, utcnow

from .helpers import select_all

A = "{http://www.w3.org/2005/Atom}"
FEED_LINK = 'head link[rel="alternate"][type="application/atom+xml"]'

BASE = "http://127.0.0.1:5000"  # PORTAL_BASE_URL in the tests' configuration


def parse(response) -> ET.Element:
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    assert response.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.data)


def text(element: ET.Element, path: str) -> str:
    found = element.find(path)
    assert found is not None, f"missing {path}"
    return found.text or ""


def assert_timestamp(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, "Atom dates carry a time zone (RFC 3339)"
    return moment


def assert_valid_feed(feed: ET.Element, self_path: str) -> None:
    """The elements RFC 4287 requires of a feed and of each entry."""
    assert feed.tag == f"{A}feed"
    assert text(feed, f"{A}id") and text(feed, f"{A}title")
    assert_timestamp(text(feed, f"{A}updated"))
    self_links = [link for link in feed.findall(f"{A}link") if link.get("rel") == "self"]
    assert len(self_links) == 1 and self_links[0].get("href").endswith(self_path)
    assert self_links[0].get("href").startswith("http://")
    ids = []
    for entry in feed.findall(f"{A}entry"):
        ids.append(text(entry, f"{A}id"))
        assert text(entry, f"{A}title")
        assert_timestamp(text(entry, f"{A}updated"))
        assert text(entry, f"{A}author/{A}name")
        alternate = entry.find(f"{A}link[@rel='alternate']")
        assert alternate is not None and alternate.get("href").startswith("http://")
        content = entry.find(f"{A}content")
        assert content is not None and content.get("type") == "html"
    assert len(ids) == len(set(ids)), "entry ids are unique"


def test_the_site_feed_lists_published_posts_newest_first(client, people, make_post):
    older = make_post(
        "Older post",
        published_at=utcnow() - timedelta(days=2),
        tags=[Tag(name="alemtuzumab", slug="alemtuzumab")],
    )
    newer = make_post(
        "Newer post",
        body="Some <b>tags</b> and **bold**.",
        published_at=utcnow() - timedelta(days=1),
    )
    make_post("Secret draft", status="draft", published_at=None)
    response = client.get("/feed.atom")
    feed = parse(response)
    assert_valid_feed(feed, "/feed.atom")
    entries = feed.findall(f"{A}entry")
    assert [text(e, f"{A}title") for e in entries] == ["Newer post", "Older post"]
    first = entries[0]
    assert text(first, f"{A}content") == newer.body_html  # the stored, sanitized HTML
    assert "&lt;b&gt;tags&lt;/b&gt;" in newer.body_html  # typed HTML stays text
    assert first.find(f"{A}link").get("href") == f"{BASE}/posts/{newer.slug}"
    assert text(first, f"{A}author/{A}name") == "Helen Marsh"
    assert text(first, f"{A}author/{A}uri") == f"{BASE}/people/{people['clinician'].id}"
    assert text(first, f"{A}summary") == "A summary."
    assert entries[1].find(f"{A}category").get("term") == "alemtuzumab"
    assert text(feed, f"{A}updated") == text(first, f"{A}updated")
    assert text(first, f"{A}id").startswith("tag:127.0.0.1,")
    assert people["clinician"].email.encode() not in response.data
    assert older.title.encode() in response.data


def test_an_edited_post_reports_its_update(client, make_post):
    post = make_post("Revised", published_at=utcnow() - timedelta(days=1))
    post.updated_at = utcnow()
    db.session.commit()
    entry = parse(client.get("/feed.atom")).find(f"{A}entry")
    assert assert_timestamp(text(entry, f"{A}updated")) > assert_timestamp(
        text(entry, f"{A}published")
    )


def test_an_empty_site_feed_is_still_valid(client):
    feed = parse(client.get("/feed.atom"))
    assert_valid_feed(feed, "/feed.atom")
    assert feed.findall(f"{A}entry") == []


def test_the_comment_feed_holds_approved_comments_only(client, people, post, make_comment):
    question = make_comment(post, people["patient"], "Is the rash normal?")
    make_comment(post, people["clinician"], "Yes, at first.", parent=question)
    make_comment(post, people["caregiver"], "Held back", status="pending")
    make_comment(post, people["caregiver"], "Turned down", status="rejected")
    make_comment(post, people["caregiver"], "Taken down", status="removed")
    orphan = make_comment(post, people["caregiver"], "From a closed account")
    orphan.author = None
    db.session.commit()
    response = client.get(f"/posts/{post.slug}/comments.atom")
    feed = parse(response)
    assert_valid_feed(feed, f"/posts/{post.slug}/comments.atom")
    assert text(feed, f"{A}title") == f"Comments on “{post.title}”"
    entries = feed.findall(f"{A}entry")
    contents = [text(entry, f"{A}content") for entry in entries]
    assert contents == [orphan.body_html, "<p>Yes, at first.</p>", question.body_html]
    titles = [text(entry, f"{A}title") for entry in entries]
    assert titles[1] == f"Helen Marsh replied on “{post.title}”"
    assert titles[2] == f"RiverWalker commented on “{post.title}”"
    assert text(entries[0], f"{A}author/{A}name") == "[deleted account]"
    assert entries[0].find(f"{A}author/{A}uri") is None
    link = entries[2].find(f"{A}link").get("href")
    assert link == f"{BASE}/posts/{post.slug}#comment-{question.id}"
    for secret in (b"Held back", b"Turned down", b"Taken down"):
        assert secret not in response.data
    for person in people.values():
        assert person.email.encode() not in response.data


def test_a_comment_feed_without_comments_is_valid(client, post):
    feed = parse(client.get(f"/posts/{post.slug}/comments.atom"))
    assert_valid_feed(feed, f"/posts/{post.slug}/comments.atom")


def test_comment_feeds_of_drafts_and_missing_posts_are_404(client, make_post, people, log_in):
    draft = make_post("Draft", status="draft", published_at=None)
    log_in(people["clinician"])  # not even for the author: feeds are public
    assert client.get(f"/posts/{draft.slug}/comments.atom").status_code == 404
    assert client.get("/posts/nothing-here/comments.atom").status_code == 404


def test_a_renamed_posts_comment_feed_redirects(client, people, log_in):
    log_in(people["clinician"])
    data = {"title": "First name", "body": "Text", "action": "publish"}
    client.post("/clinic/posts/new", data=data)
    from portal.models import Post

    post = db.session.query(Post).one()
    client.post(f"/clinic/posts/{post.id}/edit", data={**data, "title": "Second name"})
    response = client.get("/posts/first-name/comments.atom")
    assert response.status_code == 301
    assert response.headers["Location"] == "/posts/second-name/comments.atom"


def test_characters_xml_cannot_carry_are_dropped(client, people, post, make_comment):
    make_comment(post, people["patient"], "odd \ufffe character")
    post.title = "Title with \x0b a control"
    db.session.commit()
    for url in ("/feed.atom", f"/posts/{post.slug}/comments.atom"):
        feed = parse(client.get(url))  # parses: the document is well-formed
        assert feed.find(f"{A}entry") is not None


def test_feeds_are_announced_in_the_page_head(client, post):
    home = client.get("/").get_data(as_text=True)
    assert "/feed.atom" in [link["href"] for link in select_all(home, FEED_LINK)]
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    feeds = {link["href"] for link in select_all(page, FEED_LINK)}
    assert feeds == {"/feed.atom", f"/posts/{post.slug}/comments.atom"}
    assert len(select_all(page, 'head [type="application/atom+xml"]')) == 2


def test_public_answers_set_no_cookie(client, post):
    # Feeds and versioned static files may be kept by shared caches: no session in them.
    for path in ("/feed.atom", f"/posts/{post.slug}/comments.atom", "/static/css/portal.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
    # Pages kept for every visitor carry none either; a page with a form does (its CSRF token).
    assert "Set-Cookie" not in client.get("/").headers
    assert "Set-Cookie" in client.get("/login").headers


def test_absolute_links_come_from_the_base_url_not_the_host_header(client, post):
    # A cache in front keeps the feed: a forged Host or X-Forwarded-Host must not reach it.
    for path in ("/feed.atom", f"/posts/{post.slug}/comments.atom"):
        forwarded = client.get(path, headers={"X-Forwarded-Host": "evil.example"})
        feed = forwarded.get_data(as_text=True)
        assert forwarded.status_code == 200
        assert "evil.example" not in feed and f"{BASE}/" in feed
        # Another Host is not answered at all (tests/test_trusted_hosts.py).
        refused = client.get(path, headers={"Host": "evil.example"})
        assert refused.status_code == 400
        assert "evil.example" not in refused.get_data(as_text=True)
