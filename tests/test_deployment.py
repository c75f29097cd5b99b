"""The deployment the README shows: nginx (deploy/nginx/portal.conf) in front of gunicorn.

The first tests read the configuration itself and run everywhere; the rest start Debian's
nginx before gunicorn's sync workers on PostgreSQL (CI's second pass) and try what the proxy
is there for: slow and silent clients, bodies too large, static files.
"""

from __future__ import annotations

import re
import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal import create_app
from portal.accounts import service as accounts

from .gunicorn_support import Browser, Server, free_port, gunicorn, populate
from .helpers import base_config
from .nginx_support import DEPLOY, PLACEHOLDER, Proxy, nginx, render

ROOT = Path(__file__).resolve().parent.parent
IDLE_CONNECTIONS = 200
PAGE_LOADS = 40
WITHIN = 2.0  # seconds an ordinary page load may take while the idle connections are held


def rendered(tmp_path: Path, max_bytes: int) -> str:
    values = {name: "X" for name in PLACEHOLDER.findall((DEPLOY / "portal.conf").read_text())}
    values["PORTAL_MAX_REQUEST_BYTES"] = str(max_bytes)
    return render(DEPLOY / "portal.conf", values)


def directive(conf: str, name: str) -> list[str]:
    return re.findall(rf"^\s*{name}\s+([^;]+);", conf, re.MULTILINE)


def test_the_proxy_limits_bodies_as_the_portal_does_and_buffers_both_ways(tmp_path):
    app = create_app(base_config("sqlite://", tmp_path))
    conf = rendered(tmp_path, app.config["MAX_CONTENT_LENGTH"])

    assert directive(conf, "client_max_body_size") == [str(512 * 1024)]
    assert app.config["MAX_CONTENT_LENGTH"] == 512 * 1024
    assert directive(conf, "proxy_request_buffering") == ["on"]
    assert directive(conf, "proxy_buffering") == ["on"]
    for timeout in ("client_header_timeout", "client_body_timeout", "proxy_read_timeout"):
        assert len(directive(conf, timeout)) == 1, timeout
    # Every forwarded header the portal's ProxyFix and request log read.
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-ID"):
        assert re.search(rf"proxy_set_header {header} \$", conf), header
    assert "${" not in conf


def test_the_readme_deploys_the_configuration_ci_runs():
    readme = (ROOT / "README.md").read_text()
    names = sorted(set(PLACEHOLDER.findall((DEPLOY / "portal.conf").read_text())))
    assert "deploy/nginx/portal.conf" in readme
    # The envsubst line names exactly the placeholders, so nginx's own $variables survive.
    command = re.search(r"envsubst '([^']+)' < deploy/nginx/portal\.conf", readme)
    assert command, "the README renders deploy/nginx/portal.conf with envsubst"
    assert sorted(re.findall(r"\$(\w+)", command.group(1))) == names
    for name in names:
        assert f"{name}=" in readme, f"the README sets {name}"


# Everything below runs nginx and gunicorn on PostgreSQL: CI's second pass.

MEMBER_EMAIL = "patient.reader@example.org"
MEMBER_PASSWORD = "a reader's long passphrase"


@pytest.fixture()
def deployed(database_url, tmp_path) -> Iterator[tuple[Proxy, Server]]:
    def add_member():
        accounts.create_user(
            email=MEMBER_EMAIL, display_name="Patient Reader", password=MEMBER_PASSWORD
        )

    populate(database_url, tmp_path, add_member)
    env = {"PORTAL_PROXY_HOPS": "1", "PORTAL_RATELIMIT_ENABLED": "0"}
    with (
        gunicorn(database_url, workers=3, extra_env=env) as server,
        nginx(server.url, tmp_path / "nginx", free_port()) as proxy,
    ):
        yield proxy, server


STALLED = (
    b"",  # connected, and says nothing
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow",  # stops mid-headers
    # Stops mid-body: only a proxy that buffers whole requests keeps this from a worker.
    b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4096\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\n\r\nemail=slow%40example.org",
)


