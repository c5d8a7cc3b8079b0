"""`kennisnet documents extract [--watch]`: text extraction and download counts."""


import click
from flask.cli import with_appcontext

from kennisnet.cli import run_until_stopped


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
    run_until_stopped(run_worker, poll, "Tekstverwerker gestart.", "Tekstverwerker gestopt.")


@documents_group.command("check")
@click.option("--repair", is_flag=True,
              help="Remove orphaned files and leftover temporary files.")
@click.option("--verify", is_flag=True, help="Also recompute every stored file's hash.")
@click.option("--grace-minutes", default=60, show_default=True,
              help="Leave younger files alone: an upload may still be in progress.")
@with_appcontext
def check_command(repair, verify, grace_minutes):
    """Compare the stored files with the database: every version must have its file."""
    from kennisnet.documents import storage
    from kennisnet.documents.services import audit_files

    report = audit_files(grace_minutes * 60, verify=verify)
    for label, paths in (("ontbreekt", report.missing), ("beschadigd", report.damaged),
                         ("zonder document", report.orphans),
                         ("tijdelijk", report.temporary)):
        for path in paths:
            click.echo(f"{label}: {path}")
    if repair:
        storage.remove_files(report.orphans + report.temporary)
        click.echo(f"{len(report.orphans) + len(report.temporary)} losse bestanden opgeruimd.")
    if report.problems:
        raise click.ClickException(f"{report.problems} documentversies zonder goed bestand.")
    click.echo("Bestanden en database komen overeen.")
