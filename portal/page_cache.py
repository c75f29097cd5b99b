"""Visitors' pages, kept rendered and compressed, so that the many who only read cost little.

Most readers are visitors reading the same few posts. A visitor's page holds nothing of one
person (no session token; what they cannot use is a link to log in), so one copy, made once
and gzip-compressed once, serves every visitor until something they could see changes.

Kept copies are filed under the content version (content_version.py), read first in each
request: any change to posts, comments or what a page shows of a member makes a new number,
and from then on every page is made afresh. Nothing has to know which pages a change touches,
so no change can be forgotten. Members never get a kept page, and their pages are never kept.

The store is Flask-Caching's: files in the instance folder by default (shared by every
process of one machine), or the deployment's Redis (PORTAL_PAGE_CACHE_URL).
"""

from __future__ import annotations

import gzip
import hashlib
from functools import cache as once
from pathlib import Path

from flask import Flask, Response, current_app, g, request, session
from flask_caching import Cache
from flask_login import current_user

from . import content_version, request_log

# The pages every visitor sees alike: posts and their discussion, lists of posts, feeds.
SHARED_ENDPOINTS = frozenset(
    {
        "posts.index",
        "posts.show",
        "posts.more_threads",
        "posts.answers",
        "tags.show",
        # A member's public page, as a visitor sees it: their shown fields, posts and answers.
        "profiles.show",
        "feeds.posts",
        "feeds.comments",
    }
)
# The query arguments shared pages read; an address with others is answered but not kept.
_KEYED_ARGUMENTS = frozenset({"page", "order"})
# What a kept page is chosen by besides its address: htmx asks for parts of pages.
_CHOOSING_HEADERS = ("HX-Request", "HX-Target", "HX-Boosted", "HX-History-Restore-Request")
# Headers of the view's answer that are not kept: they belong to one answer, or are made again.
_NOT_KEPT = frozenset({"set-cookie", "content-length", "content-encoding", "etag"})
KEEP_SECONDS = 24 * 3600  # an old number's pages are never asked for again; let them go

cache = Cache()


def init_app(app: Flask) -> None:
    content_version.install()  # counted even when nothing is kept: a store may come later
    if not app.config.get("PAGE_CACHE_ENABLED", True):
        return  # every page made for each request, as for members
    url = app.config.get("PAGE_CACHE_URL") or ""
    if url:
        settings = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": url,
            # A hung Redis must not hold a reader for seconds: a miss is only slower.
            "CACHE_OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
        }
    else:
        folder = Path(app.instance_path) / "page-cache"
        folder.mkdir(parents=True, exist_ok=True)
        settings = {
            "CACHE_TYPE": "FileSystemCache",
            "CACHE_DIR": str(folder),
            "CACHE_THRESHOLD": app.config.get("PAGE_CACHE_FILES", 2000),
        }
    settings |= {"CACHE_DEFAULT_TIMEOUT": KEEP_SECONDS, "CACHE_KEY_PREFIX": "page:"}
    cache.init_app(app, config=settings)
    # Straight after the request's id and clock start: the two-step gate and the session's own
    # hooks have nothing to do for a visitor, and were a tenth of a kept page's time.
    hooks = app.before_request_funcs.setdefault(None, [])
    after_log = hooks.index(request_log.start) + 1 if request_log.start in hooks else 0
    hooks.insert(after_log, serve_kept_page)
    # Registered after the security headers, so it runs before them (Flask runs after-request
    # functions last-registered first): what is kept is the view's own answer.
    app.after_request(keep_page)


@once
def _code_fingerprint(*roots: str) -> str:
    """Changes whenever a template or module changes, so a deploy never serves an old page.

    Read once per process, by content, so every worker and every host agrees.
    """
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(Path(root).rglob("*")):
            if path.suffix in (".html", ".py"):
                digest.update(path.read_bytes())
    return digest.hexdigest()


