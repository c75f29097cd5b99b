"""Absolute links, built from PORTAL_BASE_URL rather than from whoever sent the request.

Emails are rendered by the worker, outside any request, and a link must never point at a
host an attacker put in a header; so every absolute URL is made here.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def absolute_url(endpoint: str, **values: Any) -> str:
    """The full address of endpoint (with values), under the configured base URL."""
    return current_app.config["PORTAL_BASE_URL"] + url_for(endpoint, **values)
