"""The demo's accounts under their old name, for tests/e2e/conftest.py (`import USERS`).

The demo lives in portal/demo/: its texts in portal/demo/content/, read by portal/demo/loader.py.
New code imports from there; this module goes once nothing imports it.
"""

from __future__ import annotations

from .demo.loader import DemoUser, people

USERS: tuple[DemoUser, ...] = people()
