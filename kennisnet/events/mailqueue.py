"""A mail queue in the database: requests only insert rows; `kennisnet events send-mail` (and
send-reminders) deliver them, retrying with a growing pause, so a refusing or hanging mail
server never makes a page slow or fail."""

import logging
from datetime import timedelta

from sqlalchemy import select

from kennisnet.database import utcnow
from kennisnet.events.models import QueuedMail
from kennisnet.extensions import db
from kennisnet.mail import send_mail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def queue_mail(recipient: str, subject: str, body: str) -> QueuedMail | None:
    """Add a message to the queue (in the caller's transaction); None without an address."""
    if not recipient:
        return None
    mail = QueuedMail(recipient=recipient, subject=subject, body=body)
    db.session.add(mail)
    return mail


def pending_mail(limit: int = 100) -> list[QueuedMail]:
    return list(db.session.scalars(
        select(QueuedMail).where(QueuedMail.sent_at.is_(None),
                                 QueuedMail.attempts < MAX_ATTEMPTS,
                                 QueuedMail.next_attempt_at <= utcnow())
        .order_by(QueuedMail.id).limit(limit)))


def deliver(mail: QueuedMail) -> bool:
    """Try one message; on failure schedule a retry (1, 2, 4 … minutes later)."""
    mail.attempts += 1
    try:
        send_mail(mail.recipient, mail.subject, mail.body, raise_errors=True)
    except Exception as error:  # noqa: BLE001 - any failure means: try again later
        log.warning("queued mail %s failed: %s", mail.id, error)
        mail.last_error = str(error)[:1000]
        mail.next_attempt_at = utcnow() + timedelta(minutes=2 ** (mail.attempts - 1))
        return False
    mail.sent_at = utcnow()
    return True


def deliver_pending(limit: int = 100) -> int:
    """Send what is due; the caller commits. Returns how many were sent."""
    return sum(1 for mail in pending_mail(limit) if deliver(mail))
