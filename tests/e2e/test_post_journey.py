"""Journey d: a clinician drafts a post, previews it, publishes it, and readers find it on the
home page.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .browser import assert_no_problems, without_page_load

TITLE = "Cladribine tablets: what the two treatment years look like"


def test_clinician_drafts_previews_and_publishes_a_post(site, visit):
    clinician = visit("neurologist")
    clinician.goto("/")
    clinician.get_by_role("navigation", name="Main").get_by_role("link", name="My posts").click()
    clinician.get_by_role("link", name="Write a post").click()
    clinician.wait_for_url(re.compile(r"/clinic/posts/new$"))

    editor = clinician.locator("#post-editor")
    preview = clinician.locator("#post-preview")
    with without_page_load(clinician):
        editor.get_by_label("Title").fill(TITLE)
        editor.get_by_label("Summary").fill(
            "Two short courses a year apart, and what happens next."
        )
        # Typing refreshes the preview by itself after a pause.
        editor.get_by_label("Post", exact=True).press_sequentially(
            "Each course is **two weeks** of tablets."
        )
        expect(preview.locator(".post-body strong")).to_have_text("two weeks")
        editor.get_by_label("Post", exact=True).fill(
            "Each course is **two weeks** of tablets.\n\n## Monitoring\n\n- blood counts\n"
        )
        editor.get_by_label("References").fill("1. Giovannoni G, et al. NEJM 2010.")
        editor.get_by_label("Treatments").fill("cladribine")
        editor.get_by_role("button", name="Preview").click()
        expect(preview.get_by_role("heading", name="Monitoring")).to_be_visible()
        expect(preview).to_contain_text("Giovannoni")
        expect(preview).to_contain_text(TITLE)

    editor.get_by_role("button", name="Save draft").click()
    clinician.wait_for_url(re.compile(r"/clinic/posts/\d+/edit$"))
    expect(clinician.get_by_text("Draft saved")).to_be_visible()

    reader = visit()
    reader.goto("/")
    expect(reader.get_by_role("link", name=TITLE)).to_have_count(0)

    clinician.locator("#post-editor").get_by_role("button", name="Publish").click()
    clinician.wait_for_url(re.compile(r"/posts/cladribine-"))
    expect(clinician.get_by_text("Your post is published.")).to_be_visible()
    expect(clinician.get_by_role("heading", level=1)).to_have_text(TITLE)

    reader.reload()
    # Listed among the posts (and under "Recent posts" beside them).
    link = reader.get_by_role("heading", name=TITLE, level=2).get_by_role("link")
    expect(link).to_be_visible()
    link.click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(reader.locator(".post-body")).to_contain_text("two weeks")
    expect(reader.locator(".post-body strong")).to_have_text("two weeks")
    assert_no_problems(clinician)
    assert_no_problems(reader)
