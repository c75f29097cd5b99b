"""A minimal browser for the benchmark: cookies, the page's CSRF token, and logging in."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from .load import check_loopback

# One fixed agent for every request, wrk's included: "strong" session protection ties the
# login to it.
USER_AGENT = "treatment-talk-bench"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Browser:
    """One visitor with a cookie jar, talking to one loopback server."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_loopback(f"http://{self.host}:{self.port}/")

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = {"User-Agent": USER_AGENT, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = self.cookie_header
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)

    def csrf_token(self, path: str) -> str:
        page = self.request("GET", path)
        match = CSRF_META.search(page.body.decode())
        if not match:
            raise RuntimeError(f"{path} carries no CSRF token")
        return match.group(1)

    def log_in(self, email: str, password: str) -> None:
        token = self.csrf_token("/login")
        answer = self.request(
            "POST", "/login", form={"csrf_token": token, "email": email, "password": password}
        )
        if answer.status != 303:
            raise RuntimeError(f"logging in as {email} answered {answer.status}")
        # Show the welcome message once, so the cookie that load tests replay carries no flash.
        self.request("GET", "/")
