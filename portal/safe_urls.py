"""Deciding whether a user-supplied URL may be used as a redirect target."""

from __future__ import annotations

from urllib.parse import urlsplit


def same_site_path(target: str | None) -> str | None:
    """Return target as a path on this site, or None when it would leave it.

    Accepts absolute URLs only to reduce them to their path, so that a `next` taken from
    the Referer works; rejects scheme-relative (`//evil`), backslash and control tricks.
    """
    if not target:
        return None
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        from flask import request

        if parts.scheme not in {"http", "https"} or parts.netloc != request.host:
            return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{path}{query}{fragment}"
