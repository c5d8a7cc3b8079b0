"""`kennisnet documents extract [--watch]`: text extraction and download counts."""

import logging
import signal
import threading

import click
from flask.cli import with_appcontext


@click.group("documents")
def documents_group():
    """Documentenbibliotheek bijhouden."""


@documents_group.command("extract")
@click.option("--watch", is_flag=True, help="Keep running and pick up new uploads.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between polls (--watch).")
@with_appcontext
def extract_command(watch, poll):
    """Read the text of every uploaded version that is still waiting."""
    from kennisnet.documents.worker import extract_pending, run_worker

    if not watch:
        click.echo(f"{extract_pending()} versies verwerkt.")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Tekstverwerker gestart.")
    run_worker(stop, poll=poll)
    click.echo("Tekstverwerker gestopt.")
