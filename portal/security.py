"""Response headers every page carries: CSP, framing, sniffing, referrer and caching rules;
and the hosts the portal answers to.

Caching: only answers that are the same for everyone (feeds, versioned static files) may be
kept by shared caches. Every other answer may depend on who is logged in (a page, an htmx
fragment, a data export, a redirect, a 401 or 403), so it is marked private (or no-store).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response
from werkzeug.wsgi import get_host

from .auth_session import PUBLIC_ENDPOINTS

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
YEAR = 365 * 24 * 3600


def is_public(response: Response) -> bool:
    """The same answer for everyone: a feed or a static file, as found (a redirect or an
    error from them may depend on the reader: a draft's old address redirects its author)."""
    return request.endpoint in PUBLIC_ENDPOINTS and response.status_code in (200, 304)


def keep_private(response: Response) -> None:
    """Mark an answer for this browser only: private (no shared cache), or no-store if set."""
    if "Cache-Control" not in response.headers:
        # The usual case, written as the general path below writes it: parsing and writing
        # the header through cache_control costs more than a kept visitor's page itself.
        response.headers["Cache-Control"] = "private, no-cache"
        return
    cache = response.cache_control
    if cache.no_store:
        return
    cache.public = False
    cache.private = True
    if cache.max_age is None and not cache.no_cache:
        # Pages hold per-user content (CSRF token, pending comments): ask again each time.
        cache.no_cache = True


_ALWAYS_SENT = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    # What a view set itself wins. One pass over the names instead of a scan per header: each
    # look-up lower-cases every header the answer has, and a kept page pays it on every request.
    present = {name.lower() for name, _ in headers.items()}
    headers.extend((name, value) for name, value in _ALWAYS_SENT if name.lower() not in present)
    from flask import current_app

    if current_app.config.get("PORTAL_HTTPS"):
        headers.setdefault("Strict-Transport-Security", f"max-age={YEAR}; includeSubDomains")
    if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
        # The URL carries the file's hash, so a changed file is a new URL.
        headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    elif not is_public(response):
        keep_private(response)
    if request.endpoint != "static":
        # Any page can answer htmx with a fragment (error pages included), so every answer,
        # full page or fragment, tells caches that the HX-Request header chose it.
        headers.add("Vary", "HX-Request")
    return response


# Names of this machine: a portal whose address is one of them answers to all of them, so
# that `make run` opens at http://localhost:5000 as well as at 127.0.0.1.
LOOPBACK_NAMES = ("127.0.0.1", "localhost")
REFUSED_HOST_PAGE = (
    '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
    "<title>Bad request: unknown address</title></head>\n<body>\n"
    "<h1>Bad request</h1>\n<p>This site does not answer to the address this request was "
    "sent to. Please use the site's own address.</p>\n</body>\n</html>\n"
)


def trusted_hosts(config: Any) -> list[str]:
    """PORTAL_BASE_URL's host, the PORTAL_TRUSTED_HOSTS, and the loopback names for a local
    base URL. Werkzeug compares host names without their ports."""
    return list(
        _trusted_hosts(config["PORTAL_BASE_URL"], tuple(config.get("PORTAL_TRUSTED_HOSTS") or ()))
    )


@lru_cache(maxsize=16)
def _trusted_hosts(base_url: str, extra: tuple[str, ...]) -> tuple[str, ...]:
    # Asked several times per request (the middleware, then Flask for the Host header): worked
    # out once per distinct setting, so a changed setting is still read at once.
    base_host = urlsplit(base_url).hostname or ""
    hosts: list[str] = [base_host, *extra]
    if base_host in LOOPBACK_NAMES:
        hosts.extend(LOOPBACK_NAMES)
    return tuple(dict.fromkeys(host.strip().lower() for host in hosts if host.strip()))


class TrustedHosts(Sequence[str]):
    """Flask's TRUSTED_HOSTS, read from the settings at each request rather than copied once,
    so that a changed PORTAL_BASE_URL (the worker's, a test's) is trusted at once."""

    def __init__(self, config: Any) -> None:
        self.config = config

    def __iter__(self) -> Iterator[str]:
        return iter(trusted_hosts(self.config))

    def __len__(self) -> int:
        return len(trusted_hosts(self.config))

    def __getitem__(self, index: Any) -> Any:
        return trusted_hosts(self.config)[index]

    def __repr__(self) -> str:
        return f"TrustedHosts({trusted_hosts(self.config)!r})"


class RefuseOtherHosts:
    """WSGI middleware: a request for a host the portal does not serve gets a plain 400.

    Flask's TRUSTED_HOSTS refuses such a request too, but late: its before-request hooks
    would run without a URL adapter and the error page could not be drawn. Refusing here,
    before Flask (and after ProxyFix, which may set the host from X-Forwarded-Host), answers
    the same plain page every time and sets no cookie.
    """

    def __init__(self, wsgi_app: Any, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict, start_response: Any) -> Iterable[bytes]:
        trusted = self.app.config.get("TRUSTED_HOSTS")
        if trusted is not None:
            try:
                get_host(environ, trusted)
            except SecurityError:
                refused = Response(REFUSED_HOST_PAGE, status=400, mimetype="text/html")
                refused.headers["Cache-Control"] = "no-store"
                refused.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                refused.headers["X-Content-Type-Options"] = "nosniff"
                return refused(environ, start_response)
        return self.wsgi_app(environ, start_response)


def register(app: Flask) -> None:
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = TrustedHosts(app.config)
    app.wsgi_app = RefuseOtherHosts(app.wsgi_app, app)  # type: ignore[method-assign]
    if app.config.get("PORTAL_PROXY_HOPS"):
        hops = app.config["PORTAL_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.after_request(add_security_headers)
