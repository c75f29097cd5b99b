"""`flask --app portal worker`: runs the queued tasks (mail, notifications) beside the web server.

Huey's own consumer, in this process, with the app bound: a few worker threads take tasks from
the queue (SQLite in instance/ or Redis), and a scheduler runs the periodic ones (the outbox
sweep, every minute). SIGTERM and Ctrl+C let every running task finish before the worker
exits (a second Ctrl+C stops at once); a task cut short leaves its row claimed, and the
claim's lease gives it to the next worker. SIGHUP restarts the worker in place.
"""

from __future__ import annotations

import logging
import signal

import click
from flask import current_app
from huey.consumer import Consumer

from . import tasks


class PortalConsumer(Consumer):
    """Huey's consumer, with Ctrl+C as graceful as SIGTERM."""

    def __init__(self, huey, **options) -> None:
        super().__init__(huey, graceful_signal="TERM", **options)
        # (restart, graceful): `make run`'s Ctrl+C and a service manager's SIGTERM alike let
        # the running send finish; Huey's default would abandon it on SIGINT.
        self._signal_actions[signal.SIGINT] = (False, True)


def _configure_logging(app) -> None:
    """One line per event on standard error: what was sent, retried, failed; start and stop."""
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)  # the root handler below prints it once
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    # Huey says "Executing …" and "… executed" for every task; its start and stop are enough.
    logging.getLogger("huey").setLevel(logging.WARNING)
    logging.getLogger("huey.consumer").setLevel(logging.INFO)
    logging.getLogger("huey.consumer.Scheduler").setLevel(logging.WARNING)


@click.command("worker")
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(min=1),
    default=None,
    help="Tasks run at once (threads). Default: PORTAL_WORKER_THREADS, else 2.",
)
@click.option("--no-periodic", is_flag=True, help="Do not run the periodic tasks (the sweep).")
@click.option(
    "--shutdown-timeout",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds to let running tasks finish on SIGTERM or Ctrl+C.",
)
def worker_command(workers: int | None, no_periodic: bool, shutdown_timeout: float) -> None:
    """Send queued email and run the other background tasks until stopped."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["TASK_QUEUE_URL"] == "memory://":
        raise click.ClickException(
            "The worker needs a queue the web processes share: set PORTAL_TASK_QUEUE_URL to "
            "sqlite:///PATH or redis://HOST:6379/0."
        )
    _configure_logging(app)
    tasks.bind(app)
    modules = tasks.import_task_modules()
    logging.getLogger(__name__).info("worker tasks from %s", ", ".join(modules))
    consumer = PortalConsumer(
        tasks.huey,
        workers=workers or app.config["WORKER_THREADS"],
        periodic=not no_periodic,
        worker_type="thread",
        shutdown_timeout=shutdown_timeout,
    )
    consumer.run()


@click.command("send-test-email")
@click.option("--to", "address", required=True, help="Where the test message goes.")
def send_test_email_command(address: str) -> None:
    """Queue a test message, to check the mail settings (the worker sends it)."""
    from .extensions import db
    from .mail.outbox import queue_email

    email = queue_email(None, "test_message", to_address=address.strip())
    db.session.commit()
    click.echo(f"Queued test email {email.id} to {email.to_address}; the worker sends it.")
    if (current_app.config.get("MAIL_BACKEND") or "file") == "file":
        click.echo(f"It will be written to {current_app.config['MAIL_FILE_PATH']}.")


COMMANDS = (worker_command, send_test_email_command)
