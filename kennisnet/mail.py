"""Outgoing mail: over SMTP when KENNISNET_MAIL_SERVER is set, otherwise to the log and a folder."""

import functools
import logging
import os
import smtplib
import threading
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import after_this_request, current_app, has_request_context, url_for

log = logging.getLogger(__name__)


def absolute_url(endpoint: str, **values) -> str:
    """A full link for mail; outside a request (cron, workers) it is built on KENNISNET_BASE_URL."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context("/", base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


_lock = threading.Lock()
_waiting: list = []  # deliveries whose request has not finished answering yet
_running: list[threading.Thread] = []


def send_mail(to: str, subject: str, body: str, *, raise_errors: bool = False,
              background: bool = False) -> None:
    """Send a plain-text message. Delivery trouble is logged, or raised for a queue that retries.

    `background` delivers in a thread of its own, started once the answer has gone out (the
    server closes the response), so a reset for a known address takes as long as one for an
    unknown address, which sends nothing: timing does not tell whether an account exists.
    """
    if not background:
        _deliver(to, subject, body, current_app.config, raise_errors)
        return
    config = {key: current_app.config.get(key) for key in (
        "MAIL_SENDER", "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME",
        "MAIL_PASSWORD", "MAIL_OUTBOX_DIR")}
    job = functools.partial(_deliver, to, subject, body, config, False)
    if not has_request_context():
        _start(job)
        return
    with _lock:
        _waiting.append(job)
    after_this_request(lambda response: (response.call_on_close(lambda: _start(job)),
                                         response)[1])


def _start(job) -> None:
    """Once per job, whoever comes first: the closed response or wait_for_background_mail."""
    with _lock:
        if getattr(job, "started", False):
            return
        if job in _waiting:
            _waiting.remove(job)
        job.started = True
        thread = threading.Thread(target=job, name="kennisnet-mail")
        _running[:] = [t for t in _running if t.is_alive()] + [thread]
    thread.start()


def wait_for_background_mail(timeout: float = 30) -> None:
    """Deliver the mail of answers not yet closed, and wait for all of it (tests, shutdown)."""
    with _lock:
        waiting = list(_waiting)
    for job in waiting:
        _start(job)
    with _lock:
        running = list(_running)
    for thread in running:
        thread.join(timeout)


def _deliver(to: str, subject: str, body: str, config, raise_errors: bool) -> None:
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