def hold_idle_connections(port: int, count: int) -> list[socket.socket]:
    """count connections that stall, a third in each of the ways above."""
    held = []
    for n in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if STALLED[n % len(STALLED)]:
            sock.sendall(STALLED[n % len(STALLED)])
        held.append(sock)
    return held


def timed_get(url: str, timeout: float) -> tuple[int | None, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status: int | None = response.status
    except OSError:  # a timeout: the page did not come
        status = None
    return status, time.monotonic() - started


@pytest.mark.multiprocess
def test_idle_connections_against_the_proxy_do_not_hold_up_page_loads(deployed):
    proxy, server = deployed
    held = hold_idle_connections(proxy.port, IDLE_CONNECTIONS)
    try:
        time.sleep(0.5)  # let nginx register every one of them
        loads = [
            timed_get(f"{proxy.url}{path}", 10) for path in ["/", "/rules"] * (PAGE_LOADS // 2)
        ]
    finally:
        for sock in held:
            sock.close()
    slowest = max(seconds for _, seconds in loads)
    print(f"\nthrough nginx, {IDLE_CONNECTIONS} idle: {PAGE_LOADS} loads, slowest {slowest:.3f} s")
    assert [status for status, _ in loads] == [200] * PAGE_LOADS
    assert slowest < WITHIN

    # The same against gunicorn's sync workers directly: a few idle sockets take every worker.
    held = hold_idle_connections(int(server.url.rsplit(":", 1)[1]), IDLE_CONNECTIONS)
    try:
        status, seconds = timed_get(f"{server.url}/rules", WITHIN)
    finally:
        for sock in held:
            sock.close()
    print(f"gunicorn directly, {IDLE_CONNECTIONS} idle: answer {status} after {seconds:.3f} s")
    assert status is None


def raw_post(port: int, length: int, body: bytes = b"") -> tuple[int, str]:
    """POST /login announcing length bytes and sending body; the status line and the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = (
            f"POST /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n\r\n"
        )
        sock.sendall(head.encode() + body)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass  # nginx closes hard once it has refused a body it will not read
    text = answer.decode(errors="replace")
    return int(text.split(" ", 2)[1]), text


@pytest.mark.multiprocess
def test_a_body_over_the_limit_is_refused_by_the_proxy_in_the_portals_words(deployed):
    proxy, _ = deployed
    limit = 512 * 1024

    status, answer = raw_post(proxy.port, limit + 1)  # refused before a byte of body is read
    assert status == 413
    assert "That was too much to send" in answer
    assert "larger than we accept" in answer
    assert "x-request-id" not in answer.lower()  # nginx's answer: no worker was involved

    status, answer = raw_post(proxy.port, limit, b"a" * limit)
    assert status != 413  # at the limit the request reaches the portal, which answers it
    assert "x-request-id" in answer.lower()


@pytest.mark.multiprocess
def test_static_files_come_from_the_proxy_with_the_immutable_header(deployed):
    proxy, _ = deployed
    _, page = Browser(proxy.url).get("/rules")
    stylesheet = re.search(r'href="(/static/css/portal\.css\?v=[^"]+)"', page)
    assert stylesheet, "the page links its versioned stylesheet"

    with urllib.request.urlopen(proxy.url + stylesheet.group(1).replace("&amp;", "&")) as answer:
        assert answer.status == 200
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert answer.headers["X-Request-ID"] is None  # served by nginx, not by a worker
        assert answer.read() == (ROOT / "static/css/portal.css").read_bytes()
    with urllib.request.urlopen(proxy.url + "/static/css/portal.css") as answer:
        assert answer.headers["Cache-Control"] == "no-cache"  # unversioned: check each time


@pytest.mark.multiprocess
def test_the_proxy_passes_the_request_id_and_the_portal_works_through_it(deployed):
    proxy, _ = deployed
    # nginx names every request itself; a client cannot choose the id the logs will show.
    offered = "chosen-by-the-client"
    request = urllib.request.Request(f"{proxy.url}/rules", headers={"X-Request-ID": offered})
    with urllib.request.urlopen(request) as answer:
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"])

    browser = Browser(proxy.url)
    browser.log_in(MEMBER_EMAIL, MEMBER_PASSWORD)
    status, page = browser.get("/account")
    assert status == 200 and "Patient Reader" in page
