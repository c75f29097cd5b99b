"""gunicorn's settings for the portal, read from this folder by `gunicorn wsgi:app`.

Only what every deployment needs lives here; workers, bind and the request timeout stay on
the command line (README, "Deploying").
"""

from __future__ import annotations

import os

MEMORY_LIMITS_WARNING = (
    "\n"
    "!!! Rate limits are counted in each worker's own memory (PORTAL_RATELIMIT_STORAGE_URL is "
    "unset or memory://) and %d workers are starting: every worker counts for itself, so a "
    "limit of 10 lets about %d through. Point PORTAL_RATELIMIT_STORAGE_URL at Redis "
    "(redis://127.0.0.1:6379/0) before serving the internet. !!!\n"
)


# SIGTERM (a deploy, systemd stopping the service) closes the listening socket at once and lets
# each worker finish the request it is serving for up to this many seconds; requests take
# well under a second, so nothing acknowledged is cut short. Keep it below the service
# manager's own stop timeout (systemd: 90 s, Kubernetes: 30 s) so gunicorn, not SIGKILL, ends.
graceful_timeout = 25


def when_ready(server) -> None:
    """Say it loudly at start-up when limits would be counted apart in several workers."""
    storage = os.environ.get("PORTAL_RATELIMIT_STORAGE_URL", "memory://")
    workers = server.cfg.workers
    if workers > 1 and storage.startswith("memory"):
        server.log.warning(MEMORY_LIMITS_WARNING, workers, workers * 10)
