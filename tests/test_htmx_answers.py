"""One way to answer htmx: the same URL gives a page or its fragment, and says so to caches."""

from __future__ import annotations

from .helpers import HTMX

HISTORY_RESTORE = {**HTMX, "HX-History-Restore-Request": "true"}


def _varies_on_htmx(response) -> bool:
    return "HX-Request" in {v.strip() for v in response.headers.get("Vary", "").split(",")}


def test_a_page_and_its_fragment_both_vary_on_hx_request(client, people, log_in):
    log_in(people["clinician"])
    page = client.get("/clinic/questions")
    fragment = client.get("/clinic/questions", headers=HTMX)
    assert "<html" in page.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert _varies_on_htmx(page) and _varies_on_htmx(fragment)


def test_a_history_restore_gets_the_whole_page(client, people, log_in):
    log_in(people["clinician"])
    restored = client.get("/clinic/questions", headers=HISTORY_RESTORE)
    assert "<html" in restored.get_data(as_text=True) and _varies_on_htmx(restored)


def test_redirects_and_errors_vary_too(client, post, people, log_in):
    # A plain reply link redirects, the htmx one answers a form: caches must keep them apart.
    visitor_redirect = client.get(f"/posts/{post.slug}/threads")
    assert visitor_redirect.status_code == 302 and _varies_on_htmx(visitor_redirect)
    missing = client.get("/posts/no-such-post", headers=HTMX)
    assert missing.status_code == 404 and _varies_on_htmx(missing)
    assert "<html" not in missing.get_data(as_text=True)


def test_static_files_do_not_vary(client):
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200 and not _varies_on_htmx(response)
