"""Absolute URLs come from configuration, and requests for any other host are refused."""

from __future__ import annotations

import re

import pytest

from portal import create_app
from portal.security import trusted_hosts

from .helpers import HTMX, PortalClient, base_config


def portal(tmp_path, database_url, **settings):
    app = create_app({**base_config(database_url, tmp_path), **settings})
    app.test_client_class = PortalClient
    return app


def test_the_trusted_hosts_come_from_the_base_url_and_the_extra_list():
    assert trusted_hosts(
        {"PORTAL_BASE_URL": "https://talk.example.org", "PORTAL_TRUSTED_HOSTS": ()}
    ) == ["talk.example.org"]
    assert trusted_hosts(
        {
            "PORTAL_BASE_URL": "https://talk.example.org:8443/forum",
            "PORTAL_TRUSTED_HOSTS": ("www.talk.example.org", " .internal.example "),
        }
    ) == ["talk.example.org", "www.talk.example.org", ".internal.example"]
    # A local portal (make run, the browser tests) answers to both names of this machine.
    assert trusted_hosts({"PORTAL_BASE_URL": "http://127.0.0.1:5000"}) == [
        "127.0.0.1",
        "localhost",
    ]


def test_flask_is_told_the_trusted_hosts_as_the_settings_say_now(app, client):
    assert list(app.config["TRUSTED_HOSTS"]) == ["127.0.0.1", "localhost"]
    app.config["PORTAL_BASE_URL"] = "https://talk.example.org"
    assert list(app.config["TRUSTED_HOSTS"]) == ["talk.example.org"]
    assert client.get("/", headers={"Host": "talk.example.org"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost"}).status_code == 400


def test_an_explicit_trusted_hosts_setting_wins(tmp_path, database_url):
    app = portal(tmp_path, database_url, TRUSTED_HOSTS=["only.example"])
    client = app.test_client()
    assert client.get("/", headers={"Host": "only.example"}).status_code == 200
    assert client.get("/", headers={"Host": "127.0.0.1"}).status_code == 400


@pytest.mark.parametrize("path", ["/", "/feed.atom", "/login", "/static/css/portal.css", "/nope"])
def test_a_request_for_another_host_gets_a_plain_400_and_no_cookie(client, path):
    for headers in ({"Host": "evil.example"}, {"Host": "evil.example", **HTMX}):
        response = client.get(path, headers=headers)
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "<h1>Bad request</h1>" in page and "does not answer to the address" in page
        assert "evil.example" not in page
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_a_post_to_another_host_is_refused_before_anything_happens(client, people):
    response = client.post(
        "/login",
        data={"email": people["patient"].email, "password": "whatever"},
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers


def test_the_base_urls_host_with_any_port_is_answered(client):
    for host in ("127.0.0.1:5000", "127.0.0.1:8123", "localhost", "localhost:5000"):
        assert client.get("/", headers={"Host": host}).status_code == 200, host


def test_a_deployment_answers_its_own_host_and_the_extra_ones_only(tmp_path, database_url):
    app = portal(
        tmp_path,
        database_url,
        PORTAL_BASE_URL="https://talk.example.org",
        PORTAL_TRUSTED_HOSTS=("www.talk.example.org",),
    )
    client = app.test_client()
    for host, status in (
        ("talk.example.org", 200),
        ("www.talk.example.org", 200),
        ("localhost", 400),
        ("127.0.0.1", 400),
        ("talk.example.org.evil.example", 400),
    ):
        assert client.get("/", headers={"Host": host}).status_code == status, host


def test_behind_a_proxy_a_forwarded_host_is_checked_too(tmp_path, database_url, post):
    app = portal(
        tmp_path, database_url, PORTAL_BASE_URL="https://talk.example.org", PORTAL_PROXY_HOPS=1
    )
    client = app.test_client()
    proxy = {"Host": "backend:8000", "X-Forwarded-Proto": "https"}
    forged = client.get("/feed.atom", headers={**proxy, "X-Forwarded-Host": "evil.example"})
    assert forged.status_code == 400
    good = client.get("/feed.atom", headers={**proxy, "X-Forwarded-Host": "talk.example.org"})
    assert good.status_code == 200
    assert "https://talk.example.org/" in good.get_data(as_text=True)


def test_without_a_proxy_a_forwarded_host_changes_nothing(client, post):
    response = client.get("/feed.atom", headers={"X-Forwarded-Host": "evil.example"})
    assert response.status_code == 200
    assert "evil.example" not in response.get_data(as_text=True)


def test_links_in_emails_come_from_the_base_url_whatever_the_request_host(client, people):
    from portal.extensions import db
    from portal.models import OutgoingEmail

    client.application.config["PORTAL_BASE_URL"] = "https://talk.example.org"
    client.application.config["PORTAL_TRUSTED_HOSTS"] = ("localhost",)
    # The request comes to localhost, a trusted host; the link still names the base URL.
    sent = client.post("/password/forgot", data={"email": people["patient"].email})
    assert sent.status_code == 303
    links = [email.link for email in db.session.scalars(db.select(OutgoingEmail))]
    assert links, "the reset email was queued"
    assert all(link.startswith("https://talk.example.org/") for link in links)


def test_no_code_builds_an_absolute_link_from_the_request():
    # links.absolute_url (PORTAL_BASE_URL) is the one way to an absolute address.
    from pathlib import Path

    # Comparing with request.host (safe_urls.py: is this link ours?) builds nothing.
    forbidden = re.compile(
        r"_external\s*=\s*True|host_url|url_root|(?<!= )request\.host\b(?!\s*[!=]=)"
    )
    root = Path(__file__).parent.parent
    found = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("portal", "templates")
        for path in (root / folder).rglob("*.*")
        if path.suffix in {".py", ".html", ".txt", ".xml"}
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if forbidden.search(line)
    ]
    assert found == []
