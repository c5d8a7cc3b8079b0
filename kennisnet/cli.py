"""The `kennisnet` command: `kennisnet seed`, `kennisnet create-user`, `kennisnet db upgrade`, …"""

import logging
import signal
import sys
import threading

import click
from flask import Flask
from flask.cli import FlaskGroup

from kennisnet.vocab import SITE_ROLES


def _create_app():
    from kennisnet import create_app
    from kennisnet.extensions import init_migrations

    app = create_app()
    if "db" in sys.argv[1:]:  # `kennisnet [options] db …`; the workers go without Alembic
        init_migrations(app)
    return app


@click.group(cls=FlaskGroup, create_app=_create_app)
def main():
    """Kennisnet beheren."""


def run_until_stopped(run_worker, poll: float, started: str, stopped: str) -> None:
    """Run a background worker in the foreground until SIGTERM (systemd) or Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(started)
    run_worker(stop, poll=poll)
    click.echo(stopped)


def register_cli(app: Flask) -> None:
    from kennisnet.backup.cli import backup_command, restore_command, restore_drill_command
    from kennisnet.documents.cli import documents_group
    from kennisnet.events.cli import events_group
    from kennisnet.forum.cli import forum_group
    from kennisnet.initiatives.cli import initiatives_group
    from kennisnet.search.cli import search_group
    from kennisnet.twofactor.cli import reset_2fa_command

    for command in (seed_command, create_user_command, set_role_command, prune_attempts_command,
                    reset_2fa_command,
                    search_group,
                    documents_group, events_group, forum_group, initiatives_group,
                    backup_command, restore_command, restore_drill_command):
        app.cli.add_command(command)


@click.command("seed")
def seed_command():
    """Load the guide, tips, kennisbronnen, initiatives and networks (idempotent)."""
    from kennisnet.extensions import db
    from kennisnet.seed import seed_all

    stats = seed_all()
    db.session.commit()
    click.echo(f"Inhoud geladen: {stats}.")


@click.command("prune-attempts")
@click.option("--days", default=1, show_default=True, help="Keep attempts younger than this.")
def prune_attempts_command(days):
    """Forget counted login, registration and posting attempts nobody counts any more."""
    from datetime import timedelta

    from kennisnet.database import writing
    from kennisnet.extensions import db
    from kennisnet.ratelimit import prune

    with writing():
        removed = prune(timedelta(days=days))
        db.session.commit()
    click.echo(f"{removed} oude pogingen verwijderd.")


@click.command("create-user")
@click.option("--email", prompt=True)
@click.option("--name", prompt="Naam")
@click.password_option(confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="Make the user a site administrator.")
@click.option("--moderator", is_flag=True, help="Make the user a moderator.")
def create_user_command(email, name, password, admin, moderator):
    """Create a confirmed account, optionally an administrator."""
    from kennisnet.accounts import services
    from kennisnet.extensions import db

    if services.find_user_by_email(email) is not None:
        raise click.ClickException(f"Er is al een account met {email}.")
    if len(password) < 10:
        raise click.ClickException("Het wachtwoord moet minstens 10 tekens lang zijn.")
    role = "admin" if admin else "moderator" if moderator else "member"
    user = services.create_user(name, email, password, site_role=role)
    db.session.commit()
    click.echo(f"Account {user.email} gemaakt met rol {role}.")


@click.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(list(SITE_ROLES)))
def set_role_command(email, role):
    """Give an existing user the member, moderator or admin role."""
    from kennisnet.accounts import services
    from kennisnet.extensions import db

    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"Geen account met {email}.")
    services.set_site_role(user, role)
    db.session.commit()
    click.echo(f"{user.email} heeft nu de rol {role}.")



