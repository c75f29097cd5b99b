"""Times on the page: <time datetime> holds the moment in UTC; without JavaScript the text is
in the site's zone (SITE_TIMEZONE, Europe/London by default), named with its summer-time
abbreviation. (portal.js rewrites it into the reader's zone: tests/e2e/test_drafts_journey.py.)"""

from __future__ import annotations

from datetime import UTC, datetime

from portal.templating import human_date, human_datetime, iso

from .helpers import select_one

WINTER = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 14, 5, tzinfo=UTC)


def test_the_site_zone_is_london_by_default_with_its_abbreviation(app):
    assert app.config["SITE_TIMEZONE"] == "Europe/London"
    with app.test_request_context():
        assert human_datetime(WINTER) == "30 November 2026, 14:05 GMT"
        assert human_datetime(SUMMER) == "1 July 2026, 15:05 BST"


def test_the_hour_that_crosses_midnight_changes_the_day(app):
    with app.test_request_context():
        assert human_datetime(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == (
            "1 July 2026, 00:30 BST"
        )


def test_a_stored_time_without_a_zone_is_read_as_utc(app):
    with app.test_request_context():
        assert human_datetime(datetime(2026, 7, 1, 14, 5)) == "1 July 2026, 15:05 BST"
        assert human_datetime(None) == ""


def test_another_site_zone_can_be_configured(app):
    app.config["SITE_TIMEZONE"] = "Australia/Sydney"
    with app.test_request_context():
        assert human_datetime(WINTER) == "1 December 2026, 01:05 AEDT"


def test_datetime_attribute_stays_the_utc_truth(client, post, people, make_comment):
    comment = make_comment(post, people["patient"], "Summer words", created_at=SUMMER)
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    stamp = select_one(page, f"#comment-card-{comment.id} time")
    assert stamp["datetime"] == iso(SUMMER) == "2026-07-01T14:05:00+00:00"
    assert stamp.get_text() == "1 July 2026, 15:05 BST"


def test_a_date_alone_is_the_sites_day_too(app):
    late_evening = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    with app.test_request_context():
        assert human_date(late_evening) == "1 July 2026"
        assert human_date(WINTER) == "30 November 2026"
