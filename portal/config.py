"""Configuration: defaults under instance/, overridden by PORTAL_* environment variables."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_ints(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """A comma-separated list of whole numbers ("60,300,1800")."""
    value = os.environ.get(name)
    if not value:
        return default
    return tuple(int(part) for part in value.split(",") if part.strip())


def _env_helplines(
    name: str, default: tuple[tuple[str, str, str], ...]
) -> tuple[tuple[str, str, str], ...]:
    """Helplines as "name|number|when or what" entries separated by ";" (the third optional)."""
    value = os.environ.get(name)
    if not value:
        return default
    helplines = []
    for entry in value.split(";"):
        parts = [part.strip() for part in entry.split("|")]
        if len(parts) >= 2 and parts[0] and parts[1]:
            helplines.append((parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
    return tuple(helplines) or default


def load_or_create_secret_key(instance_path: Path) -> str:
    """Read the instance's secret key, generating it on first run.

    A key written once and kept means sessions survive restarts and are shared by every
    worker that reads the same instance folder; production sets PORTAL_SECRET_KEY instead.
    """
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two workers starting together must not write two different keys.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


class Config:
    """Every setting the portal reads, with its default and the variable that overrides it."""

    def __init__(self, instance_path: Path) -> None:
        sqlite_default = f"sqlite:///{instance_path / 'portal.sqlite3'}"
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("PORTAL_DATABASE_URL", sqlite_default)
        self.SECRET_KEY = os.environ.get("PORTAL_SECRET_KEY") or load_or_create_secret_key(
            instance_path
        )
        self.RATELIMIT_STORAGE_URI = os.environ.get("PORTAL_RATELIMIT_STORAGE_URL", "memory://")
        self.RATELIMIT_ENABLED = _env_bool("PORTAL_RATELIMIT_ENABLED", True)
        self.RATELIMIT_HEADERS_ENABLED = True
        self.RATELIMIT_STRATEGY = "moving-window"
        # Keeps two portals (or test runs) sharing one Redis from counting each other's hits.
        self.RATELIMIT_KEY_PREFIX = os.environ.get("PORTAL_RATELIMIT_KEY_PREFIX", "portal")
        # Redis away or hung: each process counts in its own memory until Redis answers again
        # (logged once each time, shown by /healthz), never a 500. The short timeout keeps a
        # hung Redis from holding every limited request for seconds.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        if self.RATELIMIT_STORAGE_URI.startswith("redis"):
            timeout = _env_int("PORTAL_RATELIMIT_TIMEOUT_MS", 250) / 1000
            self.RATELIMIT_STORAGE_OPTIONS = {
                "socket_timeout": timeout,
                "socket_connect_timeout": timeout,
            }

        # HTTPS deployments (behind a proxy) set PORTAL_HTTPS=1: secure cookies, HSTS.
        self.PORTAL_HTTPS = _env_bool("PORTAL_HTTPS", False)
        self.PORTAL_PROXY_HOPS = _env_int("PORTAL_PROXY_HOPS", 0)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.PORTAL_HTTPS
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.PORTAL_HTTPS
        # "Keep me logged in" lasts this many days (Flask-Login's own default is a year).
        self.PORTAL_REMEMBER_DAYS = _env_int("PORTAL_REMEMBER_DAYS", 30)
        self.REMEMBER_COOKIE_DURATION = timedelta(days=self.PORTAL_REMEMBER_DAYS)
        # Under HTTPS the __Host- prefix makes browsers refuse these cookies unless they are
        # Secure, for "/" and for this host alone: no subdomain or plain-HTTP page can set them.
        self.SESSION_COOKIE_NAME = "__Host-session" if self.PORTAL_HTTPS else "session"
        self.SESSION_COOKIE_PATH = "/"
        self.REMEMBER_COOKIE_NAME = (
            "__Host-remember_token" if self.PORTAL_HTTPS else "remember_token"
        )
        self.PREFERRED_URL_SCHEME = "https" if self.PORTAL_HTTPS else "http"

        # /healthz answers 503 below this much free disk where the portal writes.
        self.MIN_FREE_DISK_MB = _env_int("PORTAL_MIN_FREE_DISK_MB", 50)
        # The waiting list's counts are kept this long per process (portal/clinic/recent_counts).
        self.QUESTION_COUNTS_SECONDS = _env_int("PORTAL_QUESTION_COUNTS_SECONDS", 5)
        # Visitors' pages kept rendered (portal/page_cache.py): in files under instance/ by
        # default, shared by every process here; in Redis when given (several machines).
        self.PAGE_CACHE_ENABLED = _env_bool("PORTAL_PAGE_CACHE", True)
        self.PAGE_CACHE_URL = os.environ.get("PORTAL_PAGE_CACHE_URL", "")

        self.PASSWORD_HASH_METHOD = "scrypt"
        # Admins and clinicians must use two-step login (a one-time code from an app) before
        # they reach staff pages; `make run`'s demo turns it off with PORTAL_STAFF_TWO_FACTOR=0.
        self.PORTAL_STAFF_TWO_FACTOR = _env_bool("PORTAL_STAFF_TWO_FACTOR", True)
        self.MAX_CONTENT_LENGTH = _env_int("PORTAL_MAX_REQUEST_BYTES", 512 * 1024)
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        self.WTF_CSRF_SSL_STRICT = self.PORTAL_HTTPS
        self.POSTS_PER_PAGE = _env_int("PORTAL_POSTS_PER_PAGE", 10)
        # Reports from accounts younger than this many days, or with no approved comment yet,
        # count for half toward hiding a comment (portal/moderation/rules.py report_weight).
        self.REPORT_TRUST_DAYS = _env_int("PORTAL_REPORT_TRUST_DAYS", 7)
        # Times on pages read without JavaScript are in this zone (with JavaScript, the
        # reader's own); an IANA name, so summer time is applied and named (BST/GMT).
        self.SITE_TIMEZONE = os.environ.get("PORTAL_SITE_TIMEZONE", "Europe/London")
        # Phone numbers written without a country code are read as this country dials them
        # (an ISO 3166 code; portal/personal_data.py).
        self.PERSONAL_DATA_REGION = os.environ.get("PORTAL_PERSONAL_DATA_REGION", "GB").upper()
        # Rendering costs 0.1-0.15 ms per comment shown (docs/PERFORMANCE.md): 20 threads keep a
        # busy post's first view within its 15 ms budget, and "Show more" loads the rest.
        self.THREADS_PER_PAGE = _env_int("PORTAL_THREADS_PER_PAGE", 20)
        self.SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
        # Shown at once to someone whose comment suggests they are in crisis, and to the
        # moderator who reads it: the deployment's own country's numbers. Helplines are
        # "name|number|when or what" entries separated by ";" (the UK's by default).
        self.EMERGENCY_NUMBER = os.environ.get("PORTAL_EMERGENCY_NUMBER", "999")
        self.CRISIS_HELPLINES = _env_helplines(
            "PORTAL_CRISIS_HELPLINES",
            (
                ("NHS 111", "111", "urgent help for your mental or physical health, any time"),
                ("Samaritans", "116 123", "free, at any time, day or night, about anything"),
            ),
        )

        # Absolute links (emails, feeds) come from here, never from the request's Host header.
        self.PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:5000").rstrip(
            "/"
        )
        # Requests for any other host are refused (400): PORTAL_BASE_URL's host is trusted, and
        # so are these, comma-separated ("www.example.org,.example.org" for every subdomain).
        self.PORTAL_TRUSTED_HOSTS = tuple(
            host.strip()
            for host in os.environ.get("PORTAL_TRUSTED_HOSTS", "").split(",")
            if host.strip()
        )
        # The task queue: Huey on SQLite in instance/ by default, on Redis when given redis://.
        self.TASK_QUEUE_URL = os.environ.get(
            "PORTAL_TASK_QUEUE_URL", f"sqlite:///{instance_path / 'tasks.sqlite3'}"
        )
        # Keeps two portals (or test runs) sharing one Redis from taking each other's tasks.
        self.TASK_QUEUE_NAME = os.environ.get("PORTAL_TASK_QUEUE_NAME", "treatment-talk")
        # Notifications: admins are told when the moderation queue has waited this long; the
        # daily digests (and clinicians' new-questions notice) go out at this hour, UTC; the
        # worker re-takes a follower fan-out whose worker vanished after the lease.
        self.QUEUE_WAITING_MINUTES = _env_int("PORTAL_QUEUE_WAITING_MINUTES", 60)
        self.DIGEST_HOUR_UTC = _env_int("PORTAL_DIGEST_HOUR_UTC", 7)
        self.FAN_OUT_LEASE_SECONDS = _env_int("PORTAL_FAN_OUT_LEASE_SECONDS", 300)
        # Mail: a file per message under instance/mail/ by default; PORTAL_MAIL_BACKEND=smtp
        # with the PORTAL_MAIL_* settings for a real server.
        self.MAIL_BACKEND = os.environ.get("PORTAL_MAIL_BACKEND", "file")
        self.MAIL_FILE_PATH = os.environ.get("PORTAL_MAIL_FILE_PATH", str(instance_path / "mail"))
        self.MAIL_SERVER = os.environ.get("PORTAL_MAIL_HOST", "localhost")
        self.MAIL_PORT = _env_int("PORTAL_MAIL_PORT", 25)
        self.MAIL_USE_TLS = _env_bool("PORTAL_MAIL_STARTTLS", False)
        self.MAIL_USE_SSL = _env_bool("PORTAL_MAIL_SSL", False)
        self.MAIL_USERNAME = os.environ.get("PORTAL_MAIL_USER") or None
        self.MAIL_PASSWORD = os.environ.get("PORTAL_MAIL_PASSWORD") or None
        self.MAIL_TIMEOUT = _env_int("PORTAL_MAIL_TIMEOUT", 10)
        self.MAIL_DEFAULT_SENDER = os.environ.get(
            "PORTAL_MAIL_SENDER", "Treatment Talk <no-reply@treatment-talk.invalid>"
        )
        # Delivery: a refused or unreachable server is tried again after each of these delays
        # (seconds; the last repeats), and after MAIL_MAX_ATTEMPTS tries the email is failed.
        self.MAIL_RETRY_DELAYS = _env_ints("PORTAL_MAIL_RETRY_DELAYS", (60, 300, 1800, 7200, 21600))
        self.MAIL_MAX_ATTEMPTS = _env_int("PORTAL_MAIL_MAX_ATTEMPTS", 6)
        # A worker that claimed an email and vanished (killed, host lost) gives it back after
        # this long; it must exceed the longest send (a few MAIL_TIMEOUTs).
        self.MAIL_CLAIM_LEASE_SECONDS = _env_int("PORTAL_MAIL_CLAIM_LEASE_SECONDS", 300)
        # The periodic sweep re-queues emails due for longer than this and still unsent.
        self.MAIL_SWEEP_GRACE_SECONDS = _env_int("PORTAL_MAIL_SWEEP_GRACE_SECONDS", 60)
        self.MAIL_SWEEP_BATCH = _env_int("PORTAL_MAIL_SWEEP_BATCH", 500)
        # `flask --app portal worker`: how many tasks it runs at once (threads).
        self.WORKER_THREADS = _env_int("PORTAL_WORKER_THREADS", 2)
