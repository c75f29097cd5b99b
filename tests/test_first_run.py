"""The first run: `make run` serves where it is told, explains a busy port, installs from locks."""

from __future__ import annotations

import glob
import re
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture()
def busy_port() -> Iterator[int]:
    """A loopback port that another program is listening on."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener.getsockname()[1]


def check_port(host: str, port: int | str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "portal/port_check.py", host, str(port)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_busy_port_gets_one_plain_paragraph_and_a_failing_exit(busy_port):
    result = check_port("127.0.0.1", busy_port)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    message = result.stderr.strip()
    assert "\n" not in message  # one paragraph
    assert f"Port {busy_port} on 127.0.0.1 is already in use" in message
    assert message.endswith("make run PORT=8080")


def test_a_free_port_passes_in_silence():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        free = listener.getsockname()[1]
    result = check_port("127.0.0.1", free)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("host", "port", "says"),
    [
        ("127.0.0.1", "80a", "PORT=80a is not a port"),
        ("127.0.0.1", "70000", "PORT=70000 is not a port"),
        ("no-such-host.invalid", "5000", "HOST=no-such-host.invalid is not an address"),
    ],
)
def test_a_mistyped_port_or_host_is_explained(host, port, says):
    result = check_port(host, port)
    assert result.returncode == 1
    assert says in result.stderr and "Traceback" not in result.stderr


def test_make_run_checks_then_serves_on_the_chosen_host_and_port():
    dry_run = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=5077"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    check = dry_run.index("portal/port_check.py 0.0.0.0 5077")
    serve = dry_run.index("flask --app portal run --host 0.0.0.0 --port 5077")
    assert dry_run.index("seed-demo --if-empty --print-logins") < check < serve


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {
        canonicalize_name(name): version
        for name, version in re.findall(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", text, re.M)
    }


@pytest.mark.parametrize(("lock", "extras"), [("run.txt", []), ("test.txt", ["test", "bench"])])
def test_the_locks_pin_what_pyproject_asks_for(lock, extras):
    project = PYPROJECT["project"]
    wanted = list(project["dependencies"])
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    pins = _pins(lock)
    for line in wanted:
        requirement = Requirement(line)
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"{requirement.name} is not in requirements/{lock}: make lock"
        assert requirement.specifier.contains(pinned, prereleases=True), (
            f"requirements/{lock} pins {requirement.name}=={pinned}, outside {line}: make lock"
        )


def test_the_run_and_test_locks_agree():
    run, test = _pins("run.txt"), _pins("test.txt")
    assert {name: test.get(name) for name in run} == run


def test_every_demo_content_file_is_installed_as_package_data():
    package = ROOT / "portal" / "demo"
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["portal.demo"]
    installed = {
        Path(path)
        for pattern in patterns
        for path in glob.glob(pattern, root_dir=package, recursive=True)
    }
    on_disk = {path.relative_to(package) for path in (package / "content").rglob("*.*")}
    assert on_disk and installed == on_disk
