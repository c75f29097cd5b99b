"""The framework's ceiling: a Flask route that returns a constant page of a given size.

Served by the same gunicorn settings as the portal, it shows what this machine can do with
no database, no templates and no extensions, so the portal's numbers read as a fraction of it.
"""

from __future__ import annotations

import os

from flask import Flask

BODY_BYTES = int(os.environ.get("BENCH_BARE_BYTES", "100000"))
# Repetitive text compresses like HTML does; a constant, so the route does no work per request.
BODY = ("<p>Treatment Talk bare benchmark page.</p>\n" * (BODY_BYTES // 41 + 1))[:BODY_BYTES]

app = Flask(__name__)


@app.get("/")
def constant_page() -> str:
    return BODY
