"""`make run`'s one command for the whole portal: the worker in the background, COMMAND in front.

Run as `python portal/with_worker.py COMMAND...` (make run passes `flask --app portal run …`).
It starts `flask --app portal worker` beside COMMAND, and when COMMAND ends (Ctrl+C, which
both receive) it waits for the worker to finish what it is sending, and stops it if it does
not. Standard library only, like port_check.py.
"""

from __future__ import annotations

import signal
import subprocess
import sys

WORKER = [sys.executable, "-m", "flask", "--app", "portal", "worker"]
WORKER_GRACE_SECONDS = 30


def stop(worker: subprocess.Popen) -> None:
    """SIGTERM (the running task finishes), then SIGKILL if it takes too long."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=WORKER_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def main(command: list[str]) -> int:
    if not command:
        print("usage: python portal/with_worker.py COMMAND...", file=sys.stderr)
        return 2
    worker = subprocess.Popen(WORKER)
    print(f"Worker started (pid {worker.pid}): it sends the portal's email.", flush=True)
    try:
        server = subprocess.Popen(command)
        # `kill` of make run ends the server too; the worker is stopped below.
        signal.signal(signal.SIGTERM, lambda signum, frame: server.terminate())
        try:
            return server.wait()
        except KeyboardInterrupt:  # Ctrl+C reached the server as well; let it finish
            return server.wait()
    finally:
        stop(worker)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
