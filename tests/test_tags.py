"""Treatment tags: a page for each, links from posts, and the list on the home page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Tag, utcnow

from .helpers import HTMX


def tag(name: str) -> Tag:
    found = db.session.scalar(select(Tag).where(Tag.name == name))
    return found or Tag(name=name, slug=name.replace(" ", "-"))


def test_a_tag_page_lists_only_its_published_posts(client, make_post):
    ocrelizumab = tag("ocrelizumab")
    make_post("Infusion day", tags=[ocrelizumab])
    make_post("Fatigue at work", tags=[tag("fatigue")])
    make_post("Unfinished", tags=[ocrelizumab], status="draft", published_at=None)
    response = client.get("/tags/ocrelizumab")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<h1 id="tag-heading">Posts about ocrelizumab</h1>' in html
    listing = html[html.index('id="tag-posts"') : html.index("All treatments")]
    assert "Infusion day" in listing and "1 post" in listing
    assert "Fatigue at work" not in listing and "Unfinished" not in listing


def test_a_tag_page_is_paginated_and_answers_htmx_with_the_list(app, client, make_post):
    app.config["POSTS_PER_PAGE"] = 2
    cladribine = tag("cladribine")
    for day in range(3):
        make_post(
            f"Cladribine part {day}", tags=[cladribine], published_at=utcnow() - timedelta(days=day)
        )
    page = client.get("/tags/cladribine").get_data(as_text=True)
    first = page[page.index('id="tag-posts"') : page.index('class="sidebar"')]
    assert "Cladribine part 0" in first and "Cladribine part 2" not in first
    assert "Page 1 of 2" in first and 'href="/tags/cladribine?page=2"' in first
    second = client.get("/tags/cladribine?page=2", headers=HTMX).get_data(as_text=True)
    assert "<html" not in second and "<h1" not in second
    assert "Cladribine part 2" in second and "Cladribine part 0" not in second


def test_unknown_tags_are_404(client):
    assert client.get("/tags/no-such-treatment").status_code == 404
    assert client.get("/tags/no-such-treatment", headers=HTMX).status_code == 404


def test_tags_on_posts_link_to_their_pages(client, make_post):
    post = make_post("Infusion day", tags=[tag("ocrelizumab")])
    link = '<li class="tag"><a href="/tags/ocrelizumab">ocrelizumab</a></li>'
    assert link in client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert link in client.get("/").get_data(as_text=True)


def test_the_home_page_lists_treatments_with_published_posts(client, make_post):
    make_post("One", tags=[tag("ocrelizumab"), tag("fatigue")])
    make_post("Two", tags=[tag("ocrelizumab")], slug="two")
    make_post("Draft", tags=[tag("hidden drug")], status="draft", published_at=None)
    html = client.get("/").get_data(as_text=True)
    section = html[
        html.index('id="treatments"') : html.index("</section>", html.index('id="treatments"'))
    ]
    assert '<h2 id="treatments-heading">Treatments</h2>' in section
    assert section.index("fatigue") < section.index("ocrelizumab")  # alphabetical
    assert (
        '<a href="/tags/ocrelizumab">ocrelizumab <span class="count">(2 posts)</span></a>'
        in section
    )
    assert '<a href="/tags/fatigue">fatigue <span class="count">(1 post)</span></a>' in section
    assert "hidden drug" not in section


def test_the_home_page_has_no_treatment_list_before_any_tagged_post(client, make_post):
    make_post("Untagged")
    assert 'id="treatments"' not in client.get("/").get_data(as_text=True)


def test_spellings_that_share_a_slug_are_one_treatment(client, people, log_in):
    log_in(people["clinician"])
    for title, tags in (
        ("First", "Beta interferon"),
        ("Second", "beta-interferon, Beta  Interferon"),
    ):
        data = {"title": title, "body": "Text", "tags": tags, "action": "publish"}
        assert client.post("/clinic/posts/new", data=data).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 1
    html = client.get("/tags/beta-interferon").get_data(as_text=True)
    assert "First" in html and "Second" in html
