"""Outgoing mail: over SMTP when KENNISNET_MAIL_SERVER is set, otherwise to the log and a folder."""

import logging
import os
import smtplib
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, has_request_context, url_for

log = logging.getLogger(__name__)


def absolute_url(endpoint: str, **values) -> str:
    """A full link for mail; outside a request (cron, workers) it is built on KENNISNET_BASE_URL."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context("/", base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def send_mail(to: str, subject: str, body: str, *, raise_errors: bool = False) -> None:
    """Send a plain-text message. Delivery trouble is logged, or raised for a queue that retries."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="kennisnet.local")
    message.set_content(body)
    if config.get("MAIL_SERVER"):
        _send_smtp(message, config, raise_errors)
    else:
        _write_to_folder(message, config["MAIL_OUTBOX_DIR"])


def _send_smtp(message: EmailMessage, config, raise_errors: bool) -> None:
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        if raise_errors:
            raise
        log.exception("mail to %s could not be sent", message["To"])


def _write_to_folder(message: EmailMessage, folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{formatdate_for_filename()}-{uuid.uuid4().hex[:8]}.eml")
    with open(path, "wb") as handle:
        handle.write(bytes(message))
    log.info("mail to %s written to %s\n%s", message["To"], path, message.get_content())


def formatdate_for_filename() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
