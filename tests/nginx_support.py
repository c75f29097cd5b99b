"""nginx from Debian in front of gunicorn, with the repository's own configuration.

Not a test module. deploy/nginx/portal.conf is the one source: the README deploys it with
envsubst, and render() here fills in the same names, so CI runs what the README shows.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEFAULT_MAX_REQUEST_BYTES = 512 * 1024  # portal/config.py's MAX_CONTENT_LENGTH default
# envsubst's form: ${NAME} only. nginx's own variables ($host, $arg_v…) have no braces here.
PLACEHOLDER = re.compile(r"\$\{(PORTAL_[A-Z_]+)\}")


def render(template: Path, values: dict[str, str]) -> str:
    """The template with every ${PORTAL_…} replaced, as `envsubst '$PORTAL_…'` would."""
    text = template.read_text()
    missing = set(PLACEHOLDER.findall(text)) - values.keys()
    assert not missing, f"{template.name} needs {sorted(missing)}"
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def max_request_bytes() -> int:
    return int(os.environ.get("PORTAL_MAX_REQUEST_BYTES") or DEFAULT_MAX_REQUEST_BYTES)


@dataclass
class Proxy:
    url: str
    port: int
    process: subprocess.Popen
    prefix: Path

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text() if path.exists() else ""


def _wait_until_listening(proxy: Proxy, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proxy.process.poll() is not None:
            raise AssertionError(f"nginx stopped at start-up:\n{proxy.error_log()}")
        try:
            with urllib.request.urlopen(f"{proxy.url}/healthz", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # nginx answered: listening (the app's health is gunicorn's concern)
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise AssertionError(f"nginx did not start listening:\n{proxy.error_log()}")


@contextmanager
def nginx(upstream: str, prefix: Path, port: int) -> Iterator[Proxy]:
    """nginx as the current user, in the foreground, with everything it writes under prefix,
    listening on 127.0.0.1:port and passing requests to upstream (gunicorn's http://host:port).
    """
    assert Path(NGINX).exists(), "nginx is missing: apt-get install nginx (.ci/services.sh does)"
    prefix.mkdir(parents=True, exist_ok=True)
    values = {
        "PORTAL_LISTEN": f"127.0.0.1:{port}",
        "PORTAL_UPSTREAM": upstream.removeprefix("http://"),
        "PORTAL_ROOT": str(ROOT),
        "PORTAL_MAX_REQUEST_BYTES": str(max_request_bytes()),
        "PORTAL_SERVER_NAME": "_",
        "PORTAL_NGINX_PREFIX": str(prefix),
    }
    (prefix / "portal.conf").write_text(render(DEPLOY / "portal.conf", values))
    conf = prefix / "nginx.conf"
    conf.write_text(render(DEPLOY / "standalone.conf", values))
    command = [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    # -e (nginx >= 1.19.5): start-up errors go to the prefix too, not /var/log/nginx.
    check = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    # As root (CI, containers) nginx's workers would otherwise run as nobody, who cannot
    # enter a test's private temporary folder; as anyone else they run as that user anyway.
    settings = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    process = subprocess.Popen(
        [*command, "-g", settings], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    proxy = Proxy(f"http://127.0.0.1:{port}", port, process, prefix)
    try:
        _wait_until_listening(proxy)
        yield proxy
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
