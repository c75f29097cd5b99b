"""Where mail goes: a file per message under instance/mail/ by default, SMTP in production.

PORTAL_MAIL_BACKEND picks the Flask-Mailman backend: "file" (ours: one `.eml` per message, so
`make run` needs no mail server and any mail program opens what was sent), "smtp" (Flask-Mailman's,
configured by PORTAL_MAIL_HOST, _PORT, _STARTTLS, _SSL, _USER, _PASSWORD), or any other name
Flask-Mailman knows ("locmem", "console", a dotted path).
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask_mailman.backends.file import EmailBackend as FlaskMailmanFileBackend

logger = logging.getLogger(__name__)


class EmlFileBackend(FlaskMailmanFileBackend):
    """Writes each message whole, as it would cross the wire, to its own `.eml` file.

    Flask-Mailman's file backend appends every message of a connection to one log file; one
    file per message can be opened by a mail program and counted by a test. A file appears
    under its final name only once complete (written aside, then renamed).
    """

    def send_messages(self, email_messages) -> int:
        folder = Path(self.file_path)
        written = 0
        for message in email_messages:
            if not message.recipients():
                continue
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            final = folder / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
            partial = final.with_suffix(".eml.part")
            try:
                partial.write_bytes(message.message().as_bytes(linesep="\r\n"))
                os.replace(partial, final)
            except OSError:
                partial.unlink(missing_ok=True)
                if not self.fail_silently:
                    raise
                continue
            written += 1
            logger.info("wrote %s", final)
        return written


def init_mail(app: Flask) -> None:
    """Bind Flask-Mailman to app's MAIL_* settings, with the backend MAIL_BACKEND names.

    Called by create_app; call it again after changing those settings (tests do).
    """
    from ..extensions import mail

    state = mail.init_app(app)
    name = app.config.get("MAIL_BACKEND") or "file"
    state.backend = EmlFileBackend if name == "file" else name
