"""`kennisnet search worker|run-once|rebuild|check`: everything that writes the index."""


import click
from flask.cli import with_appcontext

from kennisnet.cli import run_until_stopped


@click.group("search")
def search_group():
    """Zoekindex bijhouden (indexer, herbouwen, controleren)."""


@search_group.command("worker")
@click.option("--poll", default=0.5, show_default=True, help="Seconds between outbox polls.")
@with_appcontext
def worker_command(poll):
    """Keep the index up to date: apply the outbox until stopped (SIGTERM or Ctrl-C)."""
    from kennisnet.search.worker import run_worker

    run_until_stopped(run_worker, poll, "Zoekindexer gestart.", "Zoekindexer gestopt.")


@search_group.command("run-once")
@with_appcontext
def run_once_command():
    """Apply everything in the outbox now, then stop."""
    from kennisnet.search.indexer import drain_outbox
    from kennisnet.search.worker import prepare_index

    prepare_index()
    click.echo(f"{drain_outbox()} wijzigingen verwerkt.")


search_group.add_command(run_once_command, "drain")


@search_group.command("rebuild")
@click.option("--procs", type=int, default=None,
              help="Writer processes for the build (default: up to 2, one per core).")
@with_appcontext
def rebuild_command(procs):
    """Build a fresh index from the database and swap it in atomically."""
    from kennisnet.search.indexer import REBUILD_PROCS, rebuild

    click.echo(f"Zoekindex herbouwd: {rebuild(procs=procs or REBUILD_PROCS)} items.")


@search_group.command("check")
@click.option("--repair", is_flag=True, help="Fix the differences that were found.")
@with_appcontext
def check_command(repair):
    """Compare the database with the index (ids and content hashes)."""
    from kennisnet.search.indexer import check

    report = check(repair=repair)
    for label, keys in (("ontbreekt", report.missing), ("verouderd", report.stale),
                        ("overbodig", report.extra)):
        for key in keys:
            click.echo(f"{label}: {key}")
    if report.pending:
        click.echo(f"{report.pending} wijzigingen wachten nog in de outbox.")
    if not report.differences:
        click.echo("Zoekindex en database komen overeen.")
    elif report.repaired:
        click.echo(f"{report.differences} verschillen hersteld.")
    else:
        raise click.ClickException(f"{report.differences} verschillen gevonden.")
