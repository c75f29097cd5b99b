"""`make run`'s last step before `flask run`: is the port free? If not, say so in one paragraph.

Run as `python portal/port_check.py HOST PORT`; it exits 0 silently when the server can listen
there, and 1 with a message naming the port and how to pick another. Standard library only,
so that it needs nothing from the package it sits in.
"""

from __future__ import annotations

import errno
import socket
import sys

OTHER_PORT = 8080


def _try_another(port: int) -> str:
    return f"make run PORT={OTHER_PORT if port != OTHER_PORT else OTHER_PORT + 1}"


def problem(host: str, port_text: str) -> str | None:
    """Why a server could not listen on host:port, or None when it can."""
    try:
        port = int(port_text)
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        return (
            f"PORT={port_text} is not a port: use a number from 1 to 65535, "
            f"e.g. make run PORT={OTHER_PORT}."
        )
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            # As the development server does, so that a port left in TIME_WAIT counts as free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except socket.gaierror:
        return (
            f"HOST={host} is not an address this machine knows. Use make run HOST=127.0.0.1 "
            "(this machine only, the default) or HOST=0.0.0.0 (every network it is on)."
        )
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return (
                f"Port {port} on {host} is already in use, perhaps by an earlier make run that is "
                "still running, or by another program. Stop it, or serve Treatment Talk on "
                f"another port: {_try_another(port)}"
            )
        if error.errno == errno.EACCES:
            return (
                f"Port {port} is reserved for the administrator on this machine. Choose a port "
                f"above 1023: {_try_another(port)}"
            )
        return (
            f"Treatment Talk cannot listen on {host} port {port}: {error.strerror}. Try "
            f"make run HOST=127.0.0.1 or another port: {_try_another(port)}"
        )
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python portal/port_check.py HOST PORT", file=sys.stderr)
        return 2
    message = problem(*argv)
    if message is None:
        return 0
    print(message, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
