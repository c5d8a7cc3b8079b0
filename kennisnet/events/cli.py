"""`kennisnet events send-reminders` and `kennisnet events send-mail`, run from cron or a timer:

    */5 * * * *  kennisnet events send-mail
    0 9 * * *    kennisnet events send-reminders
"""

import click
from flask.cli import with_appcontext

from kennisnet.database import writing


@click.group("events")
def events_group():
    """Agenda: herinneringen en wachtende e-mail versturen."""


@events_group.command("send-reminders")
@with_appcontext
def send_reminders_command():
    """Mail everyone with a place for an event that starts before the end of tomorrow (once)."""
    from kennisnet.events import mailqueue, services
    from kennisnet.extensions import db

    with writing():
        count = services.send_reminders()
        db.session.commit()
    sent = _deliver(db, mailqueue)
    click.echo(f"{count} herinneringen klaargezet, {sent} e-mails verstuurd.")


@events_group.command("send-mail")
@with_appcontext
def send_mail_command():
    """Send queued agenda mail (failed messages are retried later)."""
    from kennisnet.events import mailqueue
    from kennisnet.extensions import db

    click.echo(f"{_deliver(db, mailqueue)} e-mails verstuurd.")


def _deliver(db, mailqueue) -> int:
    # One transaction per batch: a crash halfway leaves unsent messages queued, not lost.
    total = 0
    while True:
        with writing():
            batch = mailqueue.pending_mail(50)
            sent = sum(1 for mail in batch if mailqueue.deliver(mail))
            db.session.commit()
        total += sent
        if len(batch) < 50:
            return total


@events_group.command("rebuild-feeds")
@with_appcontext
def rebuild_feeds_command():
    """Rebuild every event's stored VEVENT text (after changing KENNISNET_BASE_URL)."""
    from flask import current_app
    from sqlalchemy import select

    from kennisnet.events import ical
    from kennisnet.events.models import Event
    from kennisnet.extensions import db

    base_url = current_app.config["BASE_URL"].rstrip("/")
    with writing():
        events = list(db.session.scalars(select(Event)))
        for event in events:
            event.ics_fragment = ical.fragment(event, base_url)
        db.session.commit()
    click.echo(f"{len(events)} bijeenkomsten bijgewerkt.")
