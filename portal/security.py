"""Response headers every page carries: CSP, framing, sniffing, referrer and caching rules."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

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


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    from flask import current_app

    if current_app.config.get("PORTAL_HTTPS"):
        headers.setdefault("Strict-Transport-Security", f"max-age={YEAR}; includeSubDomains")
    if request.endpoint == "static" and request.args.get("v"):
        # The URL carries the file's hash, so a changed file is a new URL.
        headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    elif "Cache-Control" not in headers and response.mimetype == "text/html":
        # Pages hold per-user content (CSRF token, pending comments): no shared caches.
        headers["Cache-Control"] = "private, no-cache"
    if request.endpoint != "static":
        # Any page can answer htmx with a fragment (error pages included), so every answer,
        # full page or fragment, tells caches that the HX-Request header chose it.
        headers.add("Vary", "HX-Request")
    return response


def register(app: Flask) -> None:
    if app.config.get("PORTAL_PROXY_HOPS"):
        hops = app.config["PORTAL_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.after_request(add_security_headers)
