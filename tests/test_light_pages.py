"""Light pages for readers on old phones and slow Wi-Fi: compressed, cached, and small in all."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from .helpers import select_all

BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}
GZIP_ONLY = {"Accept-Encoding": "gzip"}
YEAR = 365 * 24 * 3600
FIRST_VIEW_BUDGET = 60 * 1024


def assets_of(html: str) -> list[str]:
    """The stylesheets' and scripts' addresses, in page order."""
    assets = select_all(html, 'link[rel="stylesheet"][href], script[src]')
    return [asset.get("href") or asset["src"] for asset in assets]


def decoded(response) -> bytes:
    assert response.headers.get("Content-Encoding") == "gzip"
    return gzip.decompress(response.data)


# --- static files ---------------------------------------------------------------------------


def test_every_page_links_its_css_and_scripts_by_content_hash(app, client):
    html = client.get("/").get_data(as_text=True)
    urls = assets_of(html)
    assert any("/static/css/portal.css?v=" in url for url in urls)
    assert any("/static/js/portal.js?v=" in url for url in urls)
    assert any("/static/vendor/htmx-" in url for url in urls)
    for url in urls:
        path, _, version = url.partition("?v=")
        data = (Path(app.static_folder) / path.removeprefix("/static/")).read_bytes()
        assert version == hashlib.sha256(data).hexdigest()[:12]


def test_hashed_static_files_are_cached_for_a_year(client):
    for url in assets_of(client.get("/").get_data(as_text=True)):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == f"public, max-age={YEAR}, immutable"
        response.close()


def test_a_static_file_without_its_hash_is_not_cached_forever(client):
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")
    response.close()


def test_a_changed_file_gets_a_new_url(app, tmp_path):
    from portal.templating import _file_digest, asset_url

    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "portal.css").write_text("body { color: black; }")
    app.static_folder = str(static)
    with app.test_request_context():
        before = asset_url("css/portal.css")
        (static / "css" / "portal.css").write_text("body { color: navy; }")
        _file_digest.cache_clear()  # read once per process: a deploy starts new processes
        after = asset_url("css/portal.css")
    assert before != after


# --- compression ----------------------------------------------------------------------------


def test_pages_are_gzipped_for_browsers_that_accept_it(client, post, make_comment, people):
    make_comment(post, people["patient"], "A question about fatigue")
    plain = client.get(f"/posts/{post.slug}")
    packed = client.get(f"/posts/{post.slug}", headers=GZIP_ONLY)
    assert "Content-Encoding" not in plain.headers
    assert "A question about fatigue" in decoded(packed).decode()
    assert len(packed.data) < len(plain.data) / 2
    assert "Accept-Encoding" in packed.headers["Vary"]


@pytest.mark.parametrize("asset", ["css/portal.css", "js/portal.js", "vendor/htmx-2.0.8.min.js"])
def test_stylesheets_and_scripts_are_gzipped(client, asset):
    plain = client.get(f"/static/{asset}")
    packed = client.get(f"/static/{asset}", headers=GZIP_ONLY)
    assert decoded(packed) == plain.data
    assert len(packed.data) < len(plain.data)
    plain.close()
    packed.close()


def test_the_atom_feed_is_gzipped(client, make_post):
    for n in range(5):
        make_post(f"Treatment news {n}")
    feed = client.get("/feed.atom", headers=GZIP_ONLY)
    assert feed.mimetype == "application/atom+xml"
    assert b"Treatment news 4" in decoded(feed)


def test_tiny_answers_are_not_compressed(client, post, make_comment, people):
    comment = make_comment(post, people["patient"], "Hello")
    htmx = {"HX-Request": "true", **GZIP_ONLY}
    response = client.get(f"/comments/{comment.id}/reply/cancel", headers=htmx)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


# --- the first view, all in -----------------------------------------------------------------


def test_first_view_of_a_post_with_20_comments_is_under_60_kb(client, post, make_comment, people):
    for n in range(10):
        question = make_comment(
            post,
            people["patient"],
            f"Question {n}: since my second infusion I have felt more tired in the afternoons. "
            "Is that common, and does it settle? I read https://www.mstrust.org.uk/a-z/fatigue "
            "but it does not say much about timing.",
        )
        make_comment(
            post,
            people["clinician"],
            "It is common and usually settles within a few weeks. Keep a diary of sleep, heat and "
            "activity, and tell your MS team if it gets worse.",
            parent=question,
        )
    page = client.get(f"/posts/{post.slug}", headers=BROWSER)
    html = page.data if "Content-Encoding" not in page.headers else decoded_any(page)
    assert len(select_all(html.decode(), ".comment")) >= 20
    sizes = {"page": len(page.data)}
    for url in assets_of(html.decode()):
        asset = client.get(url, headers=BROWSER)
        assert asset.status_code == 200
        assert asset.headers.get("Content-Encoding") in ("gzip", "br", "zstd")
        sizes[url] = len(asset.get_data())
        asset.close()
    assert len(sizes) >= 4, sizes  # the page, its stylesheet, htmx and portal.js
    assert sum(sizes.values()) <= FIRST_VIEW_BUDGET, sizes


def decoded_any(response) -> bytes:
    """The page as the browser sees it, whichever encoding the server picked."""
    encoding = response.headers["Content-Encoding"]
    if encoding == "gzip":
        return gzip.decompress(response.data)
    if encoding == "br":
        import brotli

        return brotli.decompress(response.data)
    from backports import zstd

    return zstd.decompress(response.data)