# Settings a visitor's page shows or is shaped by. Machines share kept pages only when these
# agree; a setting a page starts to show belongs here.
SHOWN_SETTINGS = (
    "POSTS_PER_PAGE",
    "THREADS_PER_PAGE",
    "PORTAL_BASE_URL",
    "PORTAL_HTTPS",
    "EMERGENCY_NUMBER",
    "CRISIS_HELPLINES",
)


def _settings_fingerprint() -> str:
    fingerprint = current_app.extensions.get("page_cache_settings")
    if fingerprint is None:
        shown = [(name, current_app.config.get(name)) for name in SHOWN_SETTINGS]
        fingerprint = hashlib.sha256(repr(shown).encode()).hexdigest()
        current_app.extensions["page_cache_settings"] = fingerprint
    return fingerprint


def is_shared_page() -> bool:
    """Whether this answer is one copy for every visitor (templates leave out per-person parts)."""
    return bool(g.get("shared_page"))


def _for_a_visitor() -> bool:
    if request.method != "GET" or request.endpoint not in SHARED_ENDPOINTS:
        return False
    if not _KEYED_ARGUMENTS.issuperset(request.args):
        return False  # made for this request only: made-up addresses cannot fill the store
    if not request.cookies:
        return True  # no session and no remembered login: nobody, without asking Flask-Login
    # A message to show once ("You are logged out") is this visitor's own.
    return not current_user.is_authenticated and "_flashes" not in session


def _key(version: int) -> str:
    chosen_by = [request.full_path, *(request.headers.get(name, "") for name in _CHOOSING_HEADERS)]
    code = _code_fingerprint(current_app.root_path, current_app.template_folder or "")
    parts = "\n".join([str(version), code, _settings_fingerprint(), *chosen_by])
    return hashlib.sha256(parts.encode()).hexdigest()


def _etag(key: str) -> str:
    return key[:32]


def serve_kept_page() -> Response | None:
    if not _for_a_visitor():
        return None
    # First, before anything the page shows is read: a page made after this moment is at
    # least as new as the number it is filed under.
    key = _key(content_version.current())
    g.shared_page = True
    g.shared_page_key = key
    if request.if_none_match.contains_weak(_etag(key)):
        return _tagged(Response(status=304), key)
    try:
        kept = cache.get(key)
    except Exception:  # an unreachable store costs speed, never the page
        _say_once("Could not read a kept page; making it afresh")
        kept = None
    if kept is None:
        return None  # the view makes it; keep_page files it
    status, headers, body = kept
    return _answer(status, headers, body, key)


def keep_page(response: Response) -> Response:
    key = g.get("shared_page_key")
    if (
        key is None
        or response.status_code != 200
        or response.direct_passthrough
        or response.is_streamed
        or "Set-Cookie" in response.headers
        or session.modified
    ):
        return response
    if "Content-Encoding" in response.headers:
        return response  # someone else compressed it already: not ours to keep
    body = gzip.compress(response.get_data(), compresslevel=6, mtime=0)
    headers = [(name, value) for name, value in response.headers if name.lower() not in _NOT_KEPT]
    try:
        cache.set(key, (response.status_code, headers, body))
    except Exception:  # a full disk or an absent Redis costs speed, never the page
        _say_once("Could not keep a visitor's page")
    return _answer(response.status_code, headers, body, key)


def _say_once(what: str) -> None:
    """Logged once per process and problem: a store that is away would fill the log."""
    said = current_app.extensions.setdefault("page_cache_said", set())
    if what not in said:
        said.add(what)
        current_app.logger.warning("%s (the page cache's store failed)", what, exc_info=True)


def _answer(status: int, headers: list, body: bytes, key: str) -> Response:
    response = Response(status=status, headers=headers)
    if "gzip" in request.accept_encodings:
        response.set_data(body)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(gzip.decompress(body))
    response.vary.add("Accept-Encoding")
    return _tagged(response, key)


def _tagged(response: Response, key: str) -> Response:
    # Weak: the same page, compressed or not, is the same page.
    response.set_etag(_etag(key), weak=True)
    return response
