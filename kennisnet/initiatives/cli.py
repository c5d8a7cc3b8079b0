"""`kennisnet initiatives …`: the yearly "Klopt dit nog?" round, run from cron."""

from datetime import UTC, datetime

import click
from flask import current_app


@click.group("initiatives")
def initiatives_group():
    """Initiatieven en netwerken beheren."""


@initiatives_group.command("ask-confirmation")
@click.option("--now", "now_text", default=None, metavar="YYYY-MM-DD",
              help="Pretend it is this date (for trying the cycle out).")
def ask_confirmation_command(now_text):
    """E-mail the administrators of every profile unconfirmed for a year."""
    from kennisnet.database import writing
    from kennisnet.extensions import db
    from kennisnet.initiatives.services import ask_confirmation

    now = None
    if now_text:
        try:
            now = datetime.strptime(now_text, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise click.BadParameter("gebruik de vorm JJJJ-MM-DD", param_hint="--now") from None
    # Mails are translated and hold links, which need a request context; a POST context also
    # makes SQLite begin the write transaction IMMEDIATE, as writing() does elsewhere.
    with writing(), current_app.test_request_context("/", method="POST"):
        asked = ask_confirmation(now)
        db.session.commit()
    click.echo(f"{asked} profiel(en) gevraagd om te bevestigen.")
