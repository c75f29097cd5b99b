"""Treatment tags: a page for each, links from posts, and the list on the home page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Tag, utcnow

from .helpers import HTMX, select_all, select_one, text_of, texts_of


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
    assert text_of(html, "h1#tag-heading") == "Posts about ocrelizumab"
    listing = text_of(html, "#tag-posts")
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
    first = select_one(page, "#tag-posts")
    assert "Cladribine part 0" in text_of(first) and "Cladribine part 2" not in text_of(first)
    assert "Page 1 of 2" in text_of(first)
    assert select_all(first, 'a[href="/tags/cladribine?page=2"]')
    second = client.get("/tags/cladribine?page=2", headers=HTMX).get_data(as_text=True)
    assert "<html" not in second and not select_all(second, "h1")
    assert "Cladribine part 2" in second and "Cladribine part 0" not in second


def test_unknown_tags_are_404(client):
    assert client.get("/tags/no-such-treatment").status_code == 404
    assert client.get("/tags/no-such-treatment", headers=HTMX).status_code == 404


def test_tags_on_posts_link_to_their_pages(client, make_post):
    post = make_post("Infusion day", tags=[tag("ocrelizumab")])
    link = 'li.tag > a[href="/tags/ocrelizumab"]'
    assert "ocrelizumab" in texts_of(client.get(f"/posts/{post.slug}"), link)
    assert "ocrelizumab" in texts_of(client.get("/"), link)


def test_the_home_page_lists_treatments_with_published_posts(client, make_post):
    make_post("One", tags=[tag("ocrelizumab"), tag("fatigue")])
    make_post("Two", tags=[tag("ocrelizumab")], slug="two")
    make_post("Draft", tags=[tag("hidden drug")], status="draft", published_at=None)
    html = client.get("/").get_data(as_text=True)
    section = select_one(html, "section#treatments")
    assert text_of(section, "h2#treatments-heading") == "Treatments"
    treatments = texts_of(section, "li.tag > a")
    assert treatments == ["fatigue (1 post)", "ocrelizumab (2 posts)"]  # alphabetical
    assert texts_of(section, 'a[href="/tags/ocrelizumab"] > span.count') == ["(2 posts)"]
    assert texts_of(section, 'a[href="/tags/fatigue"] > span.count') == ["(1 post)"]
    assert "hidden drug" not in str(section)


def test_the_home_page_has_no_treatment_list_before_any_tagged_post(client, make_post):
    make_post("Untagged")
    assert not select_all(client.get("/"), "#treatments")


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
